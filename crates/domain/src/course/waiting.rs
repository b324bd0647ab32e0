//! Waiting-time goals ("servicemål", DOMAIN.md §1.3): first conversation within 14 calendar days of
//! the Henvendelse, screening within 30. Counted in calendar days on Danish local dates, because
//! the goals are stated that way and not in working days.

use chrono::{Days, NaiveDate};
use serde::Serialize;

/// Days from Henvendelse within which the Forsamtale must be held.
pub const FIRST_CONVERSATION_DAYS: u64 = 14;
/// Days from Henvendelse within which the screening should be held.
pub const SCREENING_DAYS: u64 = 30;
/// An open goal whose due date is at most this many days away is flagged on the front page.
pub const DUE_SOON_DAYS: i64 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Goal {
    FirstConversation,
    Screening,
}

impl Goal {
    pub fn days(self) -> u64 {
        match self {
            Goal::FirstConversation => FIRST_CONVERSATION_DAYS,
            Goal::Screening => SCREENING_DAYS,
        }
    }
}

/// Where one goal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GoalStatus {
    /// Not held yet, and the due date is more than `DUE_SOON_DAYS` away.
    Open,
    /// Not held yet, due today or within `DUE_SOON_DAYS`.
    DueSoon,
    /// Not held yet and the due date has passed: the goal is already lost, but the family still waits.
    OpenBreached,
    /// Held on or before the due date.
    Met,
    /// Held, but after the due date.
    Breached,
}

/// One goal's figures as shown in the course page and the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct GoalProgress {
    pub goal: Goal,
    pub due: NaiveDate,
    pub held: Option<NaiveDate>,
    /// Days from the Henvendelse to the meeting if held, else to today (never negative).
    pub days_elapsed: i64,
    pub status: GoalStatus,
}

/// Due date of a goal for a contact on `contact`.
pub fn due_date(goal: Goal, contact: NaiveDate) -> NaiveDate {
    // Adding at most 30 days to a NaiveDate cannot overflow within any date a person can have.
    contact
        .checked_add_days(Days::new(goal.days()))
        .unwrap_or(NaiveDate::MAX)
}

/// Assesses one goal as of `today`.
pub fn assess(
    goal: Goal,
    contact: NaiveDate,
    held: Option<NaiveDate>,
    today: NaiveDate,
) -> GoalProgress {
    let due = due_date(goal, contact);
    let (end, status) = match held {
        Some(h) if h <= due => (h, GoalStatus::Met),
        Some(h) => (h, GoalStatus::Breached),
        None if today > due => (today, GoalStatus::OpenBreached),
        None if (due - today).num_days() <= DUE_SOON_DAYS => (today, GoalStatus::DueSoon),
        None => (today, GoalStatus::Open),
    };
    GoalProgress {
        goal,
        due,
        held,
        days_elapsed: (end - contact).num_days().max(0),
        status,
    }
}

/// Both goals of one course.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Waiting {
    pub first_conversation: GoalProgress,
    pub screening: GoalProgress,
}

