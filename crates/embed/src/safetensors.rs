//! A checked reader for the safetensors format: an 8-byte little-endian header
//! length, a JSON header naming each tensor's dtype, shape and byte range, then raw
//! little-endian data. Every range is validated so a cut-off file is an error, never a panic.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::ModelError;

/// Largest header we accept (the format's own limit is 100 MB).
const MAX_HEADER_BYTES: u64 = 100_000_000;

/// One tensor's place in the file.
#[derive(Debug)]
struct Entry {
    dtype: String,
    shape: Vec<usize>,
    start: usize,
    end: usize,
}

/// A parsed, validated safetensors file held in memory.
#[derive(Debug)]
pub(crate) struct SafeTensors {
    file: PathBuf,
    bytes: Vec<u8>,
    data_start: usize,
    entries: HashMap<String, Entry>,
}

impl SafeTensors {
    /// Parses `bytes` (the whole file) and checks every tensor lies inside it.
    pub(crate) fn parse(file: &Path, bytes: Vec<u8>) -> Result<SafeTensors, ModelError> {
        let truncated = |reason: String| ModelError::Truncated {
            file: file.to_path_buf(),
            reason,
        };
        let corrupt = |reason: String| ModelError::Corrupt {
            file: file.to_path_buf(),
            reason,
        };
        let len_bytes: [u8; 8] =
            bytes
                .get(..8)
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| {
                    truncated(format!(
                        "only {} bytes, shorter than the 8-byte header length",
                        bytes.len()
                    ))
                })?;
        let header_len = u64::from_le_bytes(len_bytes);
        if header_len > MAX_HEADER_BYTES {
            return Err(corrupt(format!(
                "header length {header_len} is implausible"
            )));
        }
        let data_start = 8 + header_len as usize;
        let header = bytes.get(8..data_start).ok_or_else(|| {
            truncated(format!(
                "header needs bytes 8..{data_start} but the file has {}",
                bytes.len()
            ))
        })?;
        let header: Value = serde_json::from_slice(header)
            .map_err(|e| corrupt(format!("header is not valid JSON: {e}")))?;
        let map = header
            .as_object()
            .ok_or_else(|| corrupt("header is not a JSON object".into()))?;
        let data_len = bytes.len() - data_start;
        let mut entries = HashMap::new();
        for (name, v) in map.iter().filter(|(k, _)| *k != "__metadata__") {
            let entry = parse_entry(v).map_err(|r| corrupt(format!("tensor {name}: {r}")))?;
            if entry.end > data_len {
                return Err(truncated(format!(
                    "tensor {name} needs data bytes {}..{} but only {data_len} are present",
                    entry.start, entry.end
                )));
            }
            entries.insert(name.clone(), entry);
        }
        Ok(SafeTensors {
            file: file.to_path_buf(),
            bytes,
            data_start,
            entries,
        })
    }

    /// Whether a tensor of this name exists.
    pub(crate) fn contains(&self, name: &str) -> bool {
        self.entries.contains_key(name)
    }

    /// The tensor `name` as f32, checked against the expected shape.
    pub(crate) fn f32_tensor(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>, ModelError> {
        let corrupt = |reason: String| ModelError::Corrupt {
            file: self.file.clone(),
            reason,
        };
        let e = self
            .entries
            .get(name)
            .ok_or_else(|| corrupt(format!("tensor {name} is missing")))?;
        if e.shape != shape {
            return Err(corrupt(format!(
                "tensor {name} has shape {:?}, expected {shape:?}",
                e.shape
            )));
        }
        let raw = &self.bytes[self.data_start + e.start..self.data_start + e.end];
        match e.dtype.as_str() {
            "F32" => Ok(raw
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect()),
            "F16" => Ok(raw
                .chunks_exact(2)
                .map(|b| f16_to_f32(u16::from_le_bytes([b[0], b[1]])))
                .collect()),
            "BF16" => Ok(raw
                .chunks_exact(2)
                .map(|b| f32::from_bits(u32::from(u16::from_le_bytes([b[0], b[1]])) << 16))
                .collect()),
            other => Err(corrupt(format!(
                "tensor {name} has dtype {other}; F32, F16 or BF16 is needed"
            ))),
        }
    }
}

