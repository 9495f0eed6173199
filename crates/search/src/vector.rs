//! The vector index: every paper's sentence embedding, searched exactly.
//!
//! Method: an exact scan of int8-quantised vectors (one scale per vector), then the best
//! candidates re-scored with the full f32 vectors. At 75k papers × 384 dimensions the
//! scan reads 29 MB and takes about a millisecond a core, so an approximate graph
//! (HNSW) would add build time, memory and a recall loss for no visible gain; the
//! numbers are in docs/benchmarks.md. The index is saved to one file in the data
//! directory (written whole to a temporary file, then renamed) with the embeddings
//! sequence it has caught up to, and follows the store's embeddings from there.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;
use std::str::FromStr;

use paperstand_core::ArxivId;

/// Candidates re-scored with full vectors, per result asked for.
const RESCORE_FACTOR: usize = 8;
/// Fewest candidates re-scored, however few results are asked for.
const MIN_RESCORED: usize = 100;
/// First bytes of a saved index; the number is the file format's version.
const MAGIC: &[u8; 8] = b"PSVECv1\n";

/// Why a saved index could not be read.
#[derive(Debug, thiserror::Error)]
pub enum VectorError {
    /// Reading or writing the file failed.
    #[error("vector index file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What failed.
        source: std::io::Error,
    },
    /// The file is not a vector index or is damaged.
    #[error("vector index file {path} is damaged: {reason}")]
    Corrupt {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
}

/// A scored paper: larger is closer (cosine similarity of unit vectors).
#[derive(Debug, Clone, PartialEq)]
pub struct Neighbour {
    /// The paper.
    pub id: ArxivId,
    /// Cosine similarity.
    pub score: f32,
}

/// Vectors of one model, in memory.
#[derive(Debug, Clone)]
pub struct VectorIndex {
    model: String,
    dim: usize,
    ids: Vec<ArxivId>,
    rows: HashMap<ArxivId, usize>,
    full: Vec<f32>,
    quantised: Vec<i8>,
    scales: Vec<f32>,
    caught_up: i64,
}

impl VectorIndex {
    /// An empty index for vectors of `dim` dimensions made by `model`.
    pub fn new(model: &str, dim: usize) -> VectorIndex {
        VectorIndex {
            model: model.to_owned(),
            dim,
            ids: Vec::new(),
            rows: HashMap::new(),
            full: Vec::new(),
            quantised: Vec::new(),
            scales: Vec::new(),
            caught_up: 0,
        }
    }

    /// The model whose vectors these are.
    pub fn model(&self) -> &str {
        &self.model
    }

    /// Dimensions of every vector.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// How many papers have a vector.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when no paper has a vector.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The embeddings sequence number this index has absorbed.
    pub fn caught_up(&self) -> i64 {
        self.caught_up
    }

    /// Records that everything up to `seq` is in.
    pub fn set_caught_up(&mut self, seq: i64) {
        self.caught_up = self.caught_up.max(seq);
    }

    /// Adds or replaces a paper's vector. A vector of the wrong length is ignored and
    /// reported as `false`.
    pub fn upsert(&mut self, id: &ArxivId, vector: &[f32]) -> bool {
        if vector.len() != self.dim {
            return false;
        }
        let (quantised, scale) = quantise(vector);
        match self.rows.get(id) {
            Some(&row) => {
                self.full[row * self.dim..(row + 1) * self.dim].copy_from_slice(vector);
                self.quantised[row * self.dim..(row + 1) * self.dim].copy_from_slice(&quantised);
                self.scales[row] = scale;
            }
            None => {
                self.rows.insert(id.clone(), self.ids.len());
                self.ids.push(id.clone());
                self.full.extend_from_slice(vector);
                self.quantised.extend_from_slice(&quantised);
                self.scales.push(scale);
            }
        }
        true
    }

    /// A paper's vector.
    pub fn vector(&self, id: &ArxivId) -> Option<&[f32]> {
        let row = *self.rows.get(id)?;
        Some(&self.full[row * self.dim..(row + 1) * self.dim])
    }