impl Waiting {
    /// `forsamtale`/`screening` are the dates of the first such encounter, if held.
    pub fn new(
        contact: NaiveDate,
        forsamtale: Option<NaiveDate>,
        screening: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Self {
        Self {
            first_conversation: assess(Goal::FirstConversation, contact, forsamtale, today),
            screening: assess(Goal::Screening, contact, screening, today),
        }
    }

    /// The nearest due date still open, for sorting the coordinator's queue.
    pub fn next_open_due(&self) -> Option<NaiveDate> {
        [self.first_conversation, self.screening]
            .into_iter()
            .filter(|g| g.held.is_none())
            .map(|g| g.due)
            .min()
    }

    /// Whether the course needs the coordinator's attention now: a goal breaching within
    /// `DUE_SOON_DAYS`, or already breached while the family still waits.
    pub fn needs_attention(&self) -> bool {
        [self.first_conversation, self.screening]
            .iter()
            .any(|g| matches!(g.status, GoalStatus::DueSoon | GoalStatus::OpenBreached))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn due_dates_across_month_ends_and_leap_days() {
        let fc = Goal::FirstConversation;
        assert_eq!(due_date(fc, d("2028-02-20")), d("2028-03-05"));
        assert_eq!(due_date(fc, d("2027-02-20")), d("2027-03-06"));
        assert_eq!(due_date(fc, d("2026-12-20")), d("2027-01-03"));
        assert_eq!(due_date(fc, d("2028-02-29")), d("2028-03-14"));
        assert_eq!(due_date(Goal::Screening, d("2028-02-01")), d("2028-03-02"));
        assert_eq!(due_date(Goal::Screening, d("2027-02-01")), d("2027-03-03"));
        assert_eq!(due_date(Goal::Screening, d("2026-12-15")), d("2027-01-14"));
    }

    #[test]
    fn held_on_due_date_is_met_day_after_is_breached() {
        let c = d("2026-12-20");
        let today = d("2027-02-01");
        let met = assess(Goal::FirstConversation, c, Some(d("2027-01-03")), today);
        assert_eq!(met.status, GoalStatus::Met);
        assert_eq!(met.days_elapsed, 14);
        let late = assess(Goal::FirstConversation, c, Some(d("2027-01-04")), today);
        assert_eq!(late.status, GoalStatus::Breached);
        assert_eq!(late.days_elapsed, 15);
    }

    #[test]
    fn open_goal_moves_through_due_soon_to_open_breached() {
        let c = d("2028-02-20"); // due 2028-03-05
        let at = |t: &str| assess(Goal::FirstConversation, c, None, d(t)).status;
        assert_eq!(at("2028-02-20"), GoalStatus::Open);
        assert_eq!(at("2028-03-01"), GoalStatus::Open);
        assert_eq!(at("2028-03-02"), GoalStatus::DueSoon);
        assert_eq!(at("2028-03-05"), GoalStatus::DueSoon);
        assert_eq!(at("2028-03-06"), GoalStatus::OpenBreached);
        let p = assess(Goal::FirstConversation, c, None, d("2028-03-06"));
        assert_eq!(p.days_elapsed, 15);
    }

    #[test]
    fn waiting_sorts_by_nearest_open_due_and_flags_attention() {
        let w = Waiting::new(d("2027-01-01"), None, None, d("2027-01-02"));
        assert_eq!(w.next_open_due(), Some(d("2027-01-15")));
        assert!(!w.needs_attention());
        let w = Waiting::new(
            d("2027-01-01"),
            Some(d("2027-01-10")),
            None,
            d("2027-01-29"),
        );
        assert_eq!(w.next_open_due(), Some(d("2027-01-31")));
        assert!(w.needs_attention());
        assert_eq!(w.first_conversation.status, GoalStatus::Met);
        assert_eq!(w.screening.status, GoalStatus::DueSoon);
        let json = serde_json::to_value(w).unwrap();
        assert_eq!(json["screening"]["status"], "due_soon");
        assert_eq!(json["screening"]["due"], "2027-01-31");
    }

    fn date() -> impl Strategy<Value = NaiveDate> {
        // 2000-01-01 .. about 2060: covers many leap years and every month end.
        (0i64..22_000).prop_map(|n| d("2000-01-01") + chrono::Duration::days(n))
    }

    fn goal() -> impl Strategy<Value = Goal> {
        prop_oneof![Just(Goal::FirstConversation), Just(Goal::Screening)]
    }

    fn rank(s: GoalStatus) -> u8 {
        match s {
            GoalStatus::Open => 0,
            GoalStatus::DueSoon => 1,
            GoalStatus::OpenBreached => 2,
            GoalStatus::Met | GoalStatus::Breached => 3,
        }
    }

    proptest! {
        #[test]
        fn due_minus_start_is_goal_days(c in date(), g in goal()) {
            prop_assert_eq!((due_date(g, c) - c).num_days(), g.days() as i64);
        }

        #[test]
        fn held_by_due_is_met_later_is_breached(c in date(), g in goal(), after in 0i64..60, today in date()) {
            let held = c + chrono::Duration::days(after);
            let p = assess(g, c, Some(held), today);
            let expected = if after <= g.days() as i64 { GoalStatus::Met } else { GoalStatus::Breached };
            prop_assert_eq!(p.status, expected);
            prop_assert_eq!(p.days_elapsed, after);
        }

        #[test]
        fn status_is_monotone_over_time(c in date(), g in goal(), t1 in 0i64..60, step in 0i64..60) {
            let early = c + chrono::Duration::days(t1);
            let late = early + chrono::Duration::days(step);
            prop_assert!(rank(assess(g, c, None, early).status) <= rank(assess(g, c, None, late).status));
        }
    }
}
