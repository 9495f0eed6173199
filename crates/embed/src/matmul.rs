//! Dense-layer matrix multiply `out += x·W` against weights packed once at load time.
//! W is stored in column panels one SIMD register wide (`[n/lanes][k][lanes]`), so the
//! kernel streams it contiguously and never re-packs it: matrixmultiply re-packs W on
//! every call, which for a short query costs more than the arithmetic (measured: query
//! p50 15 ms → 5 ms; long batches as fast as matrixmultiply). SIMD width (AVX-512, else
//! AVX2+FMA, else scalar) is chosen at run time by `pulp`, all through a safe API.

use pulp::{Arch, Simd, WithSimd};

/// Rows per register tile: `ROWS` accumulators plus the weight register fit AVX2's 16.
const ROWS: usize = 8;

/// Rows per cache block: this many rows of `x` (up to 393 KB at k = 1536) stay in L2
/// while every panel of W streams past them once.
const BLOCK_ROWS: usize = 64;

/// A `[k, n]` weight matrix in register-wide column panels; the last panel is zero-padded.
#[derive(Debug)]
pub(crate) struct PackedMatrix {
    data: Vec<f32>,
    k: usize,
    n: usize,
    lanes: usize,
}

impl PackedMatrix {
    /// Packs the row-major `[k, n]` matrix `w` for this CPU's SIMD width.
    pub(crate) fn pack(w: &[f32], k: usize, n: usize) -> PackedMatrix {
        assert_eq!(w.len(), k * n, "matrix is {k}x{n}");
        let lanes = Arch::new().dispatch(Lanes);
        let panels = n.div_ceil(lanes);
        let mut data = vec![0.0; panels * k * lanes];
        for (p, panel) in data.chunks_exact_mut(k * lanes).enumerate() {
            for (row, dst) in w.chunks_exact(n).zip(panel.chunks_exact_mut(lanes)) {
                let cols = &row[p * lanes..n.min((p + 1) * lanes)];
                dst[..cols.len()].copy_from_slice(cols);
            }
        }
        PackedMatrix { data, k, n, lanes }
    }

    /// `out[m×n] += x[m×k] · W`, `x` and `out` row-major and contiguous.
    pub(crate) fn add_mul(&self, x: &[f32], out: &mut [f32]) {
        assert!(x.len().is_multiple_of(self.k) && out.len() == x.len() / self.k * self.n);
        Arch::new().dispatch(Kernel { w: self, x, out });
    }
}

/// Reports the SIMD width in f32 lanes.
struct Lanes;

impl WithSimd for Lanes {
    type Output = usize;

    #[inline(always)]
    fn with_simd<S: Simd>(self, _simd: S) -> usize {
        S::F32_LANES
    }
}

struct Kernel<'a> {
    w: &'a PackedMatrix,
    x: &'a [f32],
    out: &'a mut [f32],
}

impl WithSimd for Kernel<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: Simd>(self, simd: S) {
        let Kernel { w, x, out } = self;
        let (k, n) = (w.k, w.n);
        assert_eq!(w.lanes, S::F32_LANES, "packed for another SIMD width");
        for (x_block, out_block) in x.chunks(BLOCK_ROWS * k).zip(out.chunks_mut(BLOCK_ROWS * n)) {
            for (p, panel) in w.data.chunks_exact(k * w.lanes).enumerate() {
                let (panel, _) = S::as_simd_f32s(panel);
                let cols = p * w.lanes..n.min((p + 1) * w.lanes);
                for (x_rows, out_rows) in
                    x_block.chunks(ROWS * k).zip(out_block.chunks_mut(ROWS * n))
                {
                    let tile = Tile {
                        x: x_rows,
                        panel,
                        out: out_rows,
                        k,
                        n,
                        cols: cols.clone(),
                    };
                    match x_rows.len() / k {
                        8 => tile.run::<S, 8>(simd),
                        7 => tile.run::<S, 7>(simd),
                        6 => tile.run::<S, 6>(simd),
                        5 => tile.run::<S, 5>(simd),
                        4 => tile.run::<S, 4>(simd),
                        3 => tile.run::<S, 3>(simd),
                        2 => tile.run::<S, 2>(simd),
                        _ => tile.run::<S, 1>(simd),
                    }
                }
            }
        }
    }
}

/// Up to [`ROWS`] rows of `x` times one panel of W, added into `out[.., cols]`.
struct Tile<'a, V> {
    x: &'a [f32],
    panel: &'a [V],
    out: &'a mut [f32],
    k: usize,
    n: usize,
    cols: std::ops::Range<usize>,
}

impl<V: Copy> Tile<'_, V> {
    #[inline(always)]
    fn run<S: Simd<f32s = V>, const R: usize>(self, simd: S) {
        let Tile {
            x,
            panel,
            out,
            k,
            n,
            cols,
        } = self;
        let rows: [&[f32]; R] = std::array::from_fn(|r| &x[r * k..(r + 1) * k]);
        let mut acc = [simd.splat_f32s(0.0); R];
        for (kk, &wv) in panel.iter().enumerate() {
            for r in 0..R {
                acc[r] = simd.mul_add_f32s(simd.splat_f32s(rows[r][kk]), wv, acc[r]);
            }
        }
        for (r, a) in acc.into_iter().enumerate() {
            let dst = &mut out[r * n + cols.start..r * n + cols.end];
            match S::as_mut_simd_f32s(dst) {
                ([whole], []) => *whole = simd.add_f32s(*whole, a),
                (_, dst) => {
                    let sum = simd.add_f32s(simd.partial_load_f32s(dst), a);
                    simd.partial_store_f32s(dst, sum);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_naive_product() {
        for (m, k, n) in [
            (1, 3, 5),
            (9, 7, 16),
            (17, 33, 40),
            (70, 20, 13),
            (3, 384, 1152),
        ] {
            let x: Vec<f32> = (0..m * k)
                .map(|i| ((i * 7 % 13) as f32 - 6.0) / 7.0)
                .collect();
            let w: Vec<f32> = (0..k * n)
                .map(|i| ((i * 5 % 11) as f32 - 5.0) / 5.0)
                .collect();
            let mut out = vec![1.0; m * n];
            PackedMatrix::pack(&w, k, n).add_mul(&x, &mut out);
            for r in 0..m {
                for c in 0..n {
                    let want: f32 = 1.0 + (0..k).map(|i| x[r * k + i] * w[i * n + c]).sum::<f32>();
                    assert!(
                        (out[r * n + c] - want).abs() < 1e-3,
                        "({m},{k},{n}) at {r},{c}"
                    );
                }
            }
        }
    }
}
