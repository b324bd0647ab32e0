//! Group commit: one writer connection, one open batch transaction, one committer task.
//!
//! Units of work take turns on the batch transaction (a fair lock, so in arrival order),
//! each under its own savepoint. The committer takes the lock between units, appends the
//! batch's audit entries to the chain in the order they were queued, commits (one fsync for
//! the whole batch) and only then tells every waiting caller. While it commits, new units
//! queue for the lock and form the next batch, so batches grow with the load.

use super::door::as_unit;
use super::{Backend, DoorTx, Work};
use crate::{Result, StoreError};
use chrono::{DateTime, Utc};
use samspor_domain::audit::AuditEvent;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex as SyncMutex};
use tokio::sync::{Mutex, Notify, watch};

type Event = (DateTime<Utc>, AuditEvent);

pub(crate) struct Writer {
    shared: Arc<Shared>,
    task: SyncMutex<Option<tokio::task::JoinHandle<()>>>,
}

struct Shared {
    backend: Arc<dyn Backend>,
    open: Mutex<Open>,
    queue: SyncMutex<Queue>,
    wake: Notify,
    stopping: AtomicBool,
    /// Batches committed since the writer started (for tests and benchmarks).
    committed: AtomicU64,
}

/// The batch transaction and what is known about its state.
#[derive(Default)]
struct Open {
    tx: Option<Box<dyn DoorTx>>,
    /// A unit's savepoint is open: its caller went away mid-unit (or panicked).
    unit_open: bool,
    /// A savepoint could not be released or rolled back: the batch cannot be trusted.
    broken: bool,
}

/// What the next commit will carry: the audit entries queued so far and the batch their
/// callers wait on.
struct Queue {
    events: Vec<Event>,
    dirty: bool,
    batch: Arc<Batch>,
}

/// One commit's outcome, for the callers waiting on it.
struct Batch {
    outcome: watch::Sender<Option<std::result::Result<(), String>>>,
}

impl Batch {
    fn new() -> Arc<Batch> {
        Arc::new(Batch {
            outcome: watch::channel(None).0,
        })
    }

    async fn wait(&self) -> Result<()> {
        let mut rx = self.outcome.subscribe();
        let outcome = rx
            .wait_for(Option::is_some)
            .await
            .map_err(|_| StoreError::CommitFailed("the writer stopped".into()))?;
        match outcome.as_ref() {
            Some(Ok(())) => Ok(()),
            Some(Err(reason)) => Err(StoreError::CommitFailed(reason.clone())),
            None => unreachable!("waited for an outcome"),
        }
    }

    fn finish(&self, outcome: std::result::Result<(), String>) {
        self.outcome.send_replace(Some(outcome));
    }
}

impl Open {
    /// Rolls back the savepoint of a unit whose caller went away in the middle of it.
    async fn recover(&mut self) {
        if !self.unit_open {
            return;
        }
        self.unit_open = false;
        if let Some(tx) = self.tx.as_mut()
            && tx.rollback_to_savepoint().await.is_err()
        {
            self.broken = true;
        }
    }
}

impl Shared {
    fn enqueue(&self, events: Vec<Event>) -> Arc<Batch> {
        let mut q = self.queue.lock().unwrap_or_else(|p| p.into_inner());
        q.events.extend(events);
        q.dirty = true;
        q.batch.clone()
    }

    fn take(&self) -> (Vec<Event>, bool, Arc<Batch>) {
        let mut q = self.queue.lock().unwrap_or_else(|p| p.into_inner());
        let dirty = std::mem::take(&mut q.dirty);
        let batch = std::mem::replace(&mut q.batch, Batch::new());
        (std::mem::take(&mut q.events), dirty, batch)
    }

    /// Commits whatever is open or queued. Returns false when there was nothing to do.
    async fn commit_once(&self) -> bool {
        let mut open = self.open.lock().await;
        open.recover().await;
        let (events, dirty, batch) = self.take();
        if !dirty && open.tx.is_none() && !open.broken {
            return false;
        }
        let tx = open.tx.take();
        let broken = std::mem::take(&mut open.broken);
        let outcome = if broken {
            if let Some(tx) = tx {
                tx.rollback().await.ok();
            }
            Err("a unit of work left the batch in an unknown state".to_string())
        } else {
            self.commit(tx, events).await.map_err(|e| e.to_string())
        };
        drop(open);
        if outcome.is_ok() {
            self.committed.fetch_add(1, Ordering::Relaxed);
        }
        if let Err(reason) = &outcome {
            tracing::error!(%reason, "audit batch not committed");
        }
        batch.finish(outcome);
        true
    }

