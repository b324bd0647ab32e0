//! Tests across builder and checker: the IG's Josefine example rebuilt from domain records,
//! mutations the checker must catch, properties over arbitrary courses, and conformance of every
//! code, URL, fixed value and cardinality against the spec files when they are present.

use super::*;
use crate::course::careplan::CourseStatus;
use crate::course::encounter::{Delivery, EncounterType, Participants, Treatment};
use crate::course::kl::{self, ReferralDestination, Theme};
use crate::cpr::{CPR_SYSTEM, Cpr, X_ECPR_SYSTEM};
use chrono::{NaiveDate, NaiveDateTime, Utc};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use uuid::Uuid;

const BASE: &str = "https://test.fhir.dk";

// ----- spec files ---------------------------------------------------------------------------------

/// The spec folder lives beside the repository (`../shared`), never inside it; tests that need
/// it are skipped where it is absent, as in `course::kl`.
fn spec_dir() -> Option<PathBuf> {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    [
        manifest.join("../../../shared/specs/kl-ltt"),
        PathBuf::from("../shared/specs/kl-ltt"),
    ]
    .into_iter()
    .find(|d| d.join("CodeSystem-LTT.json").is_file())
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file))
        .unwrap_or_else(|e| panic!("{file} beside CodeSystem-LTT.json must be readable: {e}"))
}

/// A code system: url, and per code its display and parent.
struct CodeSystem {
    url: String,
    concepts: HashMap<String, (String, Option<String>)>,
}

fn code_system(dir: &Path, file: &str) -> CodeSystem {
    fn walk(
        concepts: &Value,
        parent: Option<&str>,
        out: &mut HashMap<String, (String, Option<String>)>,
    ) {
        for c in concepts.as_array().into_iter().flatten() {
            let code = c["code"].as_str().unwrap_or_default();
            let display = c["display"].as_str().unwrap_or_default().to_string();
            out.insert(code.to_string(), (display, parent.map(str::to_string)));
            walk(&c["concept"], Some(code), out);
        }
    }
    let json: Value = serde_json::from_str(&read(dir, file)).expect(file);
    let mut concepts = HashMap::new();
    walk(&json["concept"], None, &mut concepts);
    CodeSystem {
        url: json["url"].as_str().expect("url").to_string(),
        concepts,
    }
}

fn code_systems(dir: &Path) -> HashMap<String, CodeSystem> {
    ["CodeSystem-LTT.json", "CodeSystem-CareSocialCodes.json"]
        .into_iter()
        .map(|f| code_system(dir, f))
        .map(|cs| (cs.url.clone(), cs))
        .collect()
}

/// `Alias: $x = url` lines.
fn aliases(dir: &Path) -> HashMap<String, String> {
    read(dir, "aliases.fsh")
        .lines()
        .filter_map(|l| l.strip_prefix("Alias:"))
        .filter_map(|l| l.split_once('='))
        .map(|(a, u)| (a.trim().to_string(), u.trim().to_string()))
        .collect()
}

/// FSH text without `/* */` and `//` comments (outside strings).
fn strip_comments(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    let (mut in_string, mut in_block, mut in_line) = (false, false, false);
    while let Some(c) = chars.next() {
        if in_block {
            if c == '*' && chars.peek() == Some(&'/') {
                chars.next();
                in_block = false;
            }
            continue;
        }
        if in_line {
            if c == '\n' {
                in_line = false;
                out.push(c);
            }
            continue;
        }
        if c == '"' {
            in_string = !in_string;
        } else if c == '\n' {
            in_string = false;
        } else if !in_string && c == '/' && chars.peek() == Some(&'*') {
            chars.next();
            in_block = true;
            continue;
        } else if !in_string && c == '/' && chars.peek() == Some(&'/') {
            in_line = true;
            continue;
        }
        out.push(c);
    }
    out
}

/// `Id:` of each `Profile:`/`Extension:` in a file, by name.
fn fsh_ids(text: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let mut name = None;
    for line in text.lines() {
        if let Some(n) = line
            .strip_prefix("Profile:")
            .or_else(|| line.strip_prefix("Extension:"))
        {
            name = Some(n.trim().to_string());
        } else if let Some(id) = line.strip_prefix("Id:")
            && let Some(n) = name.take()
        {
            out.insert(n, id.trim().to_string());
        }
    }
    out
}

// ----- codes, value sets, URLs, fixed values --------------------------------------------------

#[test]
fn value_sets_match_value_sets_fsh_expanded_over_the_code_systems() {
    let Some(dir) = spec_dir() else {
        eprintln!("note: ../shared/specs/kl-ltt not found; value set check skipped");
        return;
    };
    let systems = code_systems(&dir);
    let aliases = aliases(&dir);
    let text = strip_comments(&read(&dir, "valueSets.fsh"));
    // name -> (system, code) expanded from explicit codes and descendent-of filters.
    let mut sets: BTreeMap<String, HashSet<(String, String)>> = BTreeMap::new();
    let mut current = String::new();
    for line in text.lines().map(str::trim) {
        if let Some(n) = line.strip_prefix("ValueSet:") {
            current = n.trim().to_string();
            sets.insert(current.clone(), HashSet::new());
        } else if let Some(rule) = line.strip_prefix("* include codes from system ") {
            let (alias, filter) = rule.split_once(' ').expect("filter");
            let parent = filter
                .split_once("descendent-of #")
                .expect("only descendent-of filters are used")
                .1
                .trim();
            let url = &aliases[alias];
            let cs = &systems[url];
            // Descendants at any depth, not the parent itself.
            let descends = |code: &str| {
                let mut c = code.to_string();
                while let Some((_, Some(p))) = cs.concepts.get(&c) {
                    if p == parent {
                        return true;
                    }
                    c = p.clone();
                }
                false
            };
            let members = cs
                .concepts
                .keys()
                .filter(|c| descends(c))
                .map(|c| (url.clone(), c.clone()));
            sets.get_mut(&current).unwrap().extend(members);
        } else if let Some(rule) = line.strip_prefix("* $") {
            let (alias, rest) = rule.split_once('#').expect("alias#code");
            let code = rest.split_whitespace().next().unwrap();
            let url = aliases[&format!("${alias}")].clone();
            sets.get_mut(&current)
                .unwrap()
                .insert((url, code.to_string()));
        }
    }
    assert_eq!(sets.len(), VALUE_SETS.len(), "{:?}", sets.keys());
    for vs in VALUE_SETS {
        let ours: HashSet<(String, String)> = vs
            .codes
            .iter()
            .map(|c| (c.system.to_string(), c.code.to_string()))
            .collect();
        assert_eq!(ours.len(), vs.codes.len(), "{} lists a code twice", vs.name);
        assert_eq!(Some(&ours), sets.get(vs.name), "{}", vs.name);
    }
}

