use super::*;
use std::collections::HashSet;

fn message() -> CareCommunication {
    CareCommunication {
        sender: Party {
            name: "København".into(),
            sor_code: "99901010001".into(),
            ean: "5790000121526".into(),
        },
        receiver: Party {
            name: "Lægehuset".into(),
            sor_code: "451000016003".into(),
            ean: "5790001234561".into(),
        },
        patient: Patient {
            cpr: "0101121234".into(),
            given_name: "Ida".into(),
            family_name: "Holm".into(),
        },
        author: Author {
            given_name: "Mette".into(),
            family_name: "Lund".into(),
            role: "Psykolog".into(),
            phone: "+4533660000".into(),
        },
        category: Category::PsychiatrySocialDisability,
        topic: "Start på STIME-forløb".into(),
        text: "Til egen læge.\n<b>& tak</b>".into(),
        written_at: "2026-12-05T10:00:00Z".parse().unwrap(),
    }
}

fn resources(b: &Value) -> Vec<&Value> {
    b["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .collect()
}

#[test]
fn every_id_is_a_fresh_uuid_v4() {
    let ids = MessageIds::fresh();
    let b = message().bundle(&ids, "https://samspor.example/fhir");
    let mut seen = HashSet::new();
    for r in resources(&b) {
        let id = Uuid::parse_str(r["id"].as_str().unwrap()).unwrap();
        assert_eq!(id.get_version_num(), 4);
        assert!(seen.insert(id), "id {id} used twice");
    }
    let c = resources(&b)[2];
    let ident = c["identifier"][0]["value"].as_str().unwrap();
    let ident = Uuid::parse_str(ident.strip_prefix("urn:uuid:").unwrap()).unwrap();
    assert_eq!(ident.get_version_num(), 4);
    assert_ne!(MessageIds::fresh(), ids);
}

#[test]
fn header_first_one_patient_and_every_reference_resolves() {
    let b = message().bundle(&MessageIds::fresh(), "https://samspor.example/fhir");
    let rs = resources(&b);
    assert_eq!(rs[0]["resourceType"], "MessageHeader");
    assert_eq!(
        rs.iter().filter(|r| r["resourceType"] == "Patient").count(),
        1
    );
    let present: HashSet<String> = rs
        .iter()
        .map(|r| {
            format!(
                "{}/{}",
                r["resourceType"].as_str().unwrap(),
                r["id"].as_str().unwrap()
            )
        })
        .collect();
    let mut refs = Vec::new();
    collect_references(&b, &mut refs);
    assert!(refs.len() >= 10);
    for r in refs {
        assert!(present.contains(&r), "{r} is not in the bundle");
    }
    for e in b["entry"].as_array().unwrap() {
        let url = e["fullUrl"].as_str().unwrap();
        let r = &e["resource"];
        assert!(url.ends_with(&format!(
            "{}/{}",
            r["resourceType"].as_str().unwrap(),
            r["id"].as_str().unwrap()
        )));
    }
}

fn collect_references(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                if k == "reference" {
                    out.push(v.as_str().unwrap().to_string());
                } else {
                    collect_references(v, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| collect_references(v, out)),
        _ => {}
    }
}

#[test]
fn the_text_is_kept_and_escaped_only_in_the_narrative() {
    let b = message().bundle(&MessageIds::fresh(), "https://samspor.example/fhir");
    let c = resources(&b)[2];
    assert_eq!(
        c["payload"][0]["contentString"],
        "Til egen læge.\n<b>& tak</b>"
    );
    let div = c["text"]["div"].as_str().unwrap();
    assert!(div.contains("&lt;b&gt;&amp; tak&lt;/b&gt;"));
    assert!(c.get("priority").is_none());
    assert_eq!(
        c["category"][0]["coding"][0]["code"],
        "psychiatry-social-disability"
    );
}