/// Reads and checks one header entry: known dtype, offsets in order, size matching the shape.
fn parse_entry(v: &Value) -> Result<Entry, String> {
    let dtype = v["dtype"].as_str().ok_or("no dtype")?.to_owned();
    let shape = v["shape"]
        .as_array()
        .ok_or("no shape")?
        .iter()
        .map(|d| {
            d.as_u64()
                .map(|d| d as usize)
                .ok_or("shape is not a list of sizes")
        })
        .collect::<Result<Vec<usize>, _>>()?;
    let offsets = v["data_offsets"].as_array().ok_or("no data_offsets")?;
    let offset = |i: usize| offsets.get(i).and_then(Value::as_u64).map(|o| o as usize);
    let (Some(start), Some(end), 2) = (offset(0), offset(1), offsets.len()) else {
        return Err("data_offsets is not [start, end]".into());
    };
    if start > end {
        return Err(format!("data_offsets [{start}, {end}] run backwards"));
    }
    let elem = match dtype.as_str() {
        "F64" | "I64" | "U64" => 8,
        "F32" | "I32" | "U32" => 4,
        "F16" | "BF16" | "I16" | "U16" => 2,
        _ => 1,
    };
    let count = shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or("shape overflows")?;
    if count.checked_mul(elem) != Some(end - start) {
        return Err(format!(
            "{} bytes do not hold a {dtype} tensor of shape {shape:?}",
            end - start
        ));
    }
    Ok(Entry {
        dtype,
        shape,
        start,
        end,
    })
}

/// IEEE half precision to single, including subnormals, infinities and NaN.
fn f16_to_f32(h: u16) -> f32 {
    let sign = u32::from(h >> 15) << 31;
    let exp = u32::from((h >> 10) & 0x1f);
    let mant = u32::from(h & 0x3ff);
    let bits = match (exp, mant) {
        (0, 0) => sign,
        (0, m) => {
            // Subnormal: value = m * 2^-24.
            let v = m as f32 * (1.0 / 16_777_216.0);
            return if sign != 0 { -v } else { v };
        }
        (0x1f, m) => sign | 0x7f80_0000 | (m << 13),
        (e, m) => sign | ((e + 127 - 15) << 23) | (m << 13),
    };
    f32::from_bits(bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(header: &str, data: &[u8]) -> Vec<u8> {
        let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
        bytes.extend_from_slice(header.as_bytes());
        bytes.extend_from_slice(data);
        bytes
    }

    #[test]
    fn reads_f32_f16_and_bf16() {
        let header = r#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},
            "h":{"dtype":"F16","shape":[2],"data_offsets":[8,12]},
            "b":{"dtype":"BF16","shape":[1],"data_offsets":[12,14]}}"#;
        let mut data = Vec::new();
        data.extend_from_slice(&1.5f32.to_le_bytes());
        data.extend_from_slice(&(-2.0f32).to_le_bytes());
        data.extend_from_slice(&0x3c00u16.to_le_bytes()); // 1.0
        data.extend_from_slice(&0x0001u16.to_le_bytes()); // smallest subnormal
        data.extend_from_slice(&0x4040u16.to_le_bytes()); // bf16 3.0
        let st = SafeTensors::parse(Path::new("t"), file(header, &data)).unwrap();
        assert_eq!(st.f32_tensor("a", &[2]).unwrap(), vec![1.5, -2.0]);
        assert_eq!(st.f32_tensor("h", &[2]).unwrap(), vec![1.0, 2f32.powi(-24)]);
        assert_eq!(st.f32_tensor("b", &[1]).unwrap(), vec![3.0]);
        assert!(matches!(
            st.f32_tensor("a", &[3]),
            Err(ModelError::Corrupt { .. })
        ));
        assert!(matches!(
            st.f32_tensor("zz", &[2]),
            Err(ModelError::Corrupt { .. })
        ));
    }

    #[test]
    fn rejects_broken_files_without_panicking() {
        let header = r#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#;
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (vec![1, 2, 3], "Truncated"),
            (file(header, &[0; 4]), "Truncated"),
            (file(header, &[])[..20].to_vec(), "Truncated"),
            (file("{not json", &[]), "Corrupt"),
            (
                file(
                    r#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#,
                    &[0; 8],
                ),
                "Corrupt",
            ),
            (
                file(
                    r#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}"#,
                    &[0; 8],
                ),
                "Corrupt",
            ),
            (u64::MAX.to_le_bytes().to_vec(), "Corrupt"),
        ];
        for (bytes, want) in cases {
            let err = SafeTensors::parse(Path::new("t"), bytes).unwrap_err();
            assert!(
                format!("{err:?}").starts_with(want),
                "{err:?} is not {want}"
            );
        }
    }
}