#[test]
fn every_code_and_system_used_matches_the_spec_files() {
    let Some(dir) = spec_dir() else {
        eprintln!("note: ../shared/specs/kl-ltt not found; code check skipped");
        return;
    };
    let systems = code_systems(&dir);
    let aliases = aliases(&dir);
    assert_eq!(aliases["$LTT"], kl::LTT_SYSTEM);
    assert_eq!(aliases["$KLCommonCodes"], kl::CARE_SOCIAL_SYSTEM);
    assert_eq!(aliases["$v3-ActCode"], V3_ACT_CODE_SYSTEM);
    // Every code the builder or checker uses, with the display KL publishes for it.
    let mut used: Vec<kl::KlCode> = VALUE_SETS.iter().flat_map(|v| v.codes).copied().collect();
    used.extend(Theme::ALL.map(Theme::kl_code));
    used.extend(ReferralDestination::ALL.map(ReferralDestination::kl_code));
    used.extend(EncounterType::ALL.map(|t| t.kl_code()));
    used.extend([Delivery::Group, Delivery::Individual].map(Delivery::kl_code));
    used.extend([Participants::ChildPresent, Participants::CaregiversOnly].map(|p| p.kl_code()));
    for c in used {
        let display = systems[c.system]
            .concepts
            .get(c.code)
            .map(|(d, _)| d.as_str());
        assert_eq!(display, Some(c.display), "{} in {}", c.code, c.system);
    }
    // The encounter class is fixed in encounter.fsh with the display the example uses.
    let encounter = read(&dir, "encounter.fsh");
    assert!(encounter.contains(&format!(
        "* class = $v3-ActCode#{}",
        ENCOUNTER_CLASS_AMB.code
    )));
    assert!(encounter.contains(&format!(
        "$v3-ActCode#{} \"{}\"",
        ENCOUNTER_CLASS_AMB.code, ENCOUNTER_CLASS_AMB.display
    )));
    // The identifier systems appear in the citizen example.
    let citizen = read(&dir, "citizen.fsh");
    assert!(citizen.contains(&format!("identifier.system = \"{CPR_SYSTEM}\"")));
    assert!(citizen.contains(&format!("identifier.system = \"{SOR_SYSTEM}\"")));
}

#[test]
fn profile_and_extension_urls_match_the_fsh_ids() {
    let Some(dir) = spec_dir() else {
        eprintln!("note: ../shared/specs/kl-ltt not found; URL check skipped");
        return;
    };
    let url = |id: &str| format!("{LTT_CANONICAL}/StructureDefinition/{id}");
    for (file, name, ours) in [
        ("citizen.fsh", "KLGatewayLTTCitizen", CITIZEN_PROFILE),
        ("careplan.fsh", "KLGatewayLTTCarePlan", CAREPLAN_PROFILE),
        ("encounter.fsh", "KLGatewayLTTEncounter", ENCOUNTER_PROFILE),
        ("referral.fsh", "KLGatewayLTTReferral", REFERRAL_PROFILE),
        (
            "deliveryReport.fsh",
            "KLGatewayLTTDeliveryReport",
            DELIVERY_REPORT_PROFILE,
        ),
        (
            "incrementalDelivery.fsh",
            "KLGatewayLTTIncrementalDelivery",
            INCREMENTAL_DELIVERY_PROFILE,
        ),
        ("extensions.fsh", "DeliveryType", DELIVERY_TYPE_EXTENSION),
        (
            "extensions.fsh",
            "BasedOnCarePlan",
            BASED_ON_CARE_PLAN_EXTENSION,
        ),
    ] {
        let ids = fsh_ids(&read(&dir, file));
        assert_eq!(url(&ids[name]), ours, "{name} in {file}");
    }
    // The canonical itself: the Behandling invariant names the extension by its full URL.
    assert!(read(&dir, "encounter.fsh").contains(&format!("url='{DELIVERY_TYPE_EXTENSION}'")));
}

#[test]
fn fixed_values_and_invariants_the_checker_enforces_are_in_the_fsh() {
    let Some(dir) = spec_dir() else {
        eprintln!("note: ../shared/specs/kl-ltt not found; fixed value check skipped");
        return;
    };
    let has = |file: &str, text: &str| {
        assert!(read(&dir, file).contains(text), "{file} lacks {text:?}");
    };
    has("deliveryReport.fsh", "* type = #collection");
    has("incrementalDelivery.fsh", "* type = #collection");
    has("careplan.fsh", "* intent = #plan");
    has("referral.fsh", "* intent = #plan");
    has("referral.fsh", "* status = #completed");
    has(
        "careplan.fsh",
        &format!("* code = #{}", kl::CAREPLAN_ACTIVITY_LTT.code),
    );
    has(
        "careplan.fsh",
        &format!("* display = \"{}\"", kl::CAREPLAN_ACTIVITY_LTT.display),
    );
    has(
        "careplan.fsh",
        "Expression: \"status = 'completed' implies period.end.exists()\"",
    );
    has(
        "encounter.fsh",
        &format!("type.coding.code = '{}' implies", kl::ENC_BEHANDLING.code),
    );
    has("encounter.fsh", "participant.type.coding.exists()");
    has("encounter.fsh", "DeliveryType named deliveryType 0..1");
    has(
        "encounter.fsh",
        "BasedOnCarePlan named basedOnCarePlan 1..1",
    );
    has("extensions.fsh", "* value[x] only CodeableConcept");
    has(
        "extensions.fsh",
        "* value[x] only Reference(KLGatewayLTTCarePlan)",
    );
    has("citizen.fsh", "* identifier[x-ecpr] 0..0");
    has("citizen.fsh", "* identifier[d-ecpr] 0..0");
}

// ----- times ------------------------------------------------------------------------------------

fn lt(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
}

#[test]
fn danish_local_times_get_the_offset_of_their_day() {
    assert_eq!(
        fhir_date_time(lt("2025-07-07 15:28:17")),
        "2025-07-07T15:28:17+02:00"
    );
    assert_eq!(
        fhir_date_time(lt("2025-11-08 16:36:22")),
        "2025-11-08T16:36:22+01:00"
    );
    // Spring gap: the moment the clock jumped, so order is kept around it.
    assert_eq!(
        fhir_date_time(lt("2025-03-30 02:30:00")),
        "2025-03-30T03:00:00+02:00"
    );
    assert!(danish_time(lt("2025-03-30 02:59:59")) <= danish_time(lt("2025-03-30 03:00:01")));
    assert!(danish_time(lt("2025-03-30 01:59:59")) < danish_time(lt("2025-03-30 02:00:00")));
    // Autumn overlap: the first (summer-time) occurrence.
    assert_eq!(
        fhir_date_time(lt("2025-10-26 02:30:00")),
        "2025-10-26T02:30:00+02:00"
    );
    assert_eq!(
        fhir_instant("2025-07-08T03:00:00Z".parse().unwrap()),
        "2025-07-08T05:00:00+02:00"
    );
}

// ----- the IG's Josefine example ----------------------------------------------------------------

/// A UTC time from the example, as the Danish wall-clock time Samspor would have recorded.
fn local(utc: &str) -> NaiveDateTime {
    utc.parse::<DateTime<Utc>>()
        .unwrap()
        .with_timezone(&chrono_tz::Europe::Copenhagen)
        .naive_local()
}

