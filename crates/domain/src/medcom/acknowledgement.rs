//! Acknowledgements read back from the MedCom network: a message Bundle whose MessageHeader
//! answers an earlier MessageHeader id with ok, a transient error (send again) or a fatal one.

use serde_json::Value;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AckCode {
    Ok,
    TransientError,
    FatalError,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acknowledgement {
    /// The MessageHeader id of the message acknowledged.
    pub message_header_id: Uuid,
    pub code: AckCode,
}

/// Reads an acknowledgement Bundle; `Err` says what is missing.
pub fn parse_acknowledgement(bundle: &Value) -> Result<Acknowledgement, String> {
    if bundle["resourceType"] != "Bundle" || bundle["type"] != "message" {
        return Err("not a FHIR message Bundle".into());
    }
    let header = &bundle["entry"][0]["resource"];
    if header["resourceType"] != "MessageHeader" {
        return Err("the first entry is not a MessageHeader".into());
    }
    let response = &header["response"];
    let id = response["identifier"]
        .as_str()
        .and_then(|s| Uuid::parse_str(s.trim_start_matches("urn:uuid:")).ok())
        .ok_or("MessageHeader.response.identifier is not the id of a message")?;
    let code = match response["code"].as_str() {
        Some("ok") => AckCode::Ok,
        Some("transient-error") => AckCode::TransientError,
        Some("fatal-error") => AckCode::FatalError,
        _ => {
            return Err(
                "MessageHeader.response.code is not ok, transient-error or fatal-error".into(),
            );
        }
    };
    Ok(Acknowledgement {
        message_header_id: id,
        code,
    })
}

/// An acknowledgement of `header_id` as a receiving system would send it: used by the
/// in-Samspor inbox and by tests playing the other side.
pub fn acknowledgement_bundle(header_id: Uuid, code: AckCode) -> Value {
    let code = match code {
        AckCode::Ok => "ok",
        AckCode::TransientError => "transient-error",
        AckCode::FatalError => "fatal-error",
    };
    serde_json::json!({
        "resourceType": "Bundle",
        "id": Uuid::new_v4().to_string(),
        "type": "message",
        "entry": [{
            "resource": {
                "resourceType": "MessageHeader",
                "id": Uuid::new_v4().to_string(),
                "eventCoding": {
                    "system": "http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-messaging-eventCodes",
                    "code": "acknowledgement-message",
                },
                "response": { "identifier": header_id.to_string(), "code": code },
            },
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_back_what_it_writes() {
        let id = Uuid::new_v4();
        for code in [AckCode::Ok, AckCode::TransientError, AckCode::FatalError] {
            let ack = parse_acknowledgement(&acknowledgement_bundle(id, code)).unwrap();
            assert_eq!(
                ack,
                Acknowledgement {
                    message_header_id: id,
                    code
                }
            );
        }
    }

    #[test]
    fn refuses_what_is_not_an_acknowledgement() {
        assert!(parse_acknowledgement(&serde_json::json!({"resourceType": "Patient"})).is_err());
        let mut b = acknowledgement_bundle(Uuid::new_v4(), AckCode::Ok);
        b["entry"][0]["resource"]["response"]["code"] = "maybe".into();
        assert!(parse_acknowledgement(&b).is_err());
    }
}
