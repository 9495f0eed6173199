//! OAI-PMH parse throughput on the 1.1 MB arXivRaw fixture (503 real records), parsed
//! repeatedly. Run in release mode:
//!
//! ```sh
//! cargo run --release -p paperstand-core --example oai_bench [ROUNDS]
//! ```

use std::path::PathBuf;
use std::time::Instant;

use paperstand_core::oai::{MetadataFormat, parse_list_records};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rounds: u32 = match std::env::args().nth(1) {
        Some(n) => n.parse()?,
        None => 200,
    };
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/arxiv_oaipmh_gen_listrecords_arXivRaw_all.xml");
    let xml = std::fs::read(&path)?;
    let warm_up = parse_list_records(&xml, MetadataFormat::ArxivRaw)?;
    let per_round = warm_up.records.len();

    let start = Instant::now();
    let mut records = 0usize;
    for _ in 0..rounds {
        let page = parse_list_records(std::hint::black_box(&xml), MetadataFormat::ArxivRaw)?;
        records += page.records.len();
    }
    let seconds = start.elapsed().as_secs_f64();
    let megabytes = (xml.len() as f64 * f64::from(rounds)) / 1e6;
    println!(
        "{rounds} × {:.2} MB ({per_round} records): {seconds:.3} s, {:.0} MB/s, {:.0} records/s",
        xml.len() as f64 / 1e6,
        megabytes / seconds,
        records as f64 / seconds,
    );
    Ok(())
}