const CHILD: Uuid = Uuid::from_u128(0x5a35_0001);
const COURSE: Uuid = Uuid::from_u128(0x5a35_0002);

fn josefine_encounter(n: u128, kind: EncounterType, at: &str) -> EncounterData {
    let treatment = (kind == EncounterType::Behandling).then_some(Treatment {
        delivery: Delivery::Individual,
        participants: Participants::ChildPresent,
    });
    EncounterData {
        id: Uuid::from_u128(0x5a35_1000 + n),
        kind,
        at: local(at),
        treatment,
        entered_in_error: false,
    }
}

/// Josefine's story as Samspor records it, cut into the nightly reports of example.md:
/// (instance name in example.fsh, report time, what changed that day).
fn josefine() -> Vec<(&'static str, DateTime<Utc>, CitizenData)> {
    use EncounterType::*;
    let course = |themes: &[Theme], encounters: Vec<EncounterData>| CourseData {
        id: COURSE,
        status: CourseStatus::Active,
        start: Moment::DateTime(local("2025-05-14T09:12:05Z")),
        end: None,
        themes: themes.to_vec(),
        encounters,
        referrals: vec![],
    };
    let both = [Theme::BodyFood, Theme::Worry];
    let mut day4 = course(
        &both,
        vec![josefine_encounter(4, Behandling, "2025-07-07T13:28:17Z")],
    );
    day4.referrals.push(ReferralData {
        id: Uuid::from_u128(0x5a35_2001),
        destination: ReferralDestination::CivilSociety,
        at: local("2025-07-07T14:28:17Z"),
        entered_in_error: false,
    });
    let mut day9 = course(
        &both,
        vec![josefine_encounter(9, Afslutning, "2025-11-08T15:36:22Z")],
    );
    day9.status = CourseStatus::Completed;
    day9.end = Some(Moment::DateTime(local("2025-11-08T15:36:22Z")));
    let days = [
        (
            "DeliveryReport-Josefine-1",
            "2025-05-14T23:45:51Z",
            course(
                &[],
                vec![josefine_encounter(1, Henvendelse, "2025-05-14T09:12:05Z")],
            ),
        ),
        (
            "DeliveryReport-Josefine-2",
            "2025-06-02T23:45:51Z",
            course(
                &[Theme::BodyFood],
                vec![josefine_encounter(2, Forsamtale, "2025-06-02T13:06:35Z")],
            ),
        ),
        (
            "DeliveryReport-Josefine-3",
            "2025-06-23T23:45:51Z",
            course(
                &[Theme::BodyFood],
                vec![josefine_encounter(3, Screening, "2025-06-23T10:35:12Z")],
            ),
        ),
        ("DeliveryReport-Josefine-4", "2025-07-07T23:45:51Z", day4),
        (
            "DeliveryReport-Josefine-5-6-7",
            "2025-08-18T23:45:51Z",
            course(
                &both,
                vec![josefine_encounter(5, Behandling, "2025-08-18T10:56:33Z")],
            ),
        ),
        (
            "DeliveryReport-Josefine-8",
            "2025-11-06T23:45:51Z",
            course(
                &both,
                vec![josefine_encounter(
                    8,
                    AfsluttendeSamtale,
                    "2025-11-06T11:00:05Z",
                )],
            ),
        ),
        ("DeliveryReport-Josefine-9", "2025-11-08T23:45:51Z", day9),
    ];
    days.into_iter()
        .map(|(name, ts, course)| {
            let citizen = CitizenData {
                child_id: CHILD,
                cpr: Cpr::parse("0505149996").unwrap(),
                sor: "451000016003".into(),
                entered_in_error: false,
                courses: vec![course],
            };
            (name, ts.parse().unwrap(), citizen)
        })
        .collect()
}

fn josefine_reports() -> Vec<(&'static str, Value)> {
    josefine()
        .into_iter()
        .map(|(name, ts, c)| (name, build_report(&c, ts, BASE).unwrap()))
        .collect()
}

/// The report with a Behandling and a referral: the richest one, used for mutations.
fn report4() -> Value {
    josefine_reports().swap_remove(3).1
}

#[test]
fn josefine_reports_pass_the_checker_alone_and_as_a_delivery() {
    let reports = josefine_reports();
    for (name, r) in &reports {
        assert_eq!(check_report(r), vec![], "{name}");
    }
    let delivery = build_delivery(
        reports.into_iter().map(|(_, r)| r).collect(),
        "2025-11-09T02:00:00Z".parse().unwrap(),
        BASE,
    )
    .unwrap();
    assert_eq!(check_delivery(&delivery), vec![]);
    assert_eq!(delivery["entry"].as_array().unwrap().len(), 7);
}

#[test]
fn josefine_keeps_her_ids_from_report_to_report() {
    let reports = josefine_reports();
    let ids = |r: &Value, i: usize| r["entry"][i]["resource"]["id"].clone();
    for (_, r) in &reports[1..] {
        assert_eq!(ids(r, 0), ids(&reports[0].1, 0), "Patient");
        assert_eq!(ids(r, 1), ids(&reports[0].1, 1), "CarePlan");
    }
    assert_eq!(
        ids(&reports[0].1, 1),
        json!(resource_id(ResourceKind::CarePlan, COURSE).to_string())
    );
}

/// A minimal reader for the instance rules example.fsh uses: enough to turn KL's example into
/// JSON at test time, so it is compared as KL wrote it rather than as someone retyped it.
mod fsh_example {
    use super::*;

    pub struct Instance {
        pub instance_of: String,
        pub rules: Vec<(String, String)>,
    }

    pub fn instances(text: &str) -> BTreeMap<String, Instance> {
        let mut out = BTreeMap::new();
        let mut current: Option<(String, Instance)> = None;
        for line in strip_comments(text).lines() {
            let line = line.trim();
            if let Some(name) = line.strip_prefix("Instance:") {
                if let Some((n, i)) = current.take() {
                    out.insert(n, i);
                }
                current = Some((
                    name.trim().to_string(),
                    Instance {
                        instance_of: String::new(),
                        rules: Vec::new(),
                    },
                ));
            } else if let (Some(of), Some((_, i))) =
                (line.strip_prefix("InstanceOf:"), current.as_mut())
            {
                i.instance_of = of.trim().to_string();
            } else if let (Some(rule), Some((_, i))) = (line.strip_prefix("* "), current.as_mut())
                && let Some((path, value)) = rule.split_once(" = ")
            {
                i.rules
                    .push((path.trim().to_string(), value.trim().to_string()));
            }
        }
        if let Some((n, i)) = current {
            out.insert(n, i);
        }
        out
    }

