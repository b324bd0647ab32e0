//! What the indicators count of referrals to child psychiatry: how many arrived, how they were
//! answered and how fast, and where returned referrals sent the family (the clusters analyse
//! returns to see which children could have been helped elsewhere first).

use super::ReferralStatus;
use crate::course::kl::ReferralDestination;
use chrono::NaiveDate;
use serde::Serialize;

/// The facts of one referral the counts need, and nothing about the child.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReferralFacts {
    pub from_gp: bool,
    pub status: ReferralStatus,
    pub received_on: NaiveDate,
    pub due_on: NaiveDate,
    pub answered_on: Option<NaiveDate>,
    pub returned_to: Option<ReferralDestination>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReferralCounts {
    /// Referrals received in the period (by the day they arrived).
    pub received: usize,
    /// Of those, referred by a GP.
    pub from_gp: usize,
    pub accepted: usize,
    pub returned: usize,
    /// Not answered yet.
    pub waiting: usize,
    /// Answered after the deadline.
    pub answered_late: usize,
    /// Not answered and past the deadline today.
    pub waiting_overdue: usize,
    /// Returned referrals by where they guided the family, in the destinations' order.
    pub returned_to: Vec<(ReferralDestination, usize)>,
    /// The median number of days from arrival to answer, of those answered (the upper middle
    /// one of an even number).
    pub median_days_to_answer: Option<i64>,
}

/// Counts the referrals received from `from` to `to` (both days included).
pub fn count(
    facts: impl IntoIterator<Item = ReferralFacts>,
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
) -> ReferralCounts {
    let mut c = ReferralCounts::default();
    let mut days = Vec::new();
    let mut returned_to = Vec::new();
    for f in facts
        .into_iter()
        .filter(|f| (from..=to).contains(&f.received_on))
    {
        c.received += 1;
        c.from_gp += usize::from(f.from_gp);
        match f.status {
            ReferralStatus::Accepted => c.accepted += 1,
            ReferralStatus::Returned => {
                c.returned += 1;
                returned_to.extend(f.returned_to);
            }
            ReferralStatus::Sent => {
                c.waiting += 1;
                c.waiting_overdue += usize::from(f.due_on < today);
            }
        }
        if let Some(answered) = f.answered_on {
            c.answered_late += usize::from(answered > f.due_on);
            days.push((answered - f.received_on).num_days());
        }
    }
    c.returned_to = ReferralDestination::ALL
        .into_iter()
        .map(|d| (d, returned_to.iter().filter(|x| **x == d).count()))
        .filter(|(_, n)| *n > 0)
        .collect();
    days.sort_unstable();
    c.median_days_to_answer = days
        .get(days.len() / 2)
        .copied()
        .filter(|_| !days.is_empty());
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(n: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Duration::days(n)
    }

    fn facts(received: i64, status: ReferralStatus, answered: Option<i64>) -> ReferralFacts {
        ReferralFacts {
            from_gp: received % 2 == 0,
            status,
            received_on: day(received),
            due_on: day(received + 30),
            answered_on: answered.map(day),
            returned_to: (status == ReferralStatus::Returned)
                .then_some(ReferralDestination::OtherOfferHome),
        }
    }

    #[test]
    fn returns_are_counted_by_destination_and_late_answers_named() {
        let all = [
            facts(0, ReferralStatus::Accepted, Some(10)),
            facts(1, ReferralStatus::Returned, Some(40)),
            facts(2, ReferralStatus::Sent, None),
            facts(100, ReferralStatus::Returned, Some(101)),
        ];
        let c = count(all, day(0), day(50), day(45));
        assert_eq!(
            (c.received, c.from_gp, c.accepted, c.returned, c.waiting),
            (3, 2, 1, 1, 1)
        );
        assert_eq!((c.answered_late, c.waiting_overdue), (1, 1));
        assert_eq!(c.returned_to, [(ReferralDestination::OtherOfferHome, 1)]);
        assert_eq!(c.median_days_to_answer, Some(39));
    }

    proptest! {
        #[test]
        fn every_referral_in_the_period_is_accepted_returned_or_waiting(
            list in proptest::collection::vec((0i64..60, 0u8..3, 0i64..60), 0..40)
        ) {
            let all: Vec<_> = list.iter().map(|(r, s, a)| {
                let status = ReferralStatus::ALL[*s as usize];
                facts(*r, status, (status != ReferralStatus::Sent).then_some(r + a))
            }).collect();
            let c = count(all.clone(), day(10), day(40), day(50));
            let inside = all.iter().filter(|f| (day(10)..=day(40)).contains(&f.received_on)).count();
            prop_assert_eq!(c.received, inside);
            prop_assert_eq!(c.accepted + c.returned + c.waiting, c.received);
            prop_assert_eq!(c.returned_to.iter().map(|(_, n)| n).sum::<usize>(), c.returned);
            prop_assert!(c.waiting_overdue <= c.waiting && c.answered_late <= c.accepted + c.returned);
        }
    }
}
