//! `paperstand import`: JSON Lines (optionally gzip) into the store. A reader thread
//! parses and validates lines into batches while the store writes the previous batch.
//! A bad line is reported with its number and reason and never stops the import; a
//! broken file (truncated gzip, read error) stops it after everything before the break
//! has been written.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use paperstand_core::Paper;
use paperstand_core::record::parse_record;
use paperstand_store::{Store, StoreError, UpsertOutcome};
use time::Date;
use tokio::sync::mpsc;

/// Papers written per store transaction.
pub const BATCH_SIZE: usize = 1_000;
/// A byte-order mark, which Windows tools put at the start of UTF-8 files.
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
/// Longest line read whole; longer lines are rejected without being held in memory.
const MAX_LINE_BYTES: usize = 16 * 1024 * 1024;

/// One rejected line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// 1-based line number.
    pub line: u64,
    /// Why it was rejected.
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Lines read (blank lines included).
    pub lines: u64,
    /// Papers that were new.
    pub inserted: u64,
    /// Papers replaced by a newer, different record.
    pub updated: u64,
    /// Papers already stored with the same content.
    pub unchanged: u64,
    /// Records older than the stored paper, which was kept.
    pub older: u64,
    /// Lines that could not be imported.
    pub rejected: Vec<Rejection>,
    /// Why the import stopped early, if it did (everything before was imported).
    pub fatal: Option<String>,
}

impl ImportReport {
    fn count(&mut self, outcome: UpsertOutcome) {
        match outcome {
            UpsertOutcome::Inserted => self.inserted += 1,
            UpsertOutcome::Updated => self.updated += 1,
            UpsertOutcome::Unchanged => self.unchanged += 1,
            UpsertOutcome::Older => self.older += 1,
        }
    }

    /// Papers read successfully (everything not rejected).
    pub fn accepted(&self) -> u64 {
        self.inserted + self.updated + self.unchanged + self.older
    }
}