    pub struct Context<'a> {
        pub instances: &'a BTreeMap<String, Instance>,
        pub aliases: &'a HashMap<String, String>,
        /// Extension slice name -> URL, from encounter.fsh and extensions.fsh.
        pub slices: &'a HashMap<String, String>,
    }

    fn resource_type(profile: &str) -> &'static str {
        match profile {
            "KLGatewayLTTCitizen" => "Patient",
            "KLGatewayLTTCarePlan" | "KLGatewayLTTReferral" => "CarePlan",
            "KLGatewayLTTEncounter" => "Encounter",
            "KLGatewayLTTDeliveryReport" | "KLGatewayLTTIncrementalDelivery" => "Bundle",
            other => panic!("unknown profile {other}"),
        }
    }

    impl Context<'_> {
        fn id(&self, name: &str) -> (String, String) {
            let i = &self.instances[name];
            let id = i
                .rules
                .iter()
                .find(|(p, _)| p == "id")
                .map(|(_, v)| v.trim_matches('"').to_string())
                .unwrap_or_else(|| name.to_string());
            (resource_type(&i.instance_of).to_string(), id)
        }

        fn value(&self, path: &str, raw: &str) -> Value {
            let last = path.rsplit('.').next().unwrap();
            let last = last.split('[').next().unwrap();
            if let Some(s) = raw.strip_prefix('"') {
                json!(s.trim_end_matches('"'))
            } else if let Some(code) = raw.strip_prefix('#') {
                json!(code)
            } else if raw == "true" || raw == "false" {
                json!(raw == "true")
            } else if let Some(name) = raw
                .strip_prefix("Reference(")
                .and_then(|r| r.strip_suffix(')'))
            {
                let (rt, id) = self.id(name);
                json!({ "reference": format!("{rt}/{id}") })
            } else if let Some(coding) = raw.strip_prefix('$') {
                let (alias, rest) = coding.split_once('#').unwrap();
                let (code, display) = rest.split_once(' ').unwrap_or((rest, ""));
                let mut c = json!({
                    "system": self.aliases[&format!("${alias}")],
                    "code": code,
                });
                let display = display.trim().trim_matches('"');
                if !display.is_empty() {
                    c["display"] = json!(display);
                }
                if matches!(last, "class" | "coding") {
                    c
                } else {
                    json!({ "coding": [c] })
                }
            } else if last == "resource" {
                self.resource(raw)
            } else {
                json!(raw)
            }
        }

        pub fn resource(&self, name: &str) -> Value {
            let inst = &self.instances[name];
            let (rt, id) = self.id(name);
            let mut root = json!({ "resourceType": rt, "id": id });
            for (path, raw) in &inst.rules {
                if path == "id" {
                    continue;
                }
                let value = self.value(path, raw);
                self.assign(&mut root, path, value, rt == "Bundle");
            }
            root
        }

        fn assign(&self, root: &mut Value, path: &str, value: Value, bundle: bool) {
            let segs: Vec<&str> = path.split('.').collect();
            let mut cur = root;
            for (n, seg) in segs.iter().enumerate() {
                let (name, index) = match seg.split_once('[') {
                    Some((n, i)) => (n, Some(i.trim_end_matches(']'))),
                    None => (*seg, None),
                };
                // Patient.identifier repeats; Reference.identifier does not.
                let array = matches!(
                    name,
                    "entry"
                        | "extension"
                        | "participant"
                        | "coding"
                        | "reasonCode"
                        | "activity"
                        | "basedOn"
                ) || (name == "identifier" && n == 0)
                    || (name == "type" && !(bundle && n == 0));
                let leaf = n + 1 == segs.len();
                if !array {
                    if leaf {
                        cur[name] = value;
                        return;
                    }
                    if cur.get(name).is_none() {
                        cur[name] = json!({});
                    }
                    cur = &mut cur[name];
                    continue;
                }
                if cur.get(name).is_none() {
                    cur[name] = json!([]);
                }
                let arr = cur[name].as_array_mut().unwrap();
                let i = match index {
                    Some("+") => {
                        arr.push(json!({}));
                        arr.len() - 1
                    }
                    Some("=") | None => {
                        if arr.is_empty() {
                            arr.push(json!({}));
                        }
                        arr.len() - 1
                    }
                    Some(slice) => {
                        let url = &self.slices[slice];
                        match arr.iter().position(|e| e["url"] == json!(url)) {
                            Some(i) => i,
                            None => {
                                arr.push(json!({ "url": url }));
                                arr.len() - 1
                            }
                        }
                    }
                };
                if leaf {
                    arr[i] = value;
                    return;
                }
                cur = &mut arr[i];
            }
        }
    }
}

/// What may differ between KL's example and our report without changing its meaning: `meta`
/// (SUSHI adds it on publication, we always send it), Bundle ids (instance names there), the
/// order of extensions, and how an instant is written (UTC there, Danish offset here).
fn normalise(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.remove("meta");
            if m.get("resourceType") == Some(&json!("Bundle")) {
                m.remove("id");
            }
            if let Some(Value::Array(exts)) = m.get_mut("extension") {
                exts.sort_by_key(|e| e["url"].as_str().unwrap_or_default().to_string());
            }
            m.values_mut().for_each(normalise);
        }
        Value::Array(a) => a.iter_mut().for_each(normalise),
        Value::String(s) => {
            if s.len() > 10
                && let Ok(t) = DateTime::parse_from_rfc3339(s)
            {
                *s = t
                    .with_timezone(&Utc)
                    .format("%Y-%m-%dT%H:%M:%SZ")
                    .to_string();
            }
        }
        _ => {}
    }
}

fn replace_strings(v: &mut Value, map: &HashMap<String, String>) {
    match v {
        Value::Object(m) => m.values_mut().for_each(|x| replace_strings(x, map)),
        Value::Array(a) => a.iter_mut().for_each(|x| replace_strings(x, map)),
        Value::String(s) => {
            for (from, to) in map {
                if s.contains(from.as_str()) {
                    *s = s.replace(from.as_str(), to);
                }
            }
        }
        _ => {}
    }
}

#[test]
fn josefine_rebuilt_from_records_matches_the_ig_example() {
    let Some(dir) = spec_dir() else {
        eprintln!("note: ../shared/specs/kl-ltt not found; example comparison skipped");
        return;
    };
    let instances = fsh_example::instances(&read(&dir, "example.fsh"));
    let aliases = aliases(&dir);
    // Slice name -> extension name (encounter.fsh) -> Id (extensions.fsh) -> URL.
    let ext_ids = fsh_ids(&read(&dir, "extensions.fsh"));
    let mut slices = HashMap::new();
    for line in read(&dir, "encounter.fsh").lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if let Some(i) = words.iter().position(|w| *w == "named") {
            let url = format!(
                "{LTT_CANONICAL}/StructureDefinition/{}",
                ext_ids[words[i - 1]]
            );
            slices.insert(words[i + 1].to_string(), url);
        }
    }
    let ctx = fsh_example::Context {
        instances: &instances,
        aliases: &aliases,
        slices: &slices,
    };

    let mut ids: HashMap<String, String> = HashMap::new();
    let reports = josefine_reports();
    for (name, ours) in &reports {
        let mut theirs = ctx.resource(name);
        // KL's own example must pass the checker too; it lacks only the meta KL Gateway asks for.
        let found = check_report(&theirs);
        assert!(!has_errors(&found), "{name}: {found:#?}");
        assert!(found.iter().all(|v| v.rule == Rule::Meta), "{found:#?}");

        let (te, oe) = (
            theirs["entry"].as_array().unwrap(),
            ours["entry"].as_array().unwrap(),
        );
        assert_eq!(te.len(), oe.len(), "{name}: entries");
        for (t, o) in te.iter().zip(oe) {
            let tid = t["resource"]["id"].as_str().unwrap().to_string();
            let oid = o["resource"]["id"].as_str().unwrap().to_string();
            // The same example resource must always get the same id from us: stable ids.
            let prev = ids.insert(tid.clone(), oid.clone());
            assert!(prev.is_none_or(|p| p == oid), "{name}: {tid} changed id");
        }
        replace_strings(&mut theirs, &ids);
        let mut ours = ours.clone();
        normalise(&mut theirs);
        normalise(&mut ours);
        assert_eq!(theirs, ours, "{name}");
    }
    // Citizen, CarePlan, 7 encounters and the referral.
    assert_eq!(ids.len(), 10);
}

