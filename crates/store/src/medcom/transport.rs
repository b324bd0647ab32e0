//! How a MedCom message reaches a receiver outside Samspor. A transport hands Bundles to the
//! MedCom network and reads its acknowledgements back; the one shipped drops files where a
//! VANS/MedCom gateway picks them up (docs/MEDCOM.md describes the folders and names).

use async_trait::async_trait;
use samspor_domain::medcom::{Acknowledgement, parse_acknowledgement};
use std::path::{Path, PathBuf};
use uuid::Uuid;

/// One acknowledgement file as read: the acknowledgement, or why it could not be read.
#[derive(Debug)]
pub struct Received {
    pub name: String,
    pub ack: Result<Acknowledgement, String>,
}

#[async_trait]
pub trait Transport: Send + Sync {
    /// Hands one message Bundle (FHIR JSON) to the network. `Err` says what went wrong,
    /// without personal data, and the message is tried again later.
    async fn send(&self, header_id: Uuid, bundle: &str) -> Result<(), String>;
    /// The acknowledgements that have arrived since the last call; each is taken once.
    async fn acknowledgements(&self) -> Result<Vec<Received>, String>;
}

/// Writes each Bundle to `out/<MessageHeader id>.json` and reads acknowledgement Bundles from
/// `in/*.json`, moving each read file to `in/processed/` (or `in/rejected/` when unreadable).
pub struct FileDrop {
    dir: PathBuf,
}

impl FileDrop {
    /// Creates the folders when missing.
    pub fn new(dir: impl Into<PathBuf>) -> std::io::Result<FileDrop> {
        let dir = dir.into();
        for sub in ["out", "in/processed", "in/rejected"] {
            std::fs::create_dir_all(dir.join(sub))?;
        }
        Ok(FileDrop { dir })
    }

    pub fn outgoing(&self) -> PathBuf {
        self.dir.join("out")
    }

    pub fn incoming(&self) -> PathBuf {
        self.dir.join("in")
    }
}

fn io(what: &str, e: std::io::Error) -> String {
    format!("file drop: {what}: {}", e.kind())
}

async fn move_to(file: &Path, folder: &Path) -> Result<(), String> {
    let name = file.file_name().ok_or("file drop: a file without a name")?;
    tokio::fs::rename(file, folder.join(name))
        .await
        .map_err(|e| io("moving an acknowledgement", e))
}

#[async_trait]
impl Transport for FileDrop {
    async fn send(&self, header_id: Uuid, bundle: &str) -> Result<(), String> {
        // Written beside and renamed, so the gateway never picks up half a file.
        let part = self.outgoing().join(format!(".{header_id}.json.part"));
        let done = self.outgoing().join(format!("{header_id}.json"));
        tokio::fs::write(&part, bundle)
            .await
            .map_err(|e| io("writing a message", e))?;
        tokio::fs::rename(&part, &done)
            .await
            .map_err(|e| io("placing a message", e))
    }

    async fn acknowledgements(&self) -> Result<Vec<Received>, String> {
        let incoming = self.incoming();
        let mut dir = tokio::fs::read_dir(&incoming)
            .await
            .map_err(|e| io("reading the in folder", e))?;
        let mut files = Vec::new();
        while let Some(entry) = dir
            .next_entry()
            .await
            .map_err(|e| io("reading the in folder", e))?
        {
            let path = entry.path();
            if path.extension().is_some_and(|x| x == "json") && path.is_file() {
                files.push(path);
            }
        }
        files.sort();
        let mut out = Vec::new();
        for file in files {
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let ack = match tokio::fs::read(&file).await {
                Ok(bytes) => serde_json::from_slice(&bytes)
                    .map_err(|e| format!("not JSON: {e}"))
                    .and_then(|v| parse_acknowledgement(&v)),
                Err(e) => Err(io("reading an acknowledgement", e)),
            };
            let folder = if ack.is_ok() { "processed" } else { "rejected" };
            move_to(&file, &incoming.join(folder)).await?;
            out.push(Received { name, ack });
        }
        Ok(out)
    }
}
