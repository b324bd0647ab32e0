//! The audit log's entries and their hash chain.
//!
//! Each entry stores the hash of the one before it, so changing or removing any
//! entry breaks every hash after it. The hash covers a length-prefixed encoding
//! of every field, so no two different entries can encode to the same bytes.
//!
//! There are several chains: every writer appends to its own (`chain`), so that no single
//! head row serialises the writes of several server instances. Entries are hashed in one of
//! two versions:
//! - v1 (entries written before chains existed): the hash covers every field directly.
//! - v2: the event's fields are hashed into a *payload digest*, and the chain hash covers
//!   the chain, position, time, digest and the previous hash. Retention can then erase a
//!   payload while the chain over the digests still verifies; and what a batch ends with (its
//!   last hash) is what an outside anchor signs.

use chrono::{DateTime, SubsecRound, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The hash that stands before the first entry of chain 1.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The hash that stands before the first entry of a chain. Chain 1 keeps the all-zero
/// genesis it always had; every other chain starts from its own, so entries cannot be moved
/// from the start of one chain to the start of another.
pub fn genesis(chain: i64) -> String {
    if chain == 1 {
        return GENESIS_HASH.to_string();
    }
    let mut h = Sha256::new();
    put(&mut h, "samspor-audit-genesis");
    put(&mut h, &chain.to_string());
    hex::encode(h.finalize())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    Read,
    Search,
    Create,
    Update,
    Export,
    Login,
    LoginFailed,
    Logout,
}

impl AuditAction {
    pub const ALL: [AuditAction; 8] = [
        AuditAction::Read,
        AuditAction::Search,
        AuditAction::Create,
        AuditAction::Update,
        AuditAction::Export,
        AuditAction::Login,
        AuditAction::LoginFailed,
        AuditAction::Logout,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Read => "read",
            AuditAction::Search => "search",
            AuditAction::Create => "create",
            AuditAction::Update => "update",
            AuditAction::Export => "export",
            AuditAction::Login => "login",
            AuditAction::LoginFailed => "login_failed",
            AuditAction::Logout => "logout",
        }
    }

    pub fn parse(s: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// What an entry is about, before it gets its place in the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEvent {
    pub user_id: Option<Uuid>,
    pub org_id: Option<Uuid>,
    pub action: AuditAction,
    /// The kind of object, e.g. "child", "child_list", "audit_log".
    pub object_type: String,
    pub object_id: Option<Uuid>,
    /// The child whose personal data was touched, if any: this is what a citizen's
    /// "who looked at my child" view selects on.
    pub child_id: Option<Uuid>,
    /// Why the data was used, e.g. "treatment", "administration", "audit".
    pub purpose: String,
    pub request_id: String,
    /// A short description without personal data (e.g. which fields changed).
    pub detail: String,
}

/// An entry as stored: the event, its time, its position and its hashes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// Which writer's chain the entry belongs to.
    pub chain: i64,
    /// Its position in that chain, from 1.
    pub seq: i64,
    pub at: DateTime<Utc>,
    #[serde(flatten)]
    pub event: AuditEvent,
    /// The digest of the event's fields (v2 entries); `None` for v1 entries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload_digest: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// Timestamps are stored with microsecond precision (PostgreSQL's), so they are
/// truncated before hashing to let a stored entry reproduce its own hash.
pub fn normalise_time(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(6)
}

fn put(h: &mut Sha256, field: &str) {
    h.update((field.len() as u64).to_be_bytes());
    h.update(field.as_bytes());
}

/// Every field of an event, in a fixed order.
fn put_event(h: &mut Sha256, event: &AuditEvent) {
    put(h, &opt(event.user_id));
    put(h, &opt(event.org_id));
    put(h, event.action.as_str());
    put(h, &event.object_type);
    put(h, &opt(event.object_id));
    put(h, &opt(event.child_id));
    put(h, &event.purpose);
    put(h, &event.request_id);
    put(h, &event.detail);
}

/// A time as hashed: microseconds, UTC.
fn time_field(at: DateTime<Utc>) -> String {
    normalise_time(at)
        .format("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string()
}

fn opt(id: Option<Uuid>) -> String {
    id.map(|u| u.to_string()).unwrap_or_default()
}

pub fn entry_hash(seq: i64, at: DateTime<Utc>, event: &AuditEvent, prev_hash: &str) -> String {
    let mut h = Sha256::new();
    put(&mut h, "samspor-audit-v1");
    put(&mut h, &seq.to_string());
    put(&mut h, &time_field(at));
    put_event(&mut h, event);
    put(&mut h, prev_hash);
    hex::encode(h.finalize())
}

/// The v2 digest of an event's fields: what retention may erase, leaving the digest.
pub fn payload_digest(event: &AuditEvent) -> String {
    let mut h = Sha256::new();
    put(&mut h, "samspor-audit-payload-v2");
    put_event(&mut h, event);
    hex::encode(h.finalize())
}

/// The v2 chain hash: over the position, the time and the payload digest, not the payload.
pub fn chain_hash(
    chain: i64,
    seq: i64,
    at: DateTime<Utc>,
    digest: &str,
    prev_hash: &str,
) -> String {
    let mut h = Sha256::new();
    put(&mut h, "samspor-audit-v2");
    put(&mut h, &chain.to_string());
    put(&mut h, &seq.to_string());
    put(&mut h, &time_field(at));
    put(&mut h, digest);
    put(&mut h, prev_hash);
    hex::encode(h.finalize())
}

impl AuditEntry {
    /// Places an event in `chain` after the entry with `prev_seq`/`prev_hash` (a v2 entry).
    pub fn append(
        chain: i64,
        prev_seq: i64,
        prev_hash: &str,
        at: DateTime<Utc>,
        event: AuditEvent,
    ) -> Self {
        let seq = prev_seq + 1;
        let at = normalise_time(at);
        let digest = payload_digest(&event);
        let hash = chain_hash(chain, seq, at, &digest, prev_hash);
        AuditEntry {
            chain,
            seq,
            at,
            event,
            payload_digest: Some(digest),
            prev_hash: prev_hash.to_string(),
            hash,
        }
    }

    /// Whether the stored hash is what the entry's content gives.
    fn hash_matches(&self) -> bool {
        match &self.payload_digest {
            None => entry_hash(self.seq, self.at, &self.event, &self.prev_hash) == self.hash,
            Some(digest) => {
                *digest == payload_digest(&self.event)
                    && chain_hash(self.chain, self.seq, self.at, digest, &self.prev_hash)
                        == self.hash
            }
        }
    }
}

/// Why a chain does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error("entry {seq}: its content does not match its hash (changed after it was written)")]
    Altered { seq: i64 },
    #[error(
        "entry {seq}: it does not follow entry {expected_prev} (an entry before it was removed or changed)"
    )]
    Broken { seq: i64, expected_prev: i64 },
    #[error(
        "the log ends at entry {last_seq} but entry {expected_seq} was written (entries at the end were removed)"
    )]
    Truncated { last_seq: i64, expected_seq: i64 },
    #[error("it holds {entries} entries but has no head (its head row was removed)")]
    Headless { entries: i64 },
}

