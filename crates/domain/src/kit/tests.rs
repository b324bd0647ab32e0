use super::*;
use proptest::prelude::*;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn party(sector: &str, org: u128) -> PartyInput {
    PartyInput {
        sector: Some(sector.into()),
        org_id: Some(Uuid::from_u128(org)),
        contact_name: Some("Kontakt".into()),
        contact: None,
        responsibility: Some("Samtaler hver uge".into()),
    }
}

fn plan(parties: Vec<PartyInput>) -> PlanInput {
    PlanInput {
        goals: Some("Tilbage i skole tre dage om ugen".into()),
        next_review_on: Some("2026-12-20".into()),
        parties,
    }
}

fn fields(e: FieldErrors) -> Vec<String> {
    e.0.into_iter().map(|f| f.field).collect()
}

#[test]
fn a_plan_names_municipality_and_psychiatry_each_once() {
    let today = d("2026-12-05");
    let ok = parse_plan(
        &plan(vec![
            party("municipality", 1),
            party("psychiatry", 2),
            party("school", 3),
        ]),
        today,
    )
    .unwrap();
    assert_eq!(ok.parties.len(), 3);
    assert_eq!(ok.next_review_on, d("2026-12-20"));
    let e = parse_plan(&plan(vec![party("municipality", 1)]), today).unwrap_err();
    assert_eq!(fields(e), ["parties"]);
    let e = parse_plan(
        &plan(vec![
            party("municipality", 1),
            party("psychiatry", 2),
            party("psychiatry", 4),
        ]),
        today,
    )
    .unwrap_err();
    assert_eq!(fields(e), ["parties[2].sector"]);
    let mut no_contact = party("psychiatry", 2);
    no_contact.contact_name = Some(" ".into());
    no_contact.org_id = None;
    let e = parse_plan(&plan(vec![party("municipality", 1), no_contact]), today).unwrap_err();
    assert_eq!(fields(e), ["parties[1].org_id", "parties[1].contact_name"]);
}

#[test]
fn a_plan_needs_goals_and_a_review_date_not_in_the_past() {
    let input = PlanInput {
        goals: None,
        next_review_on: Some("2026-12-04".into()),
        parties: vec![party("municipality", 1), party("psychiatry", 2)],
    };
    let e = parse_plan(&input, d("2026-12-05")).unwrap_err();
    assert_eq!(fields(e), ["goals", "next_review_on"]);
}

#[test]
fn a_task_without_owner_is_refused() {
    let e = parse_task(
        &TaskInput {
            title: Some("Indkald til skolemøde".into()),
            owner_org_id: None,
            owner_name: None,
            due_on: Some("2026-12-10".into()),
        },
        "",
    )
    .unwrap_err();
    assert_eq!(fields(e.clone()), ["owner_org_id"]);
    assert!(e.0[0].message_da.contains("ejer"));
}

#[test]
fn a_meeting_is_recorded_once_held_with_participants_and_tasks_placed() {
    let today = d("2026-12-05");
    let input = MeetingInput {
        held_on: Some("2026-12-06".into()),
        participants: vec![" ".into()],
        agenda: Some("Status".into()),
        decisions: None,
        tasks: vec![TaskInput::default()],
    };
    let e = parse_meeting(&input, today).unwrap_err();
    assert_eq!(
        fields(e),
        [
            "held_on",
            "participants",
            "decisions",
            "tasks[0].title",
            "tasks[0].owner_org_id",
            "tasks[0].due_on"
        ]
    );
    let ok = parse_meeting(
        &MeetingInput {
            held_on: Some("2026-12-05".into()),
            participants: vec!["Mor".into(), "Psykolog, BUC".into()],
            agenda: Some("Status".into()),
            decisions: Some("Skolen tilpasser skemaet".into()),
            tasks: vec![TaskInput {
                title: Some("Nyt skema".into()),
                owner_org_id: Some(Uuid::from_u128(3)),
                owner_name: None,
                due_on: Some("2026-12-15".into()),
            }],
        },
        today,
    )
    .unwrap();
    assert_eq!(ok.tasks[0].owner_org_id, Uuid::from_u128(3));
}

proptest! {
    #[test]
    fn every_sector_round_trips_and_only_two_are_required(i in 0usize..4) {
        let s = Sector::ALL[i];
        prop_assert_eq!(Sector::parse(s.as_str()), Some(s));
        prop_assert_eq!(s.required(), i < 2);
    }

    #[test]
    fn a_plan_missing_a_required_sector_is_always_refused(
        with_school in any::<bool>(), with_gp in any::<bool>(), drop_psychiatry in any::<bool>()
    ) {
        let mut parties = vec![party(if drop_psychiatry { "school" } else { "psychiatry" }, 2)];
        if with_school && !drop_psychiatry { parties.push(party("school", 3)); }
        if with_gp { parties.push(party("gp", 4)); }
        let result = parse_plan(&plan(parties), d("2026-12-05"));
        prop_assert!(result.is_err());
    }
}