// ----- mutations --------------------------------------------------------------------------------

fn entry_of(report: &Value, pred: impl Fn(&Value) -> bool) -> usize {
    report["entry"]
        .as_array()
        .unwrap()
        .iter()
        .position(|e| pred(&e["resource"]))
        .expect("the report has the resource this mutation needs")
}

fn patient(r: &mut Value) -> &mut Value {
    let i = entry_of(r, |x| x["resourceType"] == "Patient");
    &mut r["entry"][i]["resource"]
}

fn course(r: &mut Value) -> &mut Value {
    let i = entry_of(r, |x| {
        x["resourceType"] == "CarePlan" && x.get("basedOn").is_none()
    });
    &mut r["entry"][i]["resource"]
}

fn referral(r: &mut Value) -> &mut Value {
    let i = entry_of(r, |x| x.get("basedOn").is_some());
    &mut r["entry"][i]["resource"]
}

fn behandling(r: &mut Value) -> &mut Value {
    let i = entry_of(r, |x| {
        x["type"][0]["coding"][0]["code"] == kl::ENC_BEHANDLING.code
    });
    &mut r["entry"][i]["resource"]
}

fn remove(v: &mut Value, key: &str) {
    v.as_object_mut().unwrap().remove(key);
}

/// Breaks a valid report in one way; returns the rule that must catch it and the path where.
fn mutate(r: &mut Value, which: usize) -> (Rule, &'static str) {
    let inv = Rule::Invariant;
    match which {
        0 => {
            remove(patient(r), "identifier");
            (Rule::Cardinality, "Patient.identifier")
        }
        1 => {
            patient(r)["name"] = json!([{ "family": "Hansen", "given": ["Josefine"] }]);
            (Rule::Forbidden, "Patient.name")
        }
        2 => {
            patient(r)["birthDate"] = json!("2014-05-05");
            (Rule::Forbidden, "Patient.birthDate")
        }
        3 => {
            patient(r)["gender"] = json!("female");
            (Rule::Forbidden, "Patient.gender")
        }
        4 => {
            patient(r)["address"] = json!([{ "city": "Holbæk" }]);
            (Rule::Forbidden, "Patient.address")
        }
        5 => {
            patient(r)["_birthDate"] = json!({ "extension": [] });
            (Rule::Forbidden, "Patient._birthDate")
        }
        6 => {
            patient(r)["identifier"][0]["system"] = json!(X_ECPR_SYSTEM);
            (Rule::Forbidden, "Patient.identifier[0].system")
        }
        7 => {
            patient(r)["identifier"][0]["value"] = json!("3213149996");
            (inv("cpr"), "Patient.identifier[0].value")
        }
        8 => {
            patient(r)["managingOrganization"]["identifier"]["value"] = json!("4510000");
            (
                inv("min-digits-sor"),
                "Patient.managingOrganization.identifier.value",
            )
        }
        9 => {
            remove(patient(r), "active");
            (Rule::Cardinality, "Patient.active")
        }
        10 => {
            remove(behandling(r), "participant");
            (
                inv("klgateway-ltt-encounter-participants-and-deliveryType"),
                "Encounter.participant",
            )
        }
        11 => {
            behandling(r)["extension"]
                .as_array_mut()
                .unwrap()
                .retain(|e| e["url"] != DELIVERY_TYPE_EXTENSION);
            (
                inv("klgateway-ltt-encounter-participants-and-deliveryType"),
                "Encounter.extension:deliveryType",
            )
        }
        12 => {
            let c = course(r);
            c["status"] = json!("completed");
            remove(&mut c["period"], "end");
            (inv("klgateway-ltt-careplan-endtime"), "CarePlan.period.end")
        }
        13 => {
            course(r)["activity"][0]["detail"]["reasonCode"][0]["coding"][0] =
                json!({ "system": kl::LTT_SYSTEM, "code": kl::ENC_SCREENING.code });
            (
                Rule::ValueSet,
                "CarePlan.activity[0].detail.reasonCode[0].coding[0]",
            )
        }
        14 => {
            referral(r)["activity"][0]["detail"]["code"]["coding"][0] =
                json!({ "system": kl::LTT_SYSTEM, "code": kl::THEME_ANDET.code });
            (Rule::ValueSet, "CarePlan.activity[0].detail.code.coding[0]")
        }
        15 => {
            behandling(r)["type"][0]["coding"][0]["code"] = json!(kl::REF_ANDET.code);
            (Rule::ValueSet, "Encounter.type[0].coding[0]")
        }
        16 => {
            behandling(r)["participant"][0]["type"][0]["coding"][0] = json!({
                "system": kl::CARE_SOCIAL_SYSTEM, "code": kl::DELIVERY_GROUP.code
            });
            (Rule::ValueSet, "Encounter.participant[0].type[0].coding[0]")
        }
        17 => {
            let e = behandling(r);
            for x in e["extension"].as_array_mut().unwrap() {
                if x["url"] == DELIVERY_TYPE_EXTENSION {
                    x["valueCodeableConcept"]["coding"][0]["code"] =
                        json!(kl::PARTICIPANT_CHILD.code);
                }
            }
            (
                Rule::ValueSet,
                "Encounter.extension[1].valueCodeableConcept.coding[0]",
            )
        }
        18 => {
            behandling(r)["subject"]["reference"] = json!(format!("Patient/{}", Uuid::nil()));
            (Rule::Reference, "Encounter.subject.reference")
        }
        19 => {
            let target = referral(r)["id"].as_str().unwrap().to_string();
            behandling(r)["extension"][0]["valueReference"]["reference"] =
                json!(format!("CarePlan/{target}"));
            (
                Rule::Reference,
                "Encounter.extension[0].valueReference.reference",
            )
        }
        20 => {
            let target = patient(r)["id"].as_str().unwrap().to_string();
            referral(r)["basedOn"][0]["reference"] = json!(format!("Patient/{target}"));
            (Rule::Reference, "CarePlan.basedOn[0].reference")
        }
        21 => {
            remove(course(r), "subject");
            (Rule::Cardinality, "CarePlan.subject")
        }
        22 => {
            remove(&mut behandling(r)["period"], "start");
            (Rule::Structure, "Encounter.period")
        }
        23 => {
            behandling(r)["period"]["start"] = json!("2025-07-07T13:28");
            (Rule::Format, "Encounter.period.start")
        }
        24 => {
            r["type"] = json!("batch");
            (Rule::FixedValue, "Bundle.type")
        }
        25 => {
            remove(r, "timestamp");
            (Rule::Cardinality, "Bundle.timestamp")
        }
        26 => {
            r["total"] = json!(4);
            (Rule::Forbidden, "Bundle.total")
        }
        27 => {
            behandling(r)["class"]["code"] = json!("IMP");
            (Rule::FixedValue, "Encounter.class.code")
        }
        28 => {
            course(r)["intent"] = json!("order");
            (Rule::FixedValue, "CarePlan.intent")
        }
        29 => {
            referral(r)["activity"][0]["detail"]["status"] = json!("in-progress");
            (Rule::FixedValue, "CarePlan.activity[0].detail.status")
        }
        30 => {
            referral(r)["period"]["end"] = json!("2025-07-08");
            (Rule::Forbidden, "CarePlan.period.end")
        }
        31 => {
            remove(course(r), "activity");
            (Rule::Cardinality, "CarePlan.activity")
        }
        32 => {
            let url = r["entry"][0]["fullUrl"].clone();
            let i = entry_of(r, |x| x.get("basedOn").is_some());
            r["entry"][i]["fullUrl"] = url;
            (Rule::Invariant("bdl-7"), "Bundle.entry[3].fullUrl")
        }
        33 => {
            behandling(r)["id"] = json!("behandling-1");
            (Rule::Format, "Encounter.id")
        }
        34 => {
            r["entry"]
                .as_array_mut()
                .unwrap()
                .push(json!({ "resource": { "resourceType": "Observation", "status": "final" } }));
            (Rule::Type, "Bundle.entry[4].resource")
        }
        35 => {
            patient(r)["foo"] = json!("bar");
            (Rule::Structure, "Patient.foo")
        }
        36 => {
            let p = behandling(r)["participant"][0].clone();
            behandling(r)["participant"].as_array_mut().unwrap().push(p);
            (Rule::Cardinality, "Encounter.participant")
        }
        37 => {
            behandling(r)["extension"]
                .as_array_mut()
                .unwrap()
                .retain(|e| e["url"] != BASED_ON_CARE_PLAN_EXTENSION);
            (Rule::Cardinality, "Encounter.extension:basedOnCarePlan")
        }
        38 => {
            let mut second = r["entry"][0].clone();
            second["fullUrl"] = json!(format!("{BASE}/Patient/{}", Uuid::nil()));
            second["resource"]["id"] = json!(Uuid::nil().to_string());
            r["entry"].as_array_mut().unwrap().push(second);
            (Rule::Cardinality, "Bundle.entry:citizen")
        }
        39 => {
            course(r)["period"]["end"] = json!("2025-05-13");
            (Rule::Invariant("per-1"), "CarePlan.period")
        }
        40 => {
            course(r)["activity"][0]["detail"]["code"]["coding"][0]["display"] = json!("LTT");
            (
                Rule::FixedValue,
                "CarePlan.activity[0].detail.code.coding[0].display",
            )
        }
        41 => {
            behandling(r)["extension"][0]["valueString"] = json!("x");
            (Rule::Type, "Encounter.extension[0].valueString")
        }
        42 => {
            r["entry"][0]["request"] = json!({ "method": "PUT", "url": "Patient" });
            (Rule::Forbidden, "Bundle.entry[0].request")
        }
        43 => {
            course(r)["activity"][0]["detail"]["reasonCode"][0]["text"] = json!("Spiser ikke");
            (
                Rule::Forbidden,
                "CarePlan.activity[0].detail.reasonCode[0].text",
            )
        }
        44 => {
            behandling(r)["subject"] = json!({ "identifier": { "value": "0505149996" } });
            (Rule::Reference, "Encounter.subject.reference")
        }
        45 => {
            behandling(r)["type"][0]["coding"]
                .as_array_mut()
                .unwrap()
                .push(json!({ "system": kl::LTT_SYSTEM, "code": kl::ENC_SCREENING.code }));
            (Rule::Cardinality, "Encounter.type[0].coding")
        }
        _ => unreachable!(),
    }
}

