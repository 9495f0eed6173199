//! OAI-PMH parse throughput, two ways. Run in release mode:
//!
//! ```sh
//! cargo run --release -p paperstand-core --example oai_bench [ROUNDS] [STREAM_RECORDS]
//! ```
//!
//! 1. The 1.1 MB arXivRaw fixture (503 real records) parsed `ROUNDS` times (default 200).
//! 2. A generated stream of `STREAM_RECORDS` records (default 500,000; 0 skips it) cut
//!    into pages of 2,500 records, arXiv's production page size. The stream is made by
//!    resampling the fixture's real records: each copy gets a fresh new-style id
//!    (`2601.00001`, …; header identifier and metadata `<id>` alike) and the words of
//!    its abstract shuffled, so no two records are the same. Each page is generated,
//!    then parsed; only the parse is timed.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use paperstand_core::oai::{MetadataFormat, parse_list_records};

/// arXiv's production page size.
const PER_PAGE: usize = 2_500;
/// Paper numbers used per month in generated ids (`2601.00001` … `2601.90000`).
const PER_MONTH: usize = 90_000;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let rounds: u32 = match args.next() {
        Some(n) => n.parse()?,
        None => 200,
    };
    let stream_records: usize = match args.next() {
        Some(n) => n.parse()?,
        None => 500_000,
    };
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/arxiv_oaipmh_gen_listrecords_arXivRaw_all.xml");
    let xml = std::fs::read_to_string(&path)?;
    repeated_fixture(xml.as_bytes(), rounds)?;
    if stream_records > 0 {
        generated_stream(&xml, stream_records)?;
    }
    Ok(())
}

/// The fixture, parsed `rounds` times.
fn repeated_fixture(xml: &[u8], rounds: u32) -> Result<(), Box<dyn std::error::Error>> {
    let warm_up = parse_list_records(xml, MetadataFormat::ArxivRaw)?;
    let per_round = warm_up.records.len();

    let start = Instant::now();
    let mut records = 0usize;
    for _ in 0..rounds {
        let page = parse_list_records(std::hint::black_box(xml), MetadataFormat::ArxivRaw)?;
        records += page.records.len();
    }
    let seconds = start.elapsed().as_secs_f64();
    let megabytes = (xml.len() as f64 * f64::from(rounds)) / 1e6;
    println!(
        "fixture: {rounds} × {:.2} MB ({per_round} real records): {seconds:.3} s, {:.0} MB/s, {:.0} records/s",
        xml.len() as f64 / 1e6,
        megabytes / seconds,
        records as f64 / seconds,
    );
    Ok(())
}

/// The generated stream: pages built one at a time, each parsed and checked.
fn generated_stream(fixture: &str, total: usize) -> Result<(), Box<dyn std::error::Error>> {
    let templates = templates(fixture)?;
    let mut rng = SplitMix64(0x5eed_0a1b_e4c0);
    let mut parse_time = Duration::ZERO;
    let mut generate_time = Duration::ZERO;
    let (mut bytes, mut parsed, mut rejected, mut pages) = (0usize, 0usize, 0usize, 0usize);
    let mut page = String::new();
    let mut start = 0;
    while start < total {
        let end = (start + PER_PAGE).min(total);
        let generating = Instant::now();
        write_page(&mut page, &templates, &mut rng, start, end, total);
        generate_time += generating.elapsed();

        let parsing = Instant::now();
        let result = parse_list_records(
            std::hint::black_box(page.as_bytes()),
            MetadataFormat::ArxivRaw,
        )?;
        parse_time += parsing.elapsed();

        let expected_token = (end < total).then(|| token(end));
        if result.resumption_token != expected_token {
            return Err(format!(
                "page {pages}: token {:?}, expected {expected_token:?}",
                result.resumption_token
            )
            .into());
        }
        if let Some(first) = result.records.first() {
            let want = new_id(start);
            if first.paper.id.to_string() != want {
                return Err(
                    format!("page {pages}: first id {}, expected {want}", first.paper.id).into(),
                );
            }
        }
        bytes += page.len();
        parsed += result.records.len();
        rejected += result.rejected.len();
        pages += 1;
        start = end;
    }
    let seconds = parse_time.as_secs_f64();
    println!(
        "generated stream (resampled from the fixture's {} real records: fresh ids 2601.00001…, abstract words shuffled): \
         {total} records in {pages} pages of ≤ {PER_PAGE}, {:.1} MB",
        templates.len(),
        bytes as f64 / 1e6,
    );
    println!(
        "  parse: {seconds:.3} s, {:.0} MB/s, {:.0} records/s ({parsed} parsed, {rejected} rejected; generating took {:.3} s, not counted)",
        bytes as f64 / 1e6 / seconds,
        parsed as f64 / seconds,
        generate_time.as_secs_f64(),
    );
    if parsed != total {
        return Err(format!("parsed {parsed} records of {total}").into());
    }
    Ok(())
}

