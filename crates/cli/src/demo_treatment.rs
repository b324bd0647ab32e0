//! Demo treatment.

use crate::demo::People;
use crate::demo_courses::MunicipalityDemo;
use samspor_store::Store;
use samspor_store::service::courses::Rules;

/// Adds the treatment demo records of one municipality; returns how many it made.
pub(crate) async fn seed(
    _store: &dyn Store,
    _rules: Rules<'_>,
    _people: &mut People,
    _demo: &MunicipalityDemo,
    _request_id: &str,
) -> anyhow::Result<usize> {
    Ok(0)
}