const MUTATIONS: usize = 46;

fn caught(found: &[Violation], rule: Rule, path: &str) -> bool {
    found
        .iter()
        .any(|v| v.is_error() && v.rule == rule && v.path == path)
}

#[test]
fn every_mutation_is_caught_where_it_happened() {
    for m in 0..MUTATIONS {
        let mut r = report4();
        let (rule, path) = mutate(&mut r, m);
        let found = check_report(&r);
        assert!(
            caught(&found, rule, path),
            "mutation {m}: expected {rule:?} at {path}, got {found:#?}"
        );
    }
}

#[test]
fn mutations_inside_a_delivery_name_their_report() {
    let mut reports: Vec<Value> = josefine_reports().into_iter().map(|(_, r)| r).collect();
    let (rule, path) = mutate(&mut reports[3], 2);
    let d = build_delivery(reports, "2025-11-09T02:00:00Z".parse().unwrap(), BASE).unwrap();
    let found = check_delivery(&d);
    assert!(found.iter().all(|v| v.report == Some(3)), "{found:#?}");
    assert!(caught(&found, rule, path));
    assert!(
        found
            .iter()
            .any(|v| v.resource.starts_with("Patient/") && v.rule == Rule::Forbidden)
    );

    let mut d = build_delivery(vec![report4()], Utc::now(), BASE).unwrap();
    d["entry"][0]["request"] = json!({ "method": "POST", "url": "Bundle" });
    d["entry"][0]["resource"]["entry"][0]["resource"]["name"] = json!([{ "family": "X" }]);
    let found = check_delivery(&d);
    assert!(found.iter().any(|v| v.report.is_none()
        && v.rule == Rule::Forbidden
        && v.path == "Bundle.entry[0].request"));
    assert!(
        found
            .iter()
            .any(|v| v.report == Some(0) && v.path == "Patient.name")
    );
}

#[test]
fn narrative_and_stray_extensions_are_warned_about_not_rejected() {
    let mut r = report4();
    patient(&mut r)["text"] = json!({ "status": "generated", "div": "<div>Josefine</div>" });
    behandling(&mut r)["extension"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "url": "http://example.org/x", "valueString": "y" }));
    let found = check_report(&r);
    assert!(!has_errors(&found), "{found:#?}");
    assert_eq!(
        found.iter().filter(|v| v.rule == Rule::NotProfiled).count(),
        2
    );
    let shown = found[0].to_string();
    assert!(shown.starts_with("warning: Patient/"), "{shown}");
}