    /// The `k` papers closest to `query` (a unit vector), closest first, skipping those
    /// `skip` refuses. Scans the int8 vectors, then re-scores the best candidates exactly.
    pub fn search(
        &self,
        query: &[f32],
        k: usize,
        skip: &dyn Fn(&ArxivId) -> bool,
    ) -> Vec<Neighbour> {
        if query.len() != self.dim || k == 0 || self.is_empty() {
            return Vec::new();
        }
        let (q, q_scale) = quantise(query);
        let pool = (k * RESCORE_FACTOR).max(MIN_RESCORED);
        let mut candidates = TopK::new(pool);
        for (row, doc) in self.quantised.chunks_exact(self.dim).enumerate() {
            let approx = dot_i8(&q, doc) as f32 / (q_scale * self.scales[row]);
            if candidates.would_take(approx) && !skip(&self.ids[row]) {
                candidates.push(approx, row);
            }
        }
        let mut exact = TopK::new(k);
        for (_, row) in candidates.into_sorted() {
            exact.push(dot_f32(query, self.row(row)), row);
        }
        self.neighbours(exact)
    }

    /// The exact `k` nearest by a full f32 scan: the reference the fast search is
    /// measured against.
    pub fn exact_search(&self, query: &[f32], k: usize) -> Vec<Neighbour> {
        if query.len() != self.dim || k == 0 {
            return Vec::new();
        }
        let mut top = TopK::new(k);
        for row in 0..self.ids.len() {
            top.push(dot_f32(query, self.row(row)), row);
        }
        self.neighbours(top)
    }

    /// The `k` papers most like `id` (itself left out); empty when it has no vector.
    pub fn similar(&self, id: &ArxivId, k: usize) -> Vec<Neighbour> {
        let Some(vector) = self.vector(id) else {
            return Vec::new();
        };
        self.search(vector, k, &|other| other == id)
    }

    fn row(&self, row: usize) -> &[f32] {
        &self.full[row * self.dim..(row + 1) * self.dim]
    }

    fn neighbours(&self, top: TopK) -> Vec<Neighbour> {
        top.into_sorted()
            .into_iter()
            .map(|(score, row)| Neighbour {
                id: self.ids[row].clone(),
                score,
            })
            .collect()
    }

    /// Writes the index to `path` whole: a temporary file beside it, synced, then renamed,
    /// so a crash leaves the old file or the new one, never half of one.
    pub fn save(&self, path: &Path) -> Result<(), VectorError> {
        let io = |source| VectorError::Io {
            path: path.display().to_string(),
            source,
        };
        let tmp = path.with_extension("tmp");
        let file = File::create(&tmp).map_err(io)?;
        let mut out = BufWriter::new(file);
        let write = |out: &mut BufWriter<File>| -> std::io::Result<()> {
            out.write_all(MAGIC)?;
            write_u64(out, self.dim as u64)?;
            write_bytes(out, self.model.as_bytes())?;
            out.write_all(&self.caught_up.to_le_bytes())?;
            write_u64(out, self.ids.len() as u64)?;
            for (row, id) in self.ids.iter().enumerate() {
                write_bytes(out, id.base().as_bytes())?;
                for value in self.row(row) {
                    out.write_all(&value.to_le_bytes())?;
                }
            }
            out.write_all(MAGIC)?;
            out.flush()?;
            out.get_ref().sync_all()
        };
        write(&mut out).map_err(io)?;
        drop(out);
        std::fs::rename(&tmp, path).map_err(io)
    }