/// Counts bytes as they are read, for the progress bar.
#[derive(Debug)]
pub struct CountingReader<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R> CountingReader<R> {
    /// Wraps `inner`; `count` grows by every byte read.
    pub fn new(inner: R, count: Arc<AtomicU64>) -> Self {
        CountingReader { inner, count }
    }
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Opens raw bytes as text lines, decompressing gzip (detected by its magic bytes).
pub fn decode(mut raw: impl BufRead + Send + 'static) -> std::io::Result<Box<dyn BufRead + Send>> {
    let head = raw.fill_buf()?;
    if head.starts_with(&[0x1f, 0x8b]) {
        Ok(Box::new(BufReader::with_capacity(
            256 * 1024,
            flate2::bufread::MultiGzDecoder::new(raw),
        )))
    } else {
        Ok(Box::new(raw))
    }
}

enum Message {
    Batch(Vec<(u64, Paper)>),
    Rejected(Rejection),
    Done { lines: u64, fatal: Option<String> },
}

/// Imports every line of `reader` into `store`. `today` is the listing date of records
/// without one; `on_batch` is called with the running report after each batch.
pub async fn import_lines(
    store: &dyn Store,
    reader: Box<dyn BufRead + Send>,
    today: Date,
    on_batch: &(dyn Fn(&ImportReport) + Sync),
) -> ImportReport {
    let (tx, mut rx) = mpsc::channel(4);
    let parser = tokio::task::spawn_blocking(move || parse_lines(reader, today, &tx));
    let mut report = ImportReport::default();
    while let Some(message) = rx.recv().await {
        match message {
            Message::Batch(batch) => {
                if let Err(fatal) = write_batch(store, batch, &mut report).await {
                    report.fatal = Some(fatal);
                    break;
                }
                on_batch(&report);
            }
            Message::Rejected(rejection) => report.rejected.push(rejection),
            Message::Done { lines, fatal } => {
                report.lines = lines;
                report.fatal = fatal;
            }
        }
    }
    // Dropping the receiver stops the reader at its next batch if we stopped early.
    drop(rx);
    if let Err(e) = parser.await {
        report
            .fatal
            .get_or_insert_with(|| format!("the reader thread failed: {e}"));
    }
    report.rejected.sort_by_key(|r| r.line);
    report
}

/// Writes one batch. A conflict or a corrupt row rejects the batch's lines and the
/// import goes on; a database failure (disk full, file gone) stops the import.
async fn write_batch(
    store: &dyn Store,
    batch: Vec<(u64, Paper)>,
    report: &mut ImportReport,
) -> Result<(), String> {
    let papers: Vec<Paper> = batch.iter().map(|(_, p)| p.clone()).collect();
    match store.upsert_papers(&papers).await {
        Ok(outcomes) => {
            outcomes.into_iter().for_each(|o| report.count(o));
            Ok(())
        }
        Err(StoreError::Other(e)) => {
            let (first, last) = (
                batch.first().map_or(0, |b| b.0),
                batch.last().map_or(0, |b| b.0),
            );
            Err(format!(
                "the database failed while writing lines {first}-{last}: {e} \
                 (earlier lines were imported; fix the cause and re-import, which is safe)"
            ))
        }
        Err(e) => {
            tracing::error!(error = %e, "a batch could not be written");
            for (line, _) in batch {
                report.rejected.push(Rejection {
                    line,
                    reason: format!("could not be stored: {e}"),
                });
            }
            Ok(())
        }
    }
}

/// The reader thread: lines → validated papers, in batches with unique ids.
fn parse_lines(mut reader: Box<dyn BufRead + Send>, today: Date, tx: &mpsc::Sender<Message>) {
    let mut batch: Vec<(u64, Paper)> = Vec::with_capacity(BATCH_SIZE);
    let mut ids: HashSet<String> = HashSet::with_capacity(BATCH_SIZE);
    let mut buf = Vec::with_capacity(8 * 1024);
    let mut line_no = 0u64;
    let fatal = loop {
        let too_long = match read_line_capped(&mut reader, &mut buf, MAX_LINE_BYTES) {
            Ok(None) => break None,
            Ok(Some(too_long)) => too_long,
            Err(e) => break Some(read_error(&e, line_no)),
        };
        line_no += 1;
        if line_no == 1 && buf.starts_with(UTF8_BOM) {
            buf.drain(..UTF8_BOM.len());
        }
        let outcome = if too_long {
            Err(format!(
                "the line is longer than {} MiB",
                MAX_LINE_BYTES / (1024 * 1024)
            ))
        } else if buf.iter().all(u8::is_ascii_whitespace) {
            continue;
        } else {
            parse_record(&buf, today).map_err(|e| e.to_string())
        };
        let paper = match outcome {
            Ok(paper) => paper,
            Err(reason) => {
                if tx
                    .blocking_send(Message::Rejected(Rejection {
                        line: line_no,
                        reason,
                    }))
                    .is_err()
                {
                    return;
                }
                continue;
            }
        };
        // The same id twice in one transaction is ambiguous: write what came before first.
        if !ids.insert(paper.id.base().to_owned()) || batch.len() >= BATCH_SIZE {
            if tx
                .blocking_send(Message::Batch(std::mem::take(&mut batch)))
                .is_err()
            {
                return;
            }
            ids.clear();
            ids.insert(paper.id.base().to_owned());
        }
        batch.push((line_no, paper));
    };
    if !batch.is_empty() && tx.blocking_send(Message::Batch(batch)).is_err() {
        return;
    }
    let _ = tx.blocking_send(Message::Done {
        lines: line_no,
        fatal,
    });
}

fn read_error(error: &std::io::Error, lines_read: u64) -> String {
    if error.kind() == std::io::ErrorKind::UnexpectedEof {
        format!(
            "the file ends in the middle of its compressed data after line {lines_read}: it is truncated \
             (lines up to {lines_read} were imported; fetch the file again and re-import, which is safe)"
        )
    } else {
        format!(
            "reading failed after line {lines_read}: {error} (lines up to {lines_read} were imported)"
        )
    }
}

/// Reads one line (without its `\n` or `\r\n`) into `buf`. Returns `None` at the end,
/// `Some(true)` when the line exceeded `cap` (the excess is skipped, not stored).
fn read_line_capped(
    reader: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    cap: usize,
) -> std::io::Result<Option<bool>> {
    buf.clear();
    let mut too_long = false;
    let mut read_any = false;
    loop {
        let chunk = reader.fill_buf()?;
        if chunk.is_empty() {
            break;
        }
        read_any = true;
        let (take, found) = match memchr_newline(chunk) {
            Some(i) => (i, true),
            None => (chunk.len(), false),
        };
        if !too_long && buf.len() + take <= cap {
            buf.extend_from_slice(&chunk[..take]);
        } else {
            too_long = true;
        }
        reader.consume(take + usize::from(found));
        if found {
            break;
        }
    }
    if !read_any {
        return Ok(None);
    }
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    Ok(Some(too_long))
}

fn memchr_newline(bytes: &[u8]) -> Option<usize> {
    memchr::memchr(b'\n', bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn lines_of(text: &[u8], cap: usize) -> Vec<(Vec<u8>, bool)> {
        let mut reader = BufReader::with_capacity(4, Cursor::new(text.to_vec()));
        let mut buf = Vec::new();
        let mut out = Vec::new();
        while let Some(too_long) = read_line_capped(&mut reader, &mut buf, cap).unwrap() {
            out.push((buf.clone(), too_long));
        }
        out
    }

    #[test]
    fn reads_lines_across_small_buffers() {
        let lines = lines_of(b"abc\r\ndefghij\n\nlast", 100);
        let texts: Vec<&[u8]> = lines.iter().map(|(l, _)| l.as_slice()).collect();
        assert_eq!(texts, [&b"abc"[..], b"defghij", b"", b"last"]);
    }

    #[test]
    fn over_long_lines_are_flagged_and_skipped() {
        let lines = lines_of(b"short\n0123456789abcdef\nok\n", 8);
        assert_eq!(lines[0], (b"short".to_vec(), false));
        assert!(lines[1].1, "the long line is flagged");
        assert!(lines[1].0.len() <= 8, "and not held whole");
        assert_eq!(lines[2], (b"ok".to_vec(), false));
    }
}
