//! The export part of a transaction; every `Tx` has it.
//!
//! The KL export reads in a fixed number of queries however many courses changed (courses,
//! themes, encounters, referrals, children whose CPR number changed), each filtered the same
//! way by the window, so the export never asks once per course.

use crate::Result;
use crate::export::model::*;
use async_trait::async_trait;
use uuid::Uuid;

#[async_trait]
pub trait ExportTx: Send {
    /// Courses changed after `window.since` (their `updated_at`), with their child. There is
    /// no upper bound: a course changed again after `until` carries the later time, and
    /// leaving it out would lose the changes it had inside the window.
    async fn kl_courses(&mut self, window: &KlWindow) -> Result<Vec<KlCourse>>;
    /// The current themes of the courses `kl_courses` returns, oldest first per course.
    async fn kl_themes(&mut self, window: &KlWindow) -> Result<Vec<KlTheme>>;
    /// Encounters of those courses created or changed inside the window; every encounter of
    /// a course entered in error, since all of them are then in error too.
    async fn kl_encounters(&mut self, window: &KlWindow) -> Result<Vec<KlEncounter>>;
    /// Referrals of those courses recorded inside the window; all of a course in error.
    async fn kl_referrals(&mut self, window: &KlWindow) -> Result<Vec<KlReferral>>;
    /// Children with a course in the window's organisation whose CPR number was corrected
    /// after `since`.
    async fn kl_cpr_changed(&mut self, window: &KlWindow) -> Result<Vec<KlCitizen>>;

    async fn insert_kl_delivery(
        &mut self,
        d: &KlDelivery,
        delivery: &str,
        children: &[Uuid],
    ) -> Result<()>;
    /// The organisation's deliveries, newest first.
    async fn kl_deliveries(&mut self, org_id: Uuid) -> Result<Vec<KlDelivery>>;
    /// One delivery with its JSON and the children it reports on.
    async fn kl_delivery(&mut self, id: Uuid) -> Result<Option<(KlDelivery, String, Vec<Uuid>)>>;
    /// Municipality organisations with courses, each with the end of its last nightly delivery.
    async fn kl_organisations(&mut self) -> Result<Vec<KlOrganisation>>;

    /// Sets (or with `None` removes) an organisation's SOR code.
    async fn set_sor_code(&mut self, org_id: Uuid, sor_code: Option<&str>) -> Result<()>;
}