    /// Reads an index saved by [`VectorIndex::save`]. `Ok(None)` when there is no file or
    /// it holds another model's vectors (the caller starts afresh and catches up).
    pub fn load(path: &Path, model: &str, dim: usize) -> Result<Option<VectorIndex>, VectorError> {
        let file = match File::open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(VectorError::Io {
                    path: path.display().to_string(),
                    source,
                });
            }
        };
        let corrupt = |reason: String| VectorError::Corrupt {
            path: path.display().to_string(),
            reason,
        };
        let mut input = BufReader::new(file);
        let mut magic = [0u8; 8];
        read_exact(&mut input, &mut magic).map_err(&corrupt)?;
        if &magic != MAGIC {
            return Err(corrupt("not a Paperstand vector index".to_owned()));
        }
        let stored_dim = read_u64(&mut input).map_err(&corrupt)?;
        let stored_model = read_bytes(&mut input, 1 << 10).map_err(&corrupt)?;
        if stored_dim != dim as u64 || stored_model != model.as_bytes() {
            return Ok(None);
        }
        let mut seq = [0u8; 8];
        read_exact(&mut input, &mut seq).map_err(&corrupt)?;
        let count = read_u64(&mut input).map_err(&corrupt)?;
        let mut index = VectorIndex::new(model, dim);
        index.caught_up = i64::from_le_bytes(seq);
        let mut vector = vec![0f32; dim];
        let mut bytes = vec![0u8; dim * 4];
        for _ in 0..count {
            let id = read_bytes(&mut input, 64).map_err(&corrupt)?;
            let id = std::str::from_utf8(&id)
                .ok()
                .and_then(|text| ArxivId::from_str(text).ok())
                .ok_or_else(|| corrupt("an entry has no valid arXiv id".to_owned()))?;
            read_exact(&mut input, &mut bytes).map_err(&corrupt)?;
            for (value, chunk) in vector.iter_mut().zip(bytes.chunks_exact(4)) {
                *value = f32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
            }
            index.upsert(&id, &vector);
        }
        read_exact(&mut input, &mut magic).map_err(&corrupt)?;
        if &magic != MAGIC {
            return Err(corrupt(
                "the file ends early or has trailing data".to_owned(),
            ));
        }
        Ok(Some(index))
    }
}

/// Rounds a vector to int8 with one scale for the whole vector (its largest magnitude
/// maps to 127), so `dot_i8(a, b) / (scale_a * scale_b)` approximates the dot product.
fn quantise(vector: &[f32]) -> (Vec<i8>, f32) {
    let max = vector.iter().fold(0f32, |m, v| m.max(v.abs()));
    let scale = if max > 0.0 { 127.0 / max } else { 1.0 };
    let quantised = vector
        .iter()
        .map(|v| (v * scale).round().clamp(-127.0, 127.0) as i8)
        .collect();
    (quantised, scale)
}

// Not inlined: inside the scan loop the compiler vectorised it worse (measured).
#[inline(never)]
fn dot_i8(a: &[i8], b: &[i8]) -> i32 {
    // Products of two i8 fit an i16 (|127 × 127| < 2^15), and SSE2 multiplies sixteen
    // i16 lanes at once where it has no 32-bit multiply: written this way the baseline
    // x86-64 build scans twice as fast as with i32 products (2.7 vs 5.5 ms for 75k × 384).
    let mut sums = [0i32; 16];
    let chunks = a.len() / 16 * 16;
    for (x, y) in a[..chunks]
        .chunks_exact(16)
        .zip(b[..chunks].chunks_exact(16))
    {
        for lane in 0..16 {
            sums[lane] += i32::from(i16::from(x[lane]) * i16::from(y[lane]));
        }
    }
    let tail: i32 = a[chunks..]
        .iter()
        .zip(&b[chunks..])
        .map(|(&x, &y)| i32::from(x) * i32::from(y))
        .sum();
    sums.iter().sum::<i32>() + tail
}

fn dot_f32(a: &[f32], b: &[f32]) -> f32 {
    // Eight running sums let the compiler keep them in vector lanes.
    let mut sums = [0f32; 8];
    let chunks = a.len() / 8 * 8;
    for (x, y) in a[..chunks].chunks_exact(8).zip(b[..chunks].chunks_exact(8)) {
        for lane in 0..8 {
            sums[lane] += x[lane] * y[lane];
        }
    }
    let tail: f32 = a[chunks..]
        .iter()
        .zip(&b[chunks..])
        .map(|(x, y)| x * y)
        .sum();
    sums.iter().sum::<f32>() + tail
}

