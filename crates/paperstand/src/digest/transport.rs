//! Where digests go: `.eml` files (development, dry runs) or SMTP (production).

use std::path::{Path, PathBuf};

use async_trait::async_trait;

use super::send::{DeliveryError, Transport};

/// Writes each message to `<dir>/<Message-ID>.eml` (atomically: a temporary file, then
/// a rename). The same digest overwrites its own file, so re-running is harmless.
#[derive(Debug, Clone)]
pub struct FileTransport {
    dir: PathBuf,
}

impl FileTransport {
    /// Messages go to `dir` (created when needed).
    pub fn new(dir: &Path) -> FileTransport {
        FileTransport {
            dir: dir.to_owned(),
        }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// A file name for a message: its `Message-ID` with anything but letters, digits, `.`,
/// `-` and `@` replaced.
pub fn file_name(message: &lettre::Message) -> String {
    let id = message
        .headers()
        .get_raw("Message-ID")
        .unwrap_or("<message>")
        .trim_matches(|c| c == '<' || c == '>' || c == ' ');
    let safe: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '@') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{safe}.eml")
}

#[async_trait]
impl Transport for FileTransport {
    async fn deliver(&self, message: &lettre::Message) -> Result<(), DeliveryError> {
        let bytes = message.formatted();
        let name = file_name(message);
        let dir = self.dir.clone();
        let written = tokio::task::spawn_blocking(move || -> std::io::Result<PathBuf> {
            std::fs::create_dir_all(&dir)?;
            let path = dir.join(&name);
            let tmp = dir.join(format!(".{name}.tmp"));
            std::fs::write(&tmp, bytes)?;
            std::fs::rename(&tmp, &path)?;
            Ok(path)
        })
        .await
        .map_err(|e| DeliveryError::Transient(format!("the file writer stopped: {e}")))?;
        match written {
            Ok(path) => {
                tracing::debug!(file = %path.display(), "wrote a digest file");
                Ok(())
            }
            // A full disk or a permission problem may be fixed: try again later.
            Err(e) => Err(DeliveryError::Transient(format!(
                "cannot write to {}: {e}",
                self.dir.display()
            ))),
        }
    }
}
