//! One CareCommunication message as the FHIR R4 message Bundle MedCom's profiles describe:
//! MessageHeader first, exactly one Patient, the Communication with one text payload signed by
//! its author, the sending and receiving organisations and the Provenance of this revision.
//! Every id and identifier is a fresh UUID v4, never one of Samspor's own record ids.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

const MEDCOM_SD: &str = "http://medcomfhir.dk/ig/carecommunication/StructureDefinition";
const MEDCOM_CORE_SD: &str = "http://medcomfhir.dk/ig/core/StructureDefinition";
const MESSAGING_SD: &str = "http://medcomfhir.dk/ig/messaging/StructureDefinition";
const TERMINOLOGY: &str = "http://medcomfhir.dk/ig/terminology/CodeSystem";
/// The message definition, with the minor version of the 5.x standard Samspor sends.
pub const MESSAGE_DEFINITION: &str = "http://medcomfhir.dk/ig/messagedefinitions/MessageDefinition/MedComCareCommunicationMessageDefinition|5.0";
const SOR_ENDPOINT: &str = "https://sor2.sum.dsdn.dk/#id=";
const CPR_SYSTEM: &str = "urn:oid:1.2.208.176.1.2";
const SOR_SYSTEM: &str = "urn:oid:1.2.208.176.1.1";
const EAN_SYSTEM: &str = "urn:oid:1.3.88";

/// The two categories Samspor's messages are about (DOMAIN.md §5.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// Information about a course in the psychiatric and social area.
    PsychiatrySocialDisability,
    /// About a referral.
    RegardingReferral,
}

impl Category {
    pub const ALL: [Category; 2] = [
        Category::PsychiatrySocialDisability,
        Category::RegardingReferral,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Category::PsychiatrySocialDisability => "psychiatry-social-disability",
            Category::RegardingReferral => "regarding-referral",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.code() == s)
    }
}

/// A sending or receiving organisation, as MedCom routes to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    pub name: String,
    pub sor_code: String,
    pub ean: String,
}

/// Who wrote the text: signed with name, role and the organisation's telephone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Author {
    pub given_name: String,
    pub family_name: String,
    pub role: String,
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Patient {
    pub cpr: String,
    pub given_name: String,
    pub family_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CareCommunication {
    pub sender: Party,
    pub receiver: Party,
    pub patient: Patient,
    pub author: Author,
    pub category: Category,
    /// The subject ("emne") shown beside the category.
    pub topic: String,
    pub text: String,
    pub written_at: DateTime<Utc>,
}

/// The ids one message is made of; kept with it so that an acknowledgement finds it again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageIds {
    pub bundle: Uuid,
    pub header: Uuid,
    pub communication: Uuid,
    /// `Communication.identifier`: a reply keeps it, a new message gets a new one.
    pub communication_identifier: Uuid,
    pub payload_identifier: Uuid,
    pub patient: Uuid,
    pub sender: Uuid,
    pub receiver: Uuid,
    pub practitioner: Uuid,
    pub practitioner_role: Uuid,
    pub provenance: Uuid,
}

impl MessageIds {
    pub fn fresh() -> MessageIds {
        let v4 = Uuid::new_v4;
        MessageIds {
            bundle: v4(),
            header: v4(),
            communication: v4(),
            communication_identifier: v4(),
            payload_identifier: v4(),
            patient: v4(),
            sender: v4(),
            receiver: v4(),
            practitioner: v4(),
            practitioner_role: v4(),
            provenance: v4(),
        }
    }
}

fn reference(kind: &str, id: Uuid) -> Value {
    json!({ "reference": format!("{kind}/{id}") })
}