/// The `k` largest (score, row) pairs seen, kept in a small binary heap.
struct TopK {
    k: usize,
    heap: std::collections::BinaryHeap<std::cmp::Reverse<Scored>>,
}

#[derive(PartialEq)]
struct Scored(f32, usize);

impl Eq for Scored {}

impl PartialOrd for Scored {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Scored {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        // Ties go to the lower row, so results are deterministic.
        self.0
            .total_cmp(&other.0)
            .then_with(|| other.1.cmp(&self.1))
    }
}

impl TopK {
    fn new(k: usize) -> TopK {
        TopK {
            k,
            heap: std::collections::BinaryHeap::with_capacity(k + 1),
        }
    }

    fn would_take(&self, score: f32) -> bool {
        self.heap.len() < self.k || self.heap.peek().is_some_and(|least| score > least.0.0)
    }

    fn push(&mut self, score: f32, row: usize) {
        if self.k == 0 {
            return;
        }
        if self.heap.len() < self.k {
            self.heap.push(std::cmp::Reverse(Scored(score, row)));
        } else if self
            .heap
            .peek()
            .is_some_and(|least| Scored(score, row) > least.0)
        {
            self.heap.pop();
            self.heap.push(std::cmp::Reverse(Scored(score, row)));
        }
    }

    fn into_sorted(self) -> Vec<(f32, usize)> {
        let mut all: Vec<Scored> = self.heap.into_iter().map(|r| r.0).collect();
        all.sort_by(|a, b| b.cmp(a));
        all.into_iter().map(|s| (s.0, s.1)).collect()
    }
}

fn write_u64(out: &mut impl Write, value: u64) -> std::io::Result<()> {
    out.write_all(&value.to_le_bytes())
}

fn write_bytes(out: &mut impl Write, bytes: &[u8]) -> std::io::Result<()> {
    write_u64(out, bytes.len() as u64)?;
    out.write_all(bytes)
}

fn read_exact(input: &mut impl Read, buf: &mut [u8]) -> Result<(), String> {
    input
        .read_exact(buf)
        .map_err(|e| format!("cannot read {} bytes: {e}", buf.len()))
}

fn read_u64(input: &mut impl Read) -> Result<u64, String> {
    let mut bytes = [0u8; 8];
    read_exact(input, &mut bytes)?;
    Ok(u64::from_le_bytes(bytes))
}

