//! What Samspor sends to people by e-mail or SMS: a link and a neutral text. An e-mail or a text
//! message can be read by anyone near the recipient's phone, so it never names a condition, a
//! questionnaire, a unit or a child: only that there is a personal link from Samspor, when it
//! expires, and that it should not be passed on.

use chrono::NaiveDate;

/// How a message reaches its recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    Email,
    Sms,
    /// Staff passed the link on themselves (copied into their own mail, printed as a letter)
    /// and marked it as sent.
    Manual,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
            Channel::Manual => "manual",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        [Channel::Email, Channel::Sms, Channel::Manual]
            .into_iter()
            .find(|c| c.as_str() == s)
    }
}

/// Why a message is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A questionnaire link to a parent, a young person or a teacher.
    QuestionnaireLink,
    /// A new member of staff's link to choose a password.
    AccountInvite,
    /// A member of staff's link to choose a new password.
    PasswordReset,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::QuestionnaireLink => "questionnaire_link",
            Purpose::AccountInvite => "account_invite",
            Purpose::PasswordReset => "password_reset",
        }
    }

    pub fn parse(s: &str) -> Option<Purpose> {
        [
            Purpose::QuestionnaireLink,
            Purpose::AccountInvite,
            Purpose::PasswordReset,
        ]
        .into_iter()
        .find(|p| p.as_str() == s)
    }
}

/// Where a message is in its delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Waiting for its first attempt, or for the next after a failure that may pass.
    Queued,
    /// Accepted by the mail server or the SMS gateway.
    Sent,
    /// Given up after every attempt failed.
    Failed,
    /// Refused for good at submission (an SMTP 5xx, a gateway's refusal of the number).
    Bounced,
    /// Passed on by staff themselves.
    MarkedSent,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Queued => "queued",
            State::Sent => "sent",
            State::Failed => "failed",
            State::Bounced => "bounced",
            State::MarkedSent => "marked_sent",
        }
    }

    pub fn parse(s: &str) -> Option<State> {
        [
            State::Queued,
            State::Sent,
            State::Failed,
            State::Bounced,
            State::MarkedSent,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }

    /// Whether the message reached (or was passed on to) its recipient.
    pub fn is_sent(self) -> bool {
        matches!(self, State::Sent | State::MarkedSent)
    }
}

/// Attempts before a message that keeps failing is given up.
pub const MAX_ATTEMPTS: i64 = 5;

/// Minutes to wait before attempt `attempts + 1`: 1, 5, 25, 125 minutes.
pub fn retry_after_minutes(attempts: i64) -> i64 {
    5_i64.pow(u32::try_from(attempts.max(1) - 1).unwrap_or(0).min(4))
}

/// The subject and text of a message: Danish first, English below, the link and its expiry.
pub fn text(purpose: Purpose, link: &str, expires_on: NaiveDate) -> (String, String) {
    let expires = expires_on.format("%d.%m.%Y");
    let (da, en) = match purpose {
        Purpose::QuestionnaireLink => (
            "Du har fået et personligt link fra Samspor. Åbn det for at svare.",
            "You have received a personal link from Samspor. Open it to answer.",
        ),
        Purpose::AccountInvite => (
            "Du er oprettet som bruger af Samspor. Åbn linket for at vælge din adgangskode.",
            "An account in Samspor has been made for you. Open the link to choose your password.",
        ),
        Purpose::PasswordReset => (
            "Åbn linket for at vælge en ny adgangskode til Samspor.",
            "Open the link to choose a new password for Samspor.",
        ),
    };
    let subject = match purpose {
        Purpose::QuestionnaireLink => "Et link fra Samspor / A link from Samspor",
        Purpose::AccountInvite | Purpose::PasswordReset => {
            "Din adgang til Samspor / Your access to Samspor"
        }
    };
    let body = format!(
        "{da}\n\n{link}\n\nLinket er personligt og gælder til og med {expires}. Send det ikke videre.\n\n\
         {en}\n\nThe link is personal and valid until {expires}. Please do not pass it on.\n"
    );
    (subject.to_string(), body)
}

/// The text of an SMS: shorter, one language per line.
pub fn sms_text(purpose: Purpose, link: &str, expires_on: NaiveDate) -> String {
    let expires = expires_on.format("%d.%m.%Y");
    let what = match purpose {
        Purpose::QuestionnaireLink => "Personligt link fra Samspor",
        Purpose::AccountInvite | Purpose::PasswordReset => "Din adgang til Samspor",
    };
    format!("{what} (gælder til {expires}): {link}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Words that would tell a reader of the recipient's inbox why the family is in contact.
    const REVEALING: &[&str] = &[
        "psyk",
        "angst",
        "depress",
        "trivsel",
        "sdq",
        "spørgeskema",
        "questionnaire",
        "behandl",
        "treatment",
        "terapi",
        "therap",
        "barn",
        "child",
        "diagnos",
        "mistrivsel",
        "distress",
    ];

    #[test]
    fn no_message_says_why_the_family_is_in_contact() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 24).unwrap();
        for purpose in [
            Purpose::QuestionnaireLink,
            Purpose::AccountInvite,
            Purpose::PasswordReset,
        ] {
            let (subject, body) = text(purpose, "https://x.example/s/abc", day);
            let sms = sms_text(purpose, "https://x.example/s/abc", day);
            for s in [&subject, &body, &sms] {
                let lower = s.to_lowercase();
                for word in REVEALING {
                    assert!(!lower.contains(word), "{purpose:?} says {word:?}: {s}");
                }
                if s != &subject {
                    assert!(s.contains("https://x.example/s/abc"));
                    assert!(s.contains("24.12.2026"));
                }
            }
        }
    }

    #[test]
    fn names_round_trip() {
        for c in [Channel::Email, Channel::Sms, Channel::Manual] {
            assert_eq!(Channel::parse(c.as_str()), Some(c));
        }
        for s in [
            State::Queued,
            State::Sent,
            State::Failed,
            State::Bounced,
            State::MarkedSent,
        ] {
            assert_eq!(State::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn retries_wait_longer_each_time() {
        let waits: Vec<_> = (1..=6).map(retry_after_minutes).collect();
        assert_eq!(waits, vec![1, 5, 25, 125, 625, 625]);
    }
}