fn entry(base: &str, resource: Value) -> Value {
    let url = format!(
        "{base}/{}/{}",
        resource["resourceType"].as_str().unwrap_or_default(),
        resource["id"].as_str().unwrap_or_default()
    );
    json!({ "fullUrl": url, "resource": resource })
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The narrative a MedCom receiver shows: every value the profile marks for it.
fn narrative(lines: &[(&str, &str)]) -> Value {
    let body: String = lines
        .iter()
        .map(|(label, value)| format!("<p><b>{}</b>: {}</p>", escape(label), escape(value)))
        .collect();
    json!({
        "status": "generated",
        "div": format!("<div xmlns=\"http://www.w3.org/1999/xhtml\">{body}</div>"),
    })
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn organisation(id: Uuid, party: &Party) -> Value {
    json!({
        "resourceType": "Organization",
        "id": id.to_string(),
        "meta": { "profile": [format!("{MESSAGING_SD}/medcom-messaging-organization")] },
        "identifier": [
            { "system": SOR_SYSTEM, "value": party.sor_code },
            { "system": EAN_SYSTEM, "value": party.ean },
        ],
        "name": party.name,
    })
}

impl CareCommunication {
    /// The message as a FHIR message Bundle. `base` is where the entries' full URLs live.
    pub fn bundle(&self, ids: &MessageIds, base: &str) -> Value {
        let written = time(self.written_at);
        let header = json!({
            "resourceType": "MessageHeader",
            "id": ids.header.to_string(),
            "meta": { "profile": [format!("{MEDCOM_SD}/medcom-careCommunication-messageHeader")] },
            "text": narrative(&[("Meddelelse", &ids.communication.to_string())]),
            "eventCoding": {
                "system": format!("{TERMINOLOGY}/medcom-messaging-eventCodes"),
                "code": "care-communication-message",
            },
            "destination": [{
                "extension": [{
                    "url": format!("{MESSAGING_SD}/medcom-messaging-destinationUseExtension"),
                    "valueCoding": {
                        "system": format!("{TERMINOLOGY}/medcom-messaging-destinationUse"),
                        "code": "primary",
                    },
                }],
                "endpoint": format!("{SOR_ENDPOINT}{}", self.receiver.sor_code),
                "receiver": reference("Organization", ids.receiver),
            }],
            "sender": reference("Organization", ids.sender),
            "source": { "endpoint": format!("{SOR_ENDPOINT}{}", self.sender.sor_code) },
            "focus": [reference("Communication", ids.communication)],
            "definition": MESSAGE_DEFINITION,
        });
        let patient_name = format!("{} {}", self.patient.given_name, self.patient.family_name);
        let patient = json!({
            "resourceType": "Patient",
            "id": ids.patient.to_string(),
            "meta": { "profile": [format!("{MEDCOM_CORE_SD}/medcom-core-patient")] },
            "text": narrative(&[("Patient", &patient_name)]),
            "identifier": [{ "system": CPR_SYSTEM, "value": self.patient.cpr }],
            "name": [{
                "use": "official",
                "family": self.patient.family_name,
                "given": [self.patient.given_name],
            }],
        });
        let author_name = format!("{} {}", self.author.given_name, self.author.family_name);
        let communication = json!({
            "resourceType": "Communication",
            "id": ids.communication.to_string(),
            "meta": { "profile": [format!("{MEDCOM_SD}/medcom-careCommunication-communication")] },
            "text": narrative(&[
                ("Id", &ids.communication.to_string()),
                ("Status", "unknown"),
                ("Kategori", self.category.code()),
                ("Patient", &patient_name),
                ("Emne", &self.topic),
                ("Tidspunkt", &written),
                ("Afsender", &format!("{author_name}, {}", self.author.role)),
                ("Telefon", &self.author.phone),
                ("Tekst", &self.text),
            ]),
            "identifier": [{ "value": format!("urn:uuid:{}", ids.communication_identifier) }],
            "status": "unknown",
            "category": [{
                "coding": [{
                    "system": format!("{TERMINOLOGY}/medcom-careCommunication-categoryCodes"),
                    "code": self.category.code(),
                }],
            }],
            "subject": reference("Patient", ids.patient),
            "topic": { "text": self.topic },
            "payload": [{
                "extension": [
                    {
                        "url": format!("{MEDCOM_CORE_SD}/medcom-core-datetime-extension"),
                        "valueDateTime": written,
                    },
                    {
                        "url": format!("{MEDCOM_CORE_SD}/medcom-core-identifier-extension"),
                        "valueIdentifier": {
                            "value": format!("urn:uuid:{}", ids.payload_identifier),
                            "assigner": reference("Organization", ids.sender),
                        },
                    },
                    {
                        "url": format!("{MEDCOM_CORE_SD}/medcom-core-practitioner-extension"),
                        "valueReference": reference("PractitionerRole", ids.practitioner_role),
                    },
                    {
                        "url": format!("{MEDCOM_CORE_SD}/medcom-core-contact-extension"),
                        "valueContactPoint": { "system": "phone", "value": self.author.phone },
                    },
                ],
                "contentString": self.text,
            }],
        });
        let practitioner = json!({
            "resourceType": "Practitioner",
            "id": ids.practitioner.to_string(),
            "meta": { "profile": [format!("{MEDCOM_CORE_SD}/medcom-core-practitioner")] },
            "name": [{ "family": self.author.family_name, "given": [self.author.given_name] }],
        });
        let role = json!({
            "resourceType": "PractitionerRole",
            "id": ids.practitioner_role.to_string(),
            "meta": { "profile": [format!("{MEDCOM_CORE_SD}/medcom-core-practitionerrole")] },
            "practitioner": reference("Practitioner", ids.practitioner),
            "organization": reference("Organization", ids.sender),
            "code": [{ "text": self.author.role }],
        });
        let provenance = json!({
            "resourceType": "Provenance",
            "id": ids.provenance.to_string(),
            "meta": { "profile": [format!("{MEDCOM_SD}/medcom-careCommunication-provenance")] },
            "target": [reference("MessageHeader", ids.header)],
            "occurredDateTime": written,
            "recorded": written,
            "activity": {
                "coding": [{
                    "system": format!("{TERMINOLOGY}/medcom-messaging-activityCodes"),
                    "code": "new-message",
                }],
            },
            "agent": [{ "who": reference("Organization", ids.sender) }],
            "entity": [{
                "role": "source",
                "what": { "identifier": { "value": format!("urn:uuid:{}", ids.payload_identifier) } },
            }],
        });
        json!({
            "resourceType": "Bundle",
            "id": ids.bundle.to_string(),
            "meta": { "profile": [format!("{MEDCOM_SD}/medcom-careCommunication-message")] },
            "type": "message",
            "timestamp": written,
            "entry": [
                entry(base, header),
                entry(base, patient),
                entry(base, communication),
                entry(base, role),
                entry(base, practitioner),
                entry(base, organisation(ids.sender, &self.sender)),
                entry(base, organisation(ids.receiver, &self.receiver)),
                entry(base, provenance),
            ],
        })
    }
}

#[cfg(test)]
mod tests;