fn read_bytes(input: &mut impl Read, max: u64) -> Result<Vec<u8>, String> {
    let len = read_u64(input)?;
    if len > max {
        return Err(format!("a field of {len} bytes (at most {max} expected)"));
    }
    let mut bytes = vec![0u8; len as usize];
    read_exact(input, &mut bytes)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic pseudo-random unit vector (xorshift), so tests need no crate.
    fn random_unit(seed: u64, dim: usize) -> Vec<f32> {
        let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let mut v: Vec<f32> = (0..dim)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state % 20_001) as f32 / 10_000.0 - 1.0
            })
            .collect();
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.iter_mut().for_each(|x| *x /= norm);
        v
    }

    fn id(n: usize) -> ArxivId {
        ArxivId::from_str(&format!("2501.{n:05}")).unwrap()
    }

    fn index_of(n: usize, dim: usize) -> VectorIndex {
        let mut index = VectorIndex::new("test@1", dim);
        for i in 0..n {
            assert!(index.upsert(&id(i), &random_unit(i as u64 + 1, dim)));
        }
        index
    }

    #[test]
    fn the_fast_search_finds_what_the_exact_scan_finds() {
        let index = index_of(3_000, 64);
        let mut found = 0;
        let queries = 50;
        for q in 0..queries {
            let query = random_unit(1_000_000 + q, 64);
            let exact: Vec<ArxivId> = index
                .exact_search(&query, 10)
                .into_iter()
                .map(|n| n.id)
                .collect();
            let fast = index.search(&query, 10, &|_| false);
            assert!(
                fast.windows(2).all(|w| w[0].score >= w[1].score),
                "closest first"
            );
            found += fast.iter().filter(|n| exact.contains(&n.id)).count();
        }
        let recall = found as f64 / (queries as f64 * 10.0);
        assert!(recall >= 0.99, "recall@10 {recall}");
    }

    #[test]
    fn a_paper_is_most_similar_to_itself_and_similar_leaves_it_out() {
        let index = index_of(500, 32);
        let v = index.vector(&id(7)).unwrap().to_vec();
        let top = index.search(&v, 1, &|_| false);
        assert_eq!(top[0].id, id(7));
        assert!((top[0].score - 1.0).abs() < 1e-5);
        let similar = index.similar(&id(7), 10);
        assert_eq!(similar.len(), 10);
        assert!(similar.iter().all(|n| n.id != id(7)));
        assert!(
            index.similar(&id(9_999), 10).is_empty(),
            "no vector, no neighbours"
        );
    }

    #[test]
    fn upsert_replaces_and_wrong_lengths_are_refused() {
        let mut index = index_of(10, 16);
        let new = random_unit(424_242, 16);
        assert!(index.upsert(&id(3), &new));
        assert_eq!(index.len(), 10);
        assert_eq!(index.vector(&id(3)).unwrap(), new.as_slice());
        assert_eq!(index.search(&new, 1, &|_| false)[0].id, id(3));
        assert!(!index.upsert(&id(11), &[1.0, 0.0]));
        assert_eq!(index.len(), 10);
        assert!(
            index.search(&[1.0], 5, &|_| false).is_empty(),
            "a query of the wrong length finds nothing"
        );
    }

    #[test]
    fn skip_filters_candidates() {
        let index = index_of(200, 16);
        let query = random_unit(77, 16);
        let odd_only = index.search(&query, 10, &|id| {
            id.base().ends_with(['0', '2', '4', '6', '8'])
        });
        assert_eq!(odd_only.len(), 10);
        assert!(
            odd_only
                .iter()
                .all(|n| !n.id.base().ends_with(['0', '2', '4', '6', '8']))
        );
    }

    #[test]
    fn save_and_load_round_trip_and_refuse_damage() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vectors.bin");
        assert!(
            VectorIndex::load(&path, "test@1", 16).unwrap().is_none(),
            "no file yet"
        );
        let mut index = index_of(100, 16);
        index.set_caught_up(4_242);
        index.save(&path).unwrap();
        let loaded = VectorIndex::load(&path, "test@1", 16).unwrap().unwrap();
        assert_eq!(loaded.len(), 100);
        assert_eq!(loaded.caught_up(), 4_242);
        assert_eq!(loaded.vector(&id(42)), index.vector(&id(42)));
        assert!(
            VectorIndex::load(&path, "other@2", 16).unwrap().is_none(),
            "another model's file is not used"
        );
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        let error = VectorIndex::load(&path, "test@1", 16)
            .unwrap_err()
            .to_string();
        assert!(error.contains("damaged"), "{error}");
        std::fs::write(&path, b"garbage").unwrap();
        assert!(VectorIndex::load(&path, "test@1", 16).is_err());
    }

    #[test]
    fn quantised_dot_products_are_close_to_exact() {
        for seed in 0..100 {
            let a = random_unit(seed, 384);
            let b = random_unit(seed + 500, 384);
            let (qa, sa) = quantise(&a);
            let (qb, sb) = quantise(&b);
            let approx = dot_i8(&qa, &qb) as f32 / (sa * sb);
            assert!((approx - dot_f32(&a, &b)).abs() < 0.01, "seed {seed}");
        }
    }
}