#[test]
fn statuses_outside_the_ltt_usage_are_warnings() {
    let mut r = report4();
    behandling(&mut r)["status"] = json!("planned");
    course(&mut r)["status"] = json!("on-hold");
    let found = check_report(&r);
    assert!(!has_errors(&found), "{found:#?}");
    assert_eq!(found.len(), 2);
    behandling(&mut r)["status"] = json!("done");
    assert!(caught(
        &check_report(&r),
        Rule::ValueSet,
        "Encounter.status"
    ));
}

// ----- cardinalities straight from the profiles ------------------------------------------------

/// A cardinality rule of a profile: full element path and min/max as written.
#[derive(Debug)]
struct Card {
    path: Vec<String>,
    min: usize,
    max: Option<usize>,
}

/// Reads `* path min..max` rules of the profile at the top of a FSH file, following FSH's
/// indentation (two spaces per level continue the path of the rule above).
fn cardinalities(text: &str) -> Vec<Card> {
    let mut out = Vec::new();
    let mut stack: Vec<String> = Vec::new();
    for line in strip_comments(text).lines() {
        if line.starts_with("Instance:") || line.starts_with("Invariant:") {
            break;
        }
        let indent = line.len() - line.trim_start().len();
        let Some(rule) = line.trim_start().strip_prefix("* ") else {
            continue;
        };
        let mut words = rule.split_whitespace();
        let Some(token) = words.next() else { continue };
        if token.starts_with('^') || token == "obeys" {
            continue;
        }
        let level = indent / 2;
        stack.truncate(level);
        if stack.len() < level {
            continue;
        }
        stack.push(token.to_string());
        let rest: Vec<&str> = words.collect();
        let [card] = rest.as_slice() else { continue };
        let Some((min, max)) = card.split_once("..") else {
            continue;
        };
        let path: Vec<String> = stack
            .iter()
            .flat_map(|s| s.split('.'))
            .map(String::from)
            .collect();
        out.push(Card {
            path,
            min: min.parse().unwrap_or(0),
            max: max.parse().ok(),
        });
    }
    out
}

/// A concrete JSON name for a choice element, one the type allows.
fn choice(seg: &str) -> String {
    match seg {
        "deceased[x]" => "deceasedBoolean".into(),
        "multipleBirth[x]" => "multipleBirthInteger".into(),
        "scheduled[x]" => "scheduledPeriod".into(),
        "product[x]" => "productCodeableConcept".into(),
        s if s.ends_with("[x]") => panic!("no choice type chosen for {s}"),
        s => s.into(),
    }
}

/// Walks to the parent of `path` in a resource, descending into the first element of arrays.
/// Returns the parent and its FHIRPath-like path, or `None` if an ancestor is absent.
fn parent_of<'a>(
    root: &'a mut Value,
    root_path: &str,
    path: &[String],
) -> Option<(&'a mut Value, String)> {
    let mut cur = root;
    let mut at = root_path.to_string();
    for seg in &path[..path.len() - 1] {
        cur = cur.get_mut(seg.as_str())?;
        at = format!("{at}.{seg}");
        if cur.is_array() {
            cur = cur.get_mut(0)?;
            at = format!("{at}[0]");
        }
    }
    Some((cur, at))
}

/// Picks the resource a profile applies to out of a document.
type Pick = fn(&mut Value) -> &mut Value;

/// Each profile file, the root of its paths, where its resource is, and whether the document is
/// a delivery (wrapping Josefine's report 4, which has every kind of resource) or that report.
const PROFILE_TARGETS: [(&str, &str, Pick, bool); 6] = [
    ("citizen.fsh", "Patient", patient, false),
    ("careplan.fsh", "CarePlan", course, false),
    ("referral.fsh", "CarePlan", referral, false),
    ("encounter.fsh", "Encounter", behandling, false),
    ("deliveryReport.fsh", "Bundle", itself, false),
    ("incrementalDelivery.fsh", "Bundle", itself, true),
];

fn itself(v: &mut Value) -> &mut Value {
    v
}

fn ancestor_or_self(found: &[Violation], path: &str) -> bool {
    found.iter().any(|v| {
        v.is_error()
            && (v.path == path
                || path.starts_with(&format!("{}.", v.path))
                || path.starts_with(&format!("{}[", v.path)))
    })
}

#[test]
fn every_cardinality_in_the_profiles_is_enforced() {
    let Some(dir) = spec_dir() else {
        eprintln!("note: ../shared/specs/kl-ltt not found; cardinality check skipped");
        return;
    };
    let mut checked = 0;
    for (file, root_path, get, delivery) in PROFILE_TARGETS {
        for card in cardinalities(&read(&dir, file)) {
            // Slices other than choice types are checked by their own rules and mutations.
            if card
                .path
                .iter()
                .any(|s| s.contains('[') && !s.ends_with("[x]"))
            {
                continue;
            }
            let path: Vec<String> = card.path.iter().map(|s| choice(s)).collect();
            let leaf = path.last().unwrap().clone();
            let run = |edit: &dyn Fn(&mut Value, String) -> Option<String>| {
                let mut doc = if delivery {
                    build_delivery(
                        vec![report4()],
                        "2025-11-09T02:00:00Z".parse().unwrap(),
                        BASE,
                    )
                    .unwrap()
                } else {
                    report4()
                };
                let (parent, at) = parent_of(get(&mut doc), root_path, &path)
                    .unwrap_or_else(|| panic!("{file}: no parent for {path:?} in the fixture"));
                let expected = edit(parent, at)?;
                let found = if delivery {
                    check_delivery(&doc)
                } else {
                    check_report(&doc)
                };
                Some((expected, found))
            };
            if card.max == Some(0) {
                let (at, found) = run(&|p, at| {
                    p[leaf.as_str()] = json!("x");
                    Some(format!("{at}.{leaf}"))
                })
                .unwrap();
                assert!(
                    caught(&found, Rule::Forbidden, &at),
                    "{file}: {at} 0..0 not caught: {found:#?}"
                );
                checked += 1;
            }
            if card.min >= 1 {
                let (at, found) = run(&|p, at| {
                    p.as_object_mut()?.remove(leaf.as_str())?;
                    Some(format!("{at}.{leaf}"))
                })
                .unwrap_or_else(|| panic!("{file}: {path:?} required but absent in fixture"));
                assert!(
                    ancestor_or_self(&found, &at),
                    "{file}: missing {at} not caught: {found:#?}"
                );
                checked += 1;
            }
            if card.max == Some(1)
                && let Some((at, found)) = run(&|p, at| {
                    let arr = p.get_mut(leaf.as_str())?.as_array_mut()?;
                    arr.push(arr[0].clone());
                    Some(format!("{at}.{leaf}"))
                })
            {
                assert!(
                    caught(&found, Rule::Cardinality, &at),
                    "{file}: second {at} not caught: {found:#?}"
                );
                checked += 1;
            }
        }
    }
    // Guard against the reader silently finding nothing.
    assert!(checked > 80, "only {checked} cardinality rules checked");
}

// ----- properties -------------------------------------------------------------------------------