/// One source record cut around the parts that change per copy.
struct Template<'a> {
    /// Up to the id in `<identifier>oai:arXiv.org:ID</identifier>`.
    head: &'a str,
    /// Between the header id and the id in `<id>ID</id>`.
    middle: &'a str,
    /// From after `<id>ID` to the start of the abstract text (or to the end).
    before_abstract: &'a str,
    /// The abstract's words and the whitespace after each (words are shuffled, the
    /// whitespace stays in place, so line breaks survive).
    words: Vec<&'a str>,
    gaps: Vec<&'a str>,
    /// Leading whitespace of the abstract.
    lead: &'a str,
    /// From `</abstract>` on.
    tail: &'a str,
}

fn templates(fixture: &str) -> Result<Vec<Template<'_>>, String> {
    let body_start =
        fixture.find("<ListRecords>").ok_or("no <ListRecords>")? + "<ListRecords>".len();
    let body_end = fixture.find("</ListRecords>").ok_or("no </ListRecords>")?;
    let body = &fixture[body_start..body_end];
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(open) = rest.find("<record>") {
        let close =
            rest[open..].find("</record>").ok_or("unclosed <record>")? + open + "</record>".len();
        out.push(template(&rest[open..close])?);
        rest = &rest[close..];
    }
    Ok(out)
}

fn template(record: &str) -> Result<Template<'_>, String> {
    const HEADER_ID: &str = "<identifier>oai:arXiv.org:";
    const META_ID: &str = "<id>";
    let h0 = record.find(HEADER_ID).ok_or("no header identifier")? + HEADER_ID.len();
    let h1 = h0 + record[h0..].find('<').ok_or("unclosed identifier")?;
    let m0 = h1 + record[h1..].find(META_ID).ok_or("no metadata <id>")? + META_ID.len();
    let m1 = m0 + record[m0..].find('<').ok_or("unclosed <id>")?;
    let (a0, a1) = match record[m1..].find("<abstract>") {
        Some(i) => {
            let a0 = m1 + i + "<abstract>".len();
            let a1 = a0
                + record[a0..]
                    .find("</abstract>")
                    .ok_or("unclosed <abstract>")?;
            (a0, a1)
        }
        None => (record.len(), record.len()),
    };
    let text = &record[a0..a1];
    let trimmed = text.trim_start();
    let lead = &text[..text.len() - trimmed.len()];
    let (mut words, mut gaps) = (Vec::new(), Vec::new());
    let mut rest = trimmed;
    while !rest.is_empty() {
        let word_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let after = &rest[word_end..];
        let gap_len = after.len() - after.trim_start().len();
        words.push(&rest[..word_end]);
        gaps.push(&after[..gap_len]);
        rest = &after[gap_len..];
    }
    Ok(Template {
        head: &record[..h0],
        middle: &record[h1..m0],
        before_abstract: &record[m1..a0],
        words,
        gaps,
        lead,
        tail: &record[a1..],
    })
}

/// The id of the `n`th generated record (0-based): `2601.00001`, … 90,000 a month.
fn new_id(n: usize) -> String {
    let month = n / PER_MONTH;
    format!(
        "{:02}{:02}.{:05}",
        26 + month / 12,
        1 + month % 12,
        n % PER_MONTH + 1
    )
}

/// arXiv's form of a resumption token: already percent-encoded.
fn token(skip: usize) -> String {
    format!("verb%3DListRecords%26metadataPrefix%3DarXivRaw%26skip%3D{skip}")
}

/// Writes the page holding records `start..end` of `total` into `out`.
fn write_page(
    out: &mut String,
    templates: &[Template<'_>],
    rng: &mut SplitMix64,
    start: usize,
    end: usize,
    total: usize,
) {
    use std::fmt::Write;
    out.clear();
    out.push_str(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<OAI-PMH xmlns=\"http://www.openarchives.org/OAI/2.0/\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xsi:schemaLocation=\"http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd\">\n\
         <responseDate>2026-11-27T10:34:05Z</responseDate>\n\
         <request verb=\"ListRecords\" metadataPrefix=\"arXivRaw\">http://localhost/oai</request>\n<ListRecords>\n",
    );
    let mut order: Vec<usize> = Vec::new();
    for n in start..end {
        let t = &templates[rng.below(templates.len())];
        let id = new_id(n);
        out.push_str(t.head);
        out.push_str(&id);
        out.push_str(t.middle);
        out.push_str(&id);
        out.push_str(t.before_abstract);
        out.push_str(t.lead);
        order.clear();
        order.extend(0..t.words.len());
        for i in (1..order.len()).rev() {
            order.swap(i, rng.below(i + 1));
        }
        for (slot, &w) in order.iter().enumerate() {
            out.push_str(t.words[w]);
            out.push_str(t.gaps[slot]);
        }
        out.push_str(t.tail);
        out.push('\n');
    }
    if end < total {
        let _ = writeln!(
            out,
            "<resumptionToken expirationDate='2026-11-28T00:00:00Z' completeListSize='{total}' cursor='{start}'>{}</resumptionToken>",
            token(end)
        );
    } else {
        out.push_str("<resumptionToken/>\n");
    }
    out.push_str("</ListRecords>\n</OAI-PMH>\n");
}

/// A small, fast, deterministic generator (SplitMix64): the benchmark needs no crate.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform-enough in `0..n` for a benchmark (n is small).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}