/// Checks entries in order, continuing from `prev` (seq, hash) of the entry before them.
/// Returns the last (seq, hash) so long logs can be verified in pages.
pub fn verify_chain<'a>(
    prev: (i64, String),
    entries: impl IntoIterator<Item = &'a AuditEntry>,
) -> Result<(i64, String), ChainBreak> {
    let (mut seq, mut hash) = prev;
    for e in entries {
        if e.seq != seq + 1 || e.prev_hash != hash {
            return Err(ChainBreak::Broken {
                seq: e.seq,
                expected_prev: seq,
            });
        }
        if !e.hash_matches() {
            return Err(ChainBreak::Altered { seq: e.seq });
        }
        seq = e.seq;
        hash = e.hash.clone();
    }
    Ok((seq, hash))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn event(n: u8) -> AuditEvent {
        AuditEvent {
            user_id: Some(Uuid::from_u128(u128::from(n))),
            org_id: None,
            action: AuditAction::Read,
            object_type: "child".into(),
            object_id: Some(Uuid::from_u128(99)),
            child_id: Some(Uuid::from_u128(99)),
            purpose: "treatment".into(),
            request_id: format!("req-{n}"),
            detail: String::new(),
        }
    }

    fn chain(n: u8) -> Vec<AuditEntry> {
        let mut out: Vec<AuditEntry> = Vec::new();
        for i in 0..n {
            let (s, h) = out
                .last()
                .map(|e| (e.seq, e.hash.clone()))
                .unwrap_or((0, GENESIS_HASH.to_string()));
            // The first entries as v1 (written before chains), the rest as v2.
            let entry = if i < 2 {
                let seq = s + 1;
                let at = normalise_time(Utc::now());
                let e = event(i);
                AuditEntry {
                    chain: 1,
                    seq,
                    at,
                    hash: entry_hash(seq, at, &e, &h),
                    event: e,
                    payload_digest: None,
                    prev_hash: h,
                }
            } else {
                AuditEntry::append(1, s, &h, Utc::now(), event(i))
            };
            out.push(entry);
        }
        out
    }

    #[test]
    fn intact_chain_verifies() {
        let c = chain(5);
        let (seq, hash) = verify_chain((0, GENESIS_HASH.into()), &c).unwrap();
        assert_eq!(seq, 5);
        assert_eq!(hash, c[4].hash);
    }

    #[test]
    fn changed_field_is_found() {
        let mut c = chain(5);
        c[2].event.purpose = "curiosity".into();
        assert_eq!(
            verify_chain((0, GENESIS_HASH.into()), &c),
            Err(ChainBreak::Altered { seq: 3 })
        );
    }

    #[test]
    fn removed_entry_is_found() {
        let mut c = chain(5);
        c.remove(1);
        assert_eq!(
            verify_chain((0, GENESIS_HASH.into()), &c),
            Err(ChainBreak::Broken {
                seq: 3,
                expected_prev: 1
            })
        );
    }

    #[test]
    fn field_boundaries_cannot_be_shifted() {
        let mut a = event(1);
        let mut b = event(1);
        a.object_type = "ab".into();
        a.purpose = "c".into();
        b.object_type = "a".into();
        b.purpose = "bc".into();
        let t = Utc::now();
        assert_ne!(
            entry_hash(1, t, &a, GENESIS_HASH),
            entry_hash(1, t, &b, GENESIS_HASH)
        );
    }

    #[test]
    fn chains_start_from_their_own_genesis() {
        assert_eq!(genesis(1), GENESIS_HASH);
        assert_ne!(genesis(2), genesis(3));
        let e = AuditEntry::append(2, 0, &genesis(2), Utc::now(), event(1));
        assert!(verify_chain((0, genesis(2)), [&e]).is_ok());
        assert!(verify_chain((0, genesis(3)), [&e]).is_err());
    }

    #[test]
    fn a_v2_entry_moved_to_another_chain_is_found() {
        let mut e = AuditEntry::append(2, 0, &genesis(2), Utc::now(), event(1));
        e.chain = 3;
        e.prev_hash = genesis(3);
        assert_eq!(
            verify_chain((0, genesis(3)), [&e]),
            Err(ChainBreak::Altered { seq: 1 })
        );
    }

    proptest! {
        /// Changing any one entry's detail anywhere in a chain is always detected at that entry.
        #[test]
        fn any_tampering_is_detected(n in 1u8..12, pick in 0usize..12, text in "[a-z]{1,8}") {
            let mut c = chain(n);
            let i = pick % c.len();
            c[i].event.detail = text;
            prop_assert_eq!(
                verify_chain((0, GENESIS_HASH.into()), &c),
                Err(ChainBreak::Altered { seq: i as i64 + 1 })
            );
        }
    }
}
