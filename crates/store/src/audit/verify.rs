//! Walking every audit chain from its first entry to its recorded head.

use crate::{AuditTx, BrokenChain, Result, VerifyReport};
use samspor_domain::audit::{ChainBreak, genesis, verify_chain};

const PAGE: i64 = 5_000;

pub(crate) async fn verify(tx: &mut (impl AuditTx + ?Sized)) -> Result<VerifyReport> {
    let chains = tx.audit_chains().await?;
    // Entries of a chain whose head row is gone would otherwise never be walked.
    for (chain, count) in tx.audit_log_chains().await? {
        if !chains.iter().any(|(id, _, _)| *id == chain) {
            return Ok(VerifyReport {
                entries: 0,
                chains: chains.len() as i64,
                result: Err(BrokenChain {
                    chain,
                    fault: ChainBreak::Headless { entries: count },
                }),
            });
        }
    }
    let mut entries = 0;
    for (chain, head_seq, head_hash) in &chains {
        let mut prev = (0_i64, genesis(*chain));
        loop {
            let page = tx.audit_chain_page(*chain, prev.0, PAGE).await?;
            if page.is_empty() {
                break;
            }
            // A gap right after `prev` shows up as the first entry not following it.
            match verify_chain(prev.clone(), &page) {
                Ok(next) => prev = next,
                Err(e) => {
                    return Ok(VerifyReport {
                        entries: entries + prev.0,
                        chains: chains.len() as i64,
                        result: Err(BrokenChain {
                            chain: *chain,
                            fault: e,
                        }),
                    });
                }
            }
        }
        entries += prev.0;
        let broken = if *head_seq != prev.0 {
            Some(ChainBreak::Truncated {
                last_seq: prev.0,
                expected_seq: *head_seq,
            })
        } else if *head_hash != prev.1 {
            Some(ChainBreak::Altered { seq: *head_seq })
        } else {
            None
        };
        if let Some(e) = broken {
            return Ok(VerifyReport {
                entries,
                chains: chains.len() as i64,
                result: Err(BrokenChain {
                    chain: *chain,
                    fault: e,
                }),
            });
        }
    }
    Ok(VerifyReport {
        entries,
        chains: chains.len() as i64,
        result: Ok(()),
    })
}
