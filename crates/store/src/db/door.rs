//! The unit of work a caller gets inside the door, and the door's two entrances.

use super::Store;
use crate::service::ServiceResult;
use crate::{StoreError, Tx};
use chrono::{DateTime, Utc};
use samspor_domain::access::{Action, Actor, Resource, authorize};
use samspor_domain::audit::AuditEvent;
use samspor_domain::lawful_basis::DataCategory;
use samspor_domain::lawful_basis::access_log::access_note;
use std::ops::{Deref, DerefMut};

/// One caller's unit of work: the data methods of its transaction (through `Deref`), and the
/// audit entries it records, which the door appends to the chain in the same commit as the
/// unit's changes.
pub struct Work<'t> {
    tx: &'t mut dyn Tx,
    events: Vec<(DateTime<Utc>, AuditEvent)>,
    /// Whether the unit asked the access policy; see `into_events`.
    asked: bool,
    /// The lawful basis another organisation's data was read on, and the categories read, for
    /// the access log.
    basis: Option<String>,
    categories: Vec<DataCategory>,
}

impl<'t> Work<'t> {
    pub(crate) fn new(tx: &'t mut dyn Tx) -> Self {
        Work {
            tx,
            events: Vec::new(),
            asked: false,
            basis: None,
            categories: Vec::new(),
        }
    }

    /// Asks the access policy whether `actor` may do `action` to `resource`: `NotFound` and
    /// `Forbidden` as the policy decides. A unit that records a person's access to a child's
    /// data must have asked (the door refuses to commit it otherwise).
    pub fn authorize(
        &mut self,
        actor: &Actor,
        action: Action,
        resource: Resource<'_>,
    ) -> ServiceResult<()> {
        self.asked = true;
        let decision = authorize(actor, action, resource);
        // What the next audit entries of this child name: the basis of another organisation's
        // read, with the categories read on it. The most recent child allowed decides, so that a
        // unit going through several children never lends one child's basis to another; a
        // refused category (left out of a shared page) changes nothing.
        if let Resource::Child {
            owner_org,
            category,
            grant,
            ..
        } = resource
            && decision.is_allowed()
        {
            let basis = grant
                .filter(|_| owner_org != actor.org_id)
                .and_then(|g| g.basis(category))
                .map(|b| b.log_text());
            if basis != self.basis {
                self.categories.clear();
            }
            if basis.is_some() && !self.categories.contains(&category) {
                self.categories.push(category);
            }
            self.basis = basis;
        }
        crate::service::check(decision)
    }

    /// Records that personal data was read or changed, at `at`. The entry is written with the
    /// unit's changes, or not at all.
    pub fn audit(&mut self, at: DateTime<Utc>, mut event: AuditEvent) {
        if let (Some(basis), Some(_)) = (&self.basis, event.child_id) {
            let note = access_note(&self.categories, basis);
            event.detail = if event.detail.is_empty() {
                note
            } else {
                format!("{} {note}", event.detail)
            };
        }
        self.events.push((at, event));
    }

    /// The unit's audit entries, once it is done. A person's access to a child's data that was
    /// recorded without asking the access policy is a defect, and the unit fails instead of
    /// committing: the door is where every access is checked, not only where it is logged.
    pub(crate) fn into_events(self) -> Result<Vec<(DateTime<Utc>, AuditEvent)>, StoreError> {
        let personal = self
            .events
            .iter()
            .any(|(_, e)| e.user_id.is_some() && e.child_id.is_some());
        if personal && !self.asked {
            return Err(StoreError::PolicyNotAsked);
        }
        Ok(self.events)
    }
}

impl<'t> Deref for Work<'t> {
    type Target = dyn Tx + 't;
    fn deref(&self) -> &Self::Target {
        self.tx
    }
}

impl<'t> DerefMut for Work<'t> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        self.tx
    }
}

tokio::task_local! {
    /// Set while a unit of work runs, so that a unit which tries to open another (which would
    /// wait for itself on the writer) fails at once instead.
    static IN_UNIT: ();
}

/// Runs a unit's future marked as one, refusing a unit inside a unit.
pub(crate) async fn as_unit<T>(f: impl Future<Output = T>) -> Result<T, StoreError> {
    if IN_UNIT.try_with(|_| ()).is_ok() {
        return Err(StoreError::NestedUnit);
    }
    Ok(IN_UNIT.scope((), f).await)
}

impl Store {
    /// Runs `f` on a reader connection, then waits until the audit entries it recorded are
    /// durable. If they cannot be written, the read fails and its result is dropped.
    pub async fn read<R, E: From<StoreError>>(
        &self,
        f: impl AsyncFnOnce(&mut Work<'_>) -> Result<R, E>,
    ) -> Result<R, E> {
        let mut tx = self.backend.begin_read().await?;
        let mut work = Work::new(tx.data());
        let out = as_unit(f(&mut work)).await?;
        let (out, events) = match (out, work.into_events()) {
            (Ok(out), Ok(events)) => (Ok(out), events),
            (Ok(_), Err(e)) => (Err(e.into()), Vec::new()),
            (Err(e), _) => (Err(e), Vec::new()),
        };
        let out = match out {
            Ok(out) => out,
            Err(e) => {
                tx.rollback().await.ok();
                return Err(e);
            }
        };
        tx.commit().await?;
        self.writer.record(events).await?;
        Ok(out)
    }

    /// A reader connection for lookups of one statement each, outside any transaction: who
    /// holds an API token. A lookup reads no child's data and records no audit entry, which is
    /// why it may skip the unit of work's transaction and its wait for the writer; `Lookup`
    /// offers nothing else.
    pub async fn lookup(&self) -> Result<Box<dyn crate::Lookup>, StoreError> {
        self.backend.lookup().await
    }

    /// Runs `f` on the writer, inside the batch being gathered and under its own savepoint,
    /// and answers once the batch with `f`'s changes and audit entries is committed. If `f`
    /// fails, only its own changes are rolled back.
    pub async fn write<R, E: From<StoreError>>(
        &self,
        f: impl AsyncFnOnce(&mut Work<'_>) -> Result<R, E>,
    ) -> Result<R, E> {
        self.writer.run(f).await
    }
}
