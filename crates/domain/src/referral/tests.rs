use super::*;
use proptest::prelude::*;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn full() -> ReferralInput {
    ReferralInput {
        reason: Some("Tvangstanker der fylder hele dagen".into()),
        tried: Some("Spor 5 i kommunen, 8 sessioner".into()),
        child_view: Some("Vil gerne have hjælp".into()),
        family_view: Some("Forældrene ønsker udredning".into()),
    }
}

#[test]
fn a_referral_needs_every_part_and_names_what_is_missing() {
    assert!(parse_referral(&full()).is_ok());
    let err = parse_referral(&ReferralInput::default()).unwrap_err();
    let fields: Vec<_> = err.0.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["reason", "tried", "child_view", "family_view"]);
    let blank = ReferralInput {
        tried: Some("   ".into()),
        ..full()
    };
    assert_eq!(parse_referral(&blank).unwrap_err().0[0].field, "tried");
}

#[test]
fn a_return_is_never_a_bare_no() {
    let ret = |destination: Option<&str>, note: Option<&str>| AnswerInput {
        answer: Some("return".into()),
        note: None,
        way: WayInput {
            destination: destination.map(Into::into),
            note: note.map(Into::into),
        },
    };
    let fields = |i: &AnswerInput| -> Vec<String> {
        parse_answer(i)
            .unwrap_err()
            .0
            .into_iter()
            .map(|e| e.field)
            .collect()
    };
    assert_eq!(fields(&ret(None, None)), ["way.destination", "way.note"]);
    assert_eq!(fields(&ret(Some("gp"), Some(" "))), ["way.note"]);
    assert_eq!(
        fields(&ret(Some("psychiatry"), Some("Prøv igen"))),
        ["way.destination"]
    );
    let ok = parse_answer(&ret(Some("other_offer_home"), Some("Forældrekursus først"))).unwrap();
    assert_eq!(ok.status(), ReferralStatus::Returned);
    let accept = parse_answer(&AnswerInput {
        answer: Some("accept".into()),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(accept, Answer::Accepted { note: None });
    assert_eq!(fields(&AnswerInput::default()), ["answer"]);
}

#[test]
fn the_shipped_rules_parse_and_the_default_is_provisional() {
    let r = PartnershipRules::shipped();
    assert_eq!(r.referral_answer_days.value, 30);
    assert!(r.referral_answer_days.provisional);
    assert_eq!(r.answer_days(Some("DK-84"), d("2026-12-01")).value, 30);
    assert_eq!(r.answer_days(None, d("2026-12-01")).value, 30);
    assert_eq!(r.advice_answer_working_days.value, 2);
    assert!(r.advice_answer_working_days.provisional && r.closed_days.provisional);
    // Asked Friday 18 December 2026; the offices close on Christmas Eve.
    assert_eq!(r.advice_due(d("2026-12-18")), d("2026-12-22"));
    assert_eq!(r.advice_due(d("2026-12-23")), d("2026-12-29"));
}

#[test]
fn bad_advice_rules_are_refused_with_the_reason() {
    let text = PartnershipRules::shipped();
    let json = serde_json::to_string(text).unwrap();
    let bad_day = json.replace("12-31", "13-31");
    assert!(
        PartnershipRules::parse(&bad_day)
            .unwrap_err()
            .0
            .contains("13-31")
    );
    let zero = json.replace(
        r#""advice_answer_working_days":{"value":2"#,
        r#""advice_answer_working_days":{"value":0"#,
    );
    assert!(
        PartnershipRules::parse(&zero)
            .unwrap_err()
            .0
            .contains("working days")
    );
}

#[test]
fn a_regions_own_deadline_follows_the_region_of_the_day() {
    let text = r#"{"about":"a","referral_answer_days":{"value":30,"provisional":true,"note":""},
        "referral_answer_days_by_region":[{"region":"DK-OST","days":{"value":21,"provisional":false,"note":"aftale"}}],
        "advice_answer_working_days":{"value":2,"provisional":true,"note":""},
        "closed_days":{"value":["12-24"],"provisional":true,"note":""}}"#;
    let r = PartnershipRules::parse(text).unwrap();
    // Region Hovedstaden's units answer on Region Østdanmark's terms once it exists.
    assert_eq!(r.answer_days(Some("DK-84"), d("2026-12-31")).value, 30);
    assert_eq!(r.answer_days(Some("DK-84"), d("2027-01-01")).value, 21);
    assert_eq!(r.answer_days(Some("DK-82"), d("2027-01-01")).value, 30);
    let zero = text.replace("21", "0");
    assert!(
        PartnershipRules::parse(&zero)
            .unwrap_err()
            .0
            .contains("1 to 365")
    );
    let unknown = text.replace("DK-OST", "DK-99");
    assert!(
        PartnershipRules::parse(&unknown)
            .unwrap_err()
            .0
            .contains("DK-99")
    );
}

proptest! {
    #[test]
    fn the_answer_is_due_the_given_days_after_receipt(
        offset in 0u32..3000, days in 1u32..=365
    ) {
        let received = d("2024-01-01") + Days::new(offset.into());
        let due = answer_due(received, days);
        prop_assert_eq!((due - received).num_days(), i64::from(days));
    }
}