    async fn commit(&self, tx: Option<Box<dyn DoorTx>>, events: Vec<Event>) -> Result<()> {
        let mut tx = match tx {
            Some(tx) => tx,
            None => self.backend.begin_write().await?,
        };
        tx.append_audit(self.backend.chain(), events).await?;
        tx.commit().await
    }
}

impl Writer {
    pub(crate) fn start(backend: Arc<dyn Backend>) -> Writer {
        let shared = Arc::new(Shared {
            backend,
            open: Mutex::new(Open::default()),
            queue: SyncMutex::new(Queue {
                events: Vec::new(),
                dirty: false,
                batch: Batch::new(),
            }),
            wake: Notify::new(),
            stopping: AtomicBool::new(false),
            committed: AtomicU64::new(0),
        });
        let task = tokio::spawn(commit_loop(shared.clone()));
        Writer {
            shared,
            task: SyncMutex::new(Some(task)),
        }
    }

    pub(crate) fn batches_committed(&self) -> u64 {
        self.shared.committed.load(Ordering::Relaxed)
    }

    /// Queues a read's audit entries and waits until they are durable.
    pub(crate) async fn record(&self, events: Vec<Event>) -> Result<()> {
        if events.is_empty() {
            return Ok(());
        }
        let batch = self.shared.enqueue(events);
        self.shared.wake.notify_one();
        batch.wait().await
    }

    pub(crate) async fn run<R, E: From<StoreError>>(
        &self,
        f: impl AsyncFnOnce(&mut Work<'_>) -> std::result::Result<R, E>,
    ) -> std::result::Result<R, E> {
        let sh = &self.shared;
        as_unit(async {}).await?;
        let mut open = sh.open.lock().await;
        open.recover().await;
        if open.tx.is_none() {
            open.tx = Some(sh.backend.begin_write().await?);
        }
        let Open { tx, unit_open, .. } = &mut *open;
        let tx = tx.as_mut().expect("a batch transaction was just opened");
        tx.savepoint().await?;
        *unit_open = true;
        let mut work = Work::new(tx.data());
        let out = as_unit(f(&mut work))
            .await
            .unwrap_or_else(|e| Err(e.into()));
        let (out, events) = match (out, work.into_events()) {
            (Ok(out), Ok(events)) => (Ok(out), events),
            (Ok(_), Err(e)) => (Err(e.into()), Vec::new()),
            (Err(e), _) => (Err(e), Vec::new()),
        };
        let ended = match &out {
            Ok(_) => tx.release_savepoint().await,
            Err(_) => tx.rollback_to_savepoint().await,
        };
        *unit_open = false;
        if let Err(e) = ended {
            open.broken = true;
            drop(open);
            sh.wake.notify_one();
            return Err(e.into());
        }
        let out = match out {
            Ok(out) => out,
            Err(e) => {
                drop(open);
                // Nothing of this unit is left, but the transaction it ran in should not
                // stay open (SQLite: it holds the file's write lock) longer than a batch.
                sh.wake.notify_one();
                return Err(e);
            }
        };
        let batch = sh.enqueue(events);
        drop(open);
        sh.wake.notify_one();
        batch.wait().await?;
        Ok(out)
    }

    /// Commits what is queued and stops the committer.
    pub(crate) async fn stop(&self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        self.shared.wake.notify_one();
        let task = self.task.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(task) = task {
            task.await.ok();
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        if let Some(task) = self.task.lock().unwrap_or_else(|p| p.into_inner()).take() {
            task.abort();
        }
    }
}

async fn commit_loop(shared: Arc<Shared>) {
    loop {
        shared.wake.notified().await;
        // Keep committing while there is work: units that queued during a commit form the
        // next batch at once.
        while shared.commit_once().await {}
        if shared.stopping.load(Ordering::SeqCst) {
            return;
        }
    }
}