fn arb_local() -> impl Strategy<Value = NaiveDateTime> {
    // Five years of minutes, so DST changes come up, with seconds.
    (0i64..5 * 366 * 24 * 60, 0i64..60).prop_map(|(m, s)| {
        lt("2024-01-01 00:00:00") + chrono::Duration::minutes(m) + chrono::Duration::seconds(s)
    })
}

fn arb_cpr() -> impl Strategy<Value = Cpr> {
    (0i64..6500, 4u32..10, 0u32..1000).prop_map(|(d, century, serial)| {
        let born = NaiveDate::from_ymd_opt(2007, 1, 1).unwrap() + chrono::Duration::days(d);
        Cpr::parse(&format!("{}{century}{serial:03}", born.format("%d%m%y"))).unwrap()
    })
}

fn arb_encounter() -> impl Strategy<Value = EncounterData> {
    (
        any::<u128>(),
        0usize..6,
        arb_local(),
        any::<bool>(),
        any::<bool>(),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(id, k, at, group, child, eie)| {
            let kind = EncounterType::ALL[k];
            let treatment = (kind == EncounterType::Behandling).then_some(Treatment {
                delivery: if group {
                    Delivery::Group
                } else {
                    Delivery::Individual
                },
                participants: if child {
                    Participants::ChildPresent
                } else {
                    Participants::CaregiversOnly
                },
            });
            EncounterData {
                id: Uuid::from_u128(id),
                kind,
                at,
                treatment,
                entered_in_error: eie,
            }
        })
}

fn arb_referral() -> impl Strategy<Value = ReferralData> {
    (
        any::<u128>(),
        0usize..6,
        arb_local(),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(id, d, at, eie)| ReferralData {
            id: Uuid::from_u128(id),
            destination: ReferralDestination::ALL[d],
            at,
            entered_in_error: eie,
        })
}

fn arb_course() -> impl Strategy<Value = CourseData> {
    (
        any::<u128>(),
        0usize..3,
        arb_local(),
        any::<bool>(),
        any::<bool>(),
        0i64..400 * 24 * 60,
        any::<bool>(),
        prop::collection::vec(0usize..8, 0..5),
        prop::collection::vec(arb_encounter(), 0..6),
        prop::collection::vec(arb_referral(), 0..3),
    )
        .prop_map(
            |(id, s, start, dated, ended, len, end_dated, themes, encounters, referrals)| {
                let status = CourseStatus::ALL[s];
                let moment = |t: NaiveDateTime, date: bool| {
                    if date {
                        Moment::Date(t.date())
                    } else {
                        Moment::DateTime(t)
                    }
                };
                let end = (ended || status == CourseStatus::Completed)
                    .then(|| moment(start + chrono::Duration::minutes(len), end_dated));
                CourseData {
                    id: Uuid::from_u128(id),
                    status,
                    start: moment(start, dated),
                    end,
                    themes: themes.into_iter().map(|t| Theme::ALL[t]).collect(),
                    encounters,
                    referrals,
                }
            },
        )
}

fn arb_citizen() -> impl Strategy<Value = CitizenData> {
    (
        any::<u128>(),
        arb_cpr(),
        "[1-9][0-9]{10,15}",
        prop::bool::weighted(0.05),
        prop::collection::vec(arb_course(), 0..3),
    )
        .prop_map(|(id, cpr, sor, eie, courses)| CitizenData {
            child_id: Uuid::from_u128(id),
            cpr,
            sor,
            entered_in_error: eie,
            courses,
        })
}

fn arb_timestamp() -> impl Strategy<Value = DateTime<Utc>> {
    (1_700_000_000i64..1_900_000_000).prop_map(|s| DateTime::from_timestamp(s, 0).unwrap())
}

proptest! {
    #[test]
    fn built_reports_always_pass_the_checker(c in arb_citizen(), ts in arb_timestamp()) {
        let r = build_report(&c, ts, "https://samspor.example.dk/fhir/").unwrap();
        prop_assert_eq!(check_report(&r), vec![]);
        let entries = r["entry"].as_array().unwrap().len();
        let expected = 1 + c.courses.iter()
            .map(|k| 1 + k.encounters.len() + k.referrals.len())
            .sum::<usize>();
        prop_assert_eq!(entries, expected);
    }

    #[test]
    fn built_deliveries_always_pass_the_checker(
        cs in prop::collection::vec(arb_citizen(), 0..4),
        ts in arb_timestamp(),
    ) {
        let reports = cs.iter().map(|c| build_report(c, ts, BASE).unwrap()).collect();
        let d = build_delivery(reports, ts, BASE).unwrap();
        prop_assert_eq!(check_delivery(&d), vec![]);
    }

    #[test]
    fn ids_do_not_depend_on_when_or_what_else_is_reported(
        c in arb_citizen(), a in arb_timestamp(), b in arb_timestamp()
    ) {
        let ra = build_report(&c, a, BASE).unwrap();
        let mut fewer = c.clone();
        for k in &mut fewer.courses {
            k.encounters.truncate(1);
            k.referrals.clear();
        }
        let rb = build_report(&fewer, b, BASE).unwrap();
        let ids = |r: &Value| -> HashSet<String> {
            r["entry"].as_array().unwrap().iter()
                .map(|e| e["fullUrl"].as_str().unwrap().to_string()).collect()
        };
        prop_assert!(ids(&rb).is_subset(&ids(&ra)));
    }

    #[test]
    fn every_mutation_of_an_arbitrary_valid_report_is_caught(
        c in arb_citizen(), m in 0..MUTATIONS, ts in arb_timestamp()
    ) {
        // Give the citizen what every mutation needs: a course with themes, a Behandling and a
        // referral, placed first so entry positions match the mutation table.
        let mut c = c;
        c.entered_in_error = false;
        let mut k = josefine().swap_remove(3).2.courses.remove(0);
        k.id = Uuid::from_u128(c.child_id.as_u128() ^ 1);
        k.encounters[0].id = Uuid::from_u128(c.child_id.as_u128() ^ 2);
        k.referrals[0].id = Uuid::from_u128(c.child_id.as_u128() ^ 3);
        c.courses.insert(0, k);
        let mut r = build_report(&c, ts, BASE).unwrap();
        prop_assert_eq!(check_report(&r), vec![]);
        let (rule, path) = mutate(&mut r, m);
        let found = check_report(&r);
        // Positions of later entries shift with the arbitrary courses; the rule must still fire.
        prop_assert!(
            found.iter().any(|v| v.is_error() && v.rule == rule),
            "mutation {} ({:?} at {}) not caught: {:#?}", m, rule, path, found
        );
    }
}

#[test]
fn reports_made_within_one_second_have_different_ids() {
    let child = Uuid::from_u128(7);
    let t = chrono::DateTime::parse_from_rfc3339("2026-11-29T23:00:00.100Z")
        .unwrap()
        .with_timezone(&Utc);
    let later = t + chrono::TimeDelta::milliseconds(500);
    assert_ne!(report_id(child, t), report_id(child, later));
    assert_eq!(
        report_id(child, t),
        report_id(child, t),
        "the same report, the same id"
    );
}
