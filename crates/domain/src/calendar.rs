//! Danish working days, for deadlines counted in them (an advice request's answer is due within
//! working days). A day is a working day unless it is a Saturday or Sunday, a public holiday
//! (helligdag), or a day the offices close by agreement (`partnership/rules.json`, since that
//! varies with the employer). Store Bededag was a holiday until 2023 and is an ordinary working
//! day from 2024 (lov nr. 76 af 28. februar 2023).

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// The last year in which Store Bededag was a public holiday.
const LAST_STORE_BEDEDAG: i32 = 2023;

/// A public holiday: its date and Danish name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holiday {
    pub date: NaiveDate,
    pub name: &'static str,
}

/// The public holidays that fall on a fixed date.
const FIXED: [(u32, u32, &str); 3] = [
    (1, 1, "Nytårsdag"),
    (12, 25, "Juledag"),
    (12, 26, "Anden juledag"),
];

/// The public holidays that move with Easter Sunday: days after it (negative before).
const MOVABLE: [(i64, &str); 8] = [
    (-3, "Skærtorsdag"),
    (-2, "Langfredag"),
    (0, "Påskedag"),
    (1, "Anden påskedag"),
    (26, "Store Bededag"),
    (39, "Kristi himmelfartsdag"),
    (49, "Pinsedag"),
    (50, "Anden pinsedag"),
];

fn easter(year: i32) -> Option<NaiveDate> {
    computus::gregorian_naive(year).ok()
}

fn shifted(day: NaiveDate, by: i64) -> NaiveDate {
    day.checked_add_signed(chrono::TimeDelta::days(by))
        .unwrap_or(day)
}

/// The public holidays of a year, in date order.
pub fn public_holidays(year: i32) -> Vec<Holiday> {
    let fixed = FIXED.iter().filter_map(|&(m, d, name)| {
        NaiveDate::from_ymd_opt(year, m, d).map(|date| Holiday { date, name })
    });
    let movable = easter(year).into_iter().flat_map(move |e| {
        MOVABLE
            .iter()
            .filter(move |(_, name)| *name != "Store Bededag" || year <= LAST_STORE_BEDEDAG)
            .map(move |&(by, name)| Holiday {
                date: shifted(e, by),
                name,
            })
    });
    let mut all: Vec<Holiday> = fixed.chain(movable).collect();
    all.sort_by_key(|h| h.date);
    all
}

/// The public holiday on a day, if it is one.
pub fn holiday_on(day: NaiveDate) -> Option<Holiday> {
    public_holidays(day.year())
        .into_iter()
        .find(|h| h.date == day)
}

/// Working days: weekdays that are neither public holidays nor closing days.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkingDays {
    /// Days (month, day) closed every year by agreement, such as Christmas Eve.
    closed: Vec<(u32, u32)>,
}

impl WorkingDays {
    pub fn new(closed: impl IntoIterator<Item = (u32, u32)>) -> WorkingDays {
        WorkingDays {
            closed: closed.into_iter().collect(),
        }
    }

    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
            && !self.closed.contains(&(day.month(), day.day()))
            && holiday_on(day).is_none()
    }

    /// The `n`th working day after `from` (`from` itself never counts, so a question asked on
    /// a Saturday with two working days is due on Tuesday); `from` when `n` is 0.
    pub fn add(&self, from: NaiveDate, n: u32) -> NaiveDate {
        let mut day = from;
        let mut left = n;
        while left > 0 {
            match day.checked_add_days(Days::new(1)) {
                Some(next) => day = next,
                None => return day,
            }
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    /// How many working days lie after `from` up to and including `to` (0 when `to` is not
    /// after `from`): the working days an answer took.
    pub fn between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        from.iter_days()
            .skip(1)
            .take_while(|d| *d <= to)
            .filter(|d| self.is_working_day(*d))
            .count() as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn easter_and_the_days_that_follow_it() {
        let names = |y| {
            public_holidays(y)
                .into_iter()
                .map(|h| (h.date, h.name))
                .collect::<Vec<_>>()
        };
        let y2025 = names(2025);
        assert!(y2025.contains(&(d(2025, 4, 17), "Skærtorsdag")));
        assert!(y2025.contains(&(d(2025, 4, 20), "Påskedag")));
        assert!(y2025.contains(&(d(2025, 5, 29), "Kristi himmelfartsdag")));
        assert!(y2025.contains(&(d(2025, 6, 9), "Anden pinsedag")));
        assert_eq!(y2025.len(), 10);
        // Easter 2027 falls on 28 March.
        assert!(names(2027).contains(&(d(2027, 3, 29), "Anden påskedag")));
    }

    #[test]
    fn store_bededag_was_a_holiday_until_2023_and_is_a_working_day_from_2024() {
        assert_eq!(
            holiday_on(d(2023, 5, 5)).map(|h| h.name),
            Some("Store Bededag")
        );
        assert_eq!(public_holidays(2023).len(), 11);
        assert_eq!(holiday_on(d(2024, 4, 26)), None);
        assert!(WorkingDays::default().is_working_day(d(2024, 4, 26)));
        assert!(WorkingDays::default().is_working_day(d(2026, 5, 1)));
    }

    #[test]
    fn christmas_eve_counts_only_when_the_offices_close_on_it() {
        let closed = WorkingDays::new([(12, 24), (12, 31)]);
        // Asked Wednesday 23 December 2026: 24 closed, 25 and 26 holidays, a weekend.
        assert_eq!(closed.add(d(2026, 12, 23), 2), d(2026, 12, 29));
        assert_eq!(
            WorkingDays::default().add(d(2026, 12, 23), 2),
            d(2026, 12, 28)
        );
        assert_eq!(closed.between(d(2026, 12, 23), d(2026, 12, 29)), 2);
    }

    #[test]
    fn a_question_asked_at_the_weekend_is_counted_from_monday() {
        let w = WorkingDays::default();
        assert_eq!(w.add(d(2026, 12, 5), 2), d(2026, 12, 8));
        assert_eq!(w.add(d(2026, 12, 5), 0), d(2026, 12, 5));
        assert_eq!(w.between(d(2026, 12, 5), d(2026, 12, 5)), 0);
        assert_eq!(w.between(d(2026, 12, 5), d(2026, 12, 4)), 0);
    }

    fn day() -> impl Strategy<Value = NaiveDate> {
        (0i64..20_000).prop_map(|n| shifted(d(2000, 1, 1), n))
    }

    proptest! {
        #[test]
        fn adding_working_days_lands_on_one_and_counts_back(from in day(), n in 1u32..40) {
            let w = WorkingDays::new([(12, 24)]);
            let due = w.add(from, n);
            prop_assert!(w.is_working_day(due));
            prop_assert!(due > from);
            prop_assert_eq!(w.between(from, due), n);
            prop_assert_eq!(w.between(from, shifted(due, -1)), n - 1);
        }

        #[test]
        fn a_working_day_is_never_a_weekend_or_holiday(day in day()) {
            let w = WorkingDays::default();
            if w.is_working_day(day) {
                prop_assert!(!matches!(day.weekday(), Weekday::Sat | Weekday::Sun));
                prop_assert!(holiday_on(day).is_none());
            }
        }

        #[test]
        fn every_year_has_its_holidays_in_order(year in 1990i32..2200) {
            let all = public_holidays(year);
            prop_assert_eq!(all.len(), if year <= LAST_STORE_BEDEDAG { 11 } else { 10 });
            prop_assert!(all.windows(2).all(|p| p[0].date < p[1].date));
            prop_assert!(all.iter().all(|h| h.date.year() == year));
        }
    }
}
