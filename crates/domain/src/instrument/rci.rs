//! The reliable change index (Jacobson & Truax 1991): is the difference between two
//! measurements larger than measurement error alone would plausibly produce?

use super::definition::{HigherIs, Instrument};
use serde::{Deserialize, Serialize};

/// |RCI| above this is reliable change at the 5 % level (two-sided).
pub const RCI_THRESHOLD: f64 = 1.96;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeDirection {
    Improved,
    Worsened,
    NoReliableChange,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ReliableChange {
    /// (after − before) / SDiff; positive means the score went up.
    pub rci: f64,
    pub significant: bool,
    pub direction: ChangeDirection,
    /// False when the norms behind it are provisional; the UI says so.
    pub verified: bool,
}

/// The change on `scale` from `before` to `after`, or `None` when the instrument has no norms
/// for the scale or a score lies outside the scale's range.
pub fn reliable_change(
    instrument: &Instrument,
    scale: &str,
    before: i64,
    after: i64,
) -> Option<ReliableChange> {
    let definition = instrument.scale(scale)?;
    let norm = instrument.change_norm(scale)?;
    let range = definition.min..=definition.max;
    if !range.contains(&before) || !range.contains(&after) {
        return None;
    }
    // Standard error of the difference: SD · √2 · √(1 − r).
    let s_diff = norm.sd * std::f64::consts::SQRT_2 * (1.0 - norm.reliability).sqrt();
    // Scale scores are small integers, far inside the range f64 holds exactly.
    let rci = (after - before) as f64 / s_diff;
    let significant = rci.abs() > RCI_THRESHOLD;
    let direction = match (significant, rci > 0.0, definition.higher_is) {
        (false, _, _) => ChangeDirection::NoReliableChange,
        (true, true, HigherIs::Worse) | (true, false, HigherIs::Better) => {
            ChangeDirection::Worsened
        }
        (true, false, HigherIs::Worse) | (true, true, HigherIs::Better) => {
            ChangeDirection::Improved
        }
    };
    Some(ReliableChange {
        rci,
        significant,
        direction,
        verified: norm.verified,
    })
}
