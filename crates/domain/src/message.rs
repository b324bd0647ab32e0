//! Messages between the organisations that work on one course: the owning municipality and
//! those it shares the course with on a lawful basis. A message never leaves that circle.

use crate::validation::{FieldError, FieldErrors, optional_text, required_text};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The longest message.
pub const BODY_MAX: usize = 4000;
/// The longest subject.
pub const SUBJECT_MAX: usize = 200;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct MessageInput {
    /// The organisation written to.
    pub to_org_id: Option<Uuid>,
    /// A reply names the message it answers, and takes its thread's subject.
    pub reply_to: Option<Uuid>,
    pub subject: Option<String>,
    pub body: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    pub to_org_id: Uuid,
    pub reply_to: Option<Uuid>,
    /// A new thread's subject; `None` for a reply.
    pub subject: Option<String>,
    pub body: String,
}

/// Checks a message: the recipient, the text, and a subject for a new thread.
pub fn parse_message(input: &MessageInput) -> Result<Message, FieldErrors> {
    let mut errors = FieldErrors::default();
    let subject = match input.reply_to {
        Some(_) => optional_text(
            &mut errors,
            "subject",
            input.subject.as_deref(),
            SUBJECT_MAX,
        )
        .filter(|_| false),
        None => Some(required_text(
            &mut errors,
            "subject",
            input.subject.as_deref(),
            SUBJECT_MAX,
        )),
    };
    let body = required_text(&mut errors, "body", input.body.as_deref(), BODY_MAX);
    if input.to_org_id.is_none() {
        errors.push(FieldError::new(
            "to_org_id",
            "Choose the organisation to write to.",
            "Vælg den organisation, der skrives til.",
        ));
    }
    match input.to_org_id {
        Some(to_org_id) if errors.is_empty() => Ok(Message {
            to_org_id,
            reply_to: input.reply_to,
            subject,
            body,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fields(e: FieldErrors) -> Vec<String> {
        e.0.into_iter().map(|f| f.field).collect()
    }

    #[test]
    fn a_new_thread_needs_recipient_subject_and_text() {
        assert_eq!(
            fields(parse_message(&MessageInput::default()).unwrap_err()),
            ["subject", "body", "to_org_id"]
        );
        let m = parse_message(&MessageInput {
            to_org_id: Some(Uuid::from_u128(1)),
            reply_to: None,
            subject: Some(" Status ".into()),
            body: Some("Mødet flyttes".into()),
        })
        .unwrap();
        assert_eq!(m.subject.as_deref(), Some("Status"));
    }

    #[test]
    fn a_reply_takes_the_threads_subject() {
        let m = parse_message(&MessageInput {
            to_org_id: Some(Uuid::from_u128(1)),
            reply_to: Some(Uuid::from_u128(2)),
            subject: Some("Ignored".into()),
            body: Some("Tak".into()),
        })
        .unwrap();
        assert_eq!(m.subject, None);
    }

    proptest! {
        #[test]
        fn a_body_longer_than_the_limit_is_refused(extra in 1usize..50) {
            let input = MessageInput {
                to_org_id: Some(Uuid::from_u128(1)),
                reply_to: Some(Uuid::from_u128(2)),
                subject: None,
                body: Some("a".repeat(BODY_MAX + extra)),
            };
            prop_assert_eq!(fields(parse_message(&input).unwrap_err()), vec!["body".to_string()]);
        }
    }
}
