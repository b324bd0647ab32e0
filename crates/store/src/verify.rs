//! Walking the audit chain from its first entry to the recorded head.

use crate::{AuditFilter, Result, Store, VerifyReport};
use samspor_domain::audit::{ChainBreak, GENESIS_HASH, verify_chain};

const PAGE: i64 = 5_000;

pub(crate) async fn verify(store: &(impl Store + ?Sized)) -> Result<VerifyReport> {
    let mut tx = store.begin().await?;
    let mut prev = (0_i64, GENESIS_HASH.to_string());
    loop {
        let page = tx
            .audit_entries(&AuditFilter {
                after_seq: Some(prev.0),
                limit: PAGE,
                ..Default::default()
            })
            .await?;
        if page.is_empty() {
            break;
        }
        // A gap right after `prev` shows up as the first entry not following it.
        match verify_chain(prev.clone(), &page) {
            Ok(next) => prev = next,
            Err(e) => {
                return Ok(VerifyReport {
                    entries: prev.0,
                    result: Err(e),
                });
            }
        }
    }
    let (head_seq, head_hash) = tx.audit_head().await?;
    let result = if head_seq != prev.0 {
        Err(ChainBreak::Truncated {
            last_seq: prev.0,
            expected_seq: head_seq,
        })
    } else if head_hash != prev.1 {
        Err(ChainBreak::Altered { seq: head_seq })
    } else {
        Ok(())
    };
    Ok(VerifyReport {
        entries: prev.0,
        result,
    })
}
