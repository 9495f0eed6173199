//! Linear models over sparse vectors: the For-you model (class-balanced, L2-regularised
//! logistic regression plus a pull towards the positives' centroid) and the
//! arxiv-sanity-lite baseline (a linear SVM with squared hinge loss, trained by dual
//! coordinate descent as liblinear does, which is what scikit-learn's `LinearSVC` runs).
//! Pure: plain data in, plain data out.

use super::text::SparseVec;

/// A linear scorer: `w · x + bias`.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearModel {
    /// One weight per feature.
    pub weights: Vec<f32>,
    /// The intercept.
    pub bias: f32,
}

impl LinearModel {
    /// The score of a vector (higher: more relevant).
    pub fn score(&self, x: &SparseVec) -> f32 {
        x.dot_dense(&self.weights) + self.bias
    }
}

/// Settings of the For-you model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogisticParams {
    /// L2 penalty on the weights (the loss is a weighted mean over examples).
    pub l2: f32,
    /// Gradient steps.
    pub iterations: usize,
    /// Weight of an explicit negative ("not interested") against a background paper.
    pub explicit_negative_weight: f32,
    /// Weight of the positives' centroid added to the learnt weights: with a handful of
    /// positives, "like these on average" generalises where the margin alone overfits.
    pub centroid_weight: f32,
    /// Background papers sampled as negatives.
    pub background: usize,
}

impl Default for LogisticParams {
    /// Chosen before any evaluation run, from the usual ranges for tf-idf text models
    /// (see docs/benchmarks.md: never tuned on held-out papers).
    fn default() -> Self {
        LogisticParams {
            l2: 1e-3,
            iterations: 60,
            explicit_negative_weight: 5.0,
            centroid_weight: 1.0,
            background: 1_000,
        }
    }
}

/// Trains the For-you model: `positives` against `negatives` (explicit ones first, the
/// first `explicit` of them) with balanced class weights. The centroid covers the
/// features below `text_dim` only: metadata features (the category) get the weight
/// the margin gives them, as much as this member's examples support.
pub fn train_logistic(
    positives: &[&SparseVec],
    negatives: &[&SparseVec],
    explicit: usize,
    dim: usize,
    text_dim: usize,
    params: &LogisticParams,
) -> LinearModel {
    let mut examples: Vec<(&SparseVec, f32, f32)> = Vec::new();
    let neg_weight_sum: f32 = (0..negatives.len())
        .map(|i| {
            if i < explicit {
                params.explicit_negative_weight
            } else {
                1.0
            }
        })
        .sum();
    let pos_weight = 0.5 / positives.len().max(1) as f32;
    examples.extend(positives.iter().map(|x| (*x, 1.0, pos_weight)));
    examples.extend(negatives.iter().enumerate().map(|(i, x)| {
        let raw = if i < explicit {
            params.explicit_negative_weight
        } else {
            1.0
        };
        (*x, -1.0, 0.5 * raw / neg_weight_sum.max(1.0))
    }));
    // Train over the features the examples use only: every other weight stays zero
    // (the gradient never touches it and the penalty keeps it there), and a library's
    // examples use a few tens of thousands of a vocabulary's features.
    let compact = Compact::of(examples.iter().map(|e| e.0), dim);
    let compact_examples: Vec<(SparseVec, f32, f32)> = examples
        .iter()
        .map(|(x, y, c)| (compact.map(x), *y, *c))
        .collect();
    let refs: Vec<(&SparseVec, f32, f32)> = compact_examples
        .iter()
        .map(|(x, y, c)| (x, *y, *c))
        .collect();
    let (mut w, mut b) = (vec![0.0f32; compact.features.len()], 0.0f32);
    if !positives.is_empty() && !negatives.is_empty() {
        nesterov_logistic(&refs, &mut w, &mut b, params);
    }
    if params.centroid_weight > 0.0 && !positives.is_empty() {
        let mut centroid = vec![0.0f32; w.len()];
        for (x, _, _) in refs.iter().take(positives.len()) {
            x.add_to(&mut centroid, 1.0);
        }
        for (c, &feature) in centroid.iter_mut().zip(&compact.features) {
            if feature as usize >= text_dim {
                *c = 0.0;
            }
        }
        let norm = centroid.iter().map(|v| v * v).sum::<f32>().sqrt();
        if norm > 0.0 {
            let scale = params.centroid_weight / norm;
            for (wi, ci) in w.iter_mut().zip(&centroid) {
                *wi += scale * ci;
            }
        }
    }
    let mut weights = vec![0.0f32; dim];
    for (&feature, &weight) in compact.features.iter().zip(&w) {
        weights[feature as usize] = weight;
    }
    LinearModel { weights, bias: b }
}

/// The features some vectors use, renumbered from zero in increasing order.
struct Compact {
    /// The original index of each compact feature.
    features: Vec<u32>,
    /// The compact index of each original feature (`u32::MAX`: unused).
    position: Vec<u32>,
}

impl Compact {
    fn of<'a>(vectors: impl Iterator<Item = &'a SparseVec>, dim: usize) -> Compact {
        let mut position = vec![u32::MAX; dim];
        for x in vectors {
            for &i in &x.idx {
                if let Some(slot) = position.get_mut(i as usize) {
                    *slot = 0;
                }
            }
        }
        let mut features = Vec::new();
        for (i, slot) in position.iter_mut().enumerate() {
            if *slot == 0 {
                *slot = features.len() as u32;
                features.push(i as u32);
            }
        }
        Compact { features, position }
    }

    /// `x` in compact indexes (still increasing, since renumbering keeps the order).
    fn map(&self, x: &SparseVec) -> SparseVec {
        let (idx, val) = x
            .idx
            .iter()
            .zip(&x.val)
            .filter_map(|(&i, &v)| {
                let p = *self.position.get(i as usize)?;
                (p != u32::MAX).then_some((p, v))
            })
            .unzip();
        SparseVec { idx, val }
    }
}

/// Accelerated gradient descent on the weighted logistic loss. Vectors are normalised
/// and the weights sum to one, so the gradient's Lipschitz constant is at most
/// `0.25 + l2` (plus the bias): a fixed step of its inverse is safe.
fn nesterov_logistic(
    examples: &[(&SparseVec, f32, f32)],
    w: &mut [f32],
    b: &mut f32,
    params: &LogisticParams,
) {
    let step = 1.0 / (0.5 + params.l2);
    let (mut prev_w, mut prev_b) = (w.to_vec(), *b);
    let (mut look_w, mut look_b) = (w.to_vec(), *b);
    let mut grad = vec![0.0f32; w.len()];
    for t in 0..params.iterations {
        grad.iter_mut().for_each(|g| *g = 0.0);
        let mut grad_b = 0.0;
        for (x, y, c) in examples {
            let margin = y * (x.dot_dense(&look_w) + look_b);
            // d/dm log(1 + e^-m) = -1 / (1 + e^m)
            let g = -c * y / (1.0 + margin.exp());
            x.add_to(&mut grad, g);
            grad_b += g;
        }
        let momentum = t as f32 / (t as f32 + 3.0);
        for i in 0..w.len() {
            let next = look_w[i] - step * (grad[i] + params.l2 * look_w[i]);
            look_w[i] = next + momentum * (next - prev_w[i]);
            prev_w[i] = next;
        }
        let next_b = look_b - step * grad_b;
        look_b = next_b + momentum * (next_b - prev_b);
        prev_b = next_b;
    }
    w.copy_from_slice(&prev_w);
    *b = prev_b;
}

/// Trains arxiv-sanity-lite's model: a linear SVM (squared hinge, `C`, balanced class
/// weights, an intercept as a constant feature of 1) by dual coordinate descent, the
/// examples visited in an order shuffled by `seed` each epoch.
pub fn train_linear_svm(
    examples: &[(&SparseVec, bool)],
    dim: usize,
    c: f32,
    epochs: usize,
    seed: u64,
) -> LinearModel {
    let n = examples.len() as f32;
    let n_pos = examples.iter().filter(|e| e.1).count().max(1) as f32;
    let n_neg = examples.iter().filter(|e| !e.1).count().max(1) as f32;
    // scikit-learn's "balanced": n / (2 * count of the class).
    let (c_pos, c_neg) = (c * n / (2.0 * n_pos), c * n / (2.0 * n_neg));
    let (mut w, mut b) = (vec![0.0f32; dim], 0.0f32);
    let mut alpha = vec![0.0f32; examples.len()];
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut rng = seed | 1;
    for _ in 0..epochs {
        shuffle(&mut order, &mut rng);
        let mut largest_step = 0.0f32;
        for &i in &order {
            let (x, positive) = examples[i];
            let y = if positive { 1.0 } else { -1.0 };
            let d = 0.5 / if positive { c_pos } else { c_neg };
            let q = x.val.iter().map(|v| v * v).sum::<f32>() + 1.0 + d;
            let g = y * (x.dot_dense(&w) + b) - 1.0 + d * alpha[i];
            let pg = if alpha[i] == 0.0 { g.min(0.0) } else { g };
            if pg.abs() > 1e-12 {
                let old = alpha[i];
                alpha[i] = (old - g / q).max(0.0);
                let delta = (alpha[i] - old) * y;
                x.add_to(&mut w, delta);
                b += delta;
                largest_step = largest_step.max(pg.abs());
            }
        }
        if largest_step < 1e-3 {
            break;
        }
    }
    LinearModel {
        weights: w,
        bias: b,
    }
}

/// Fisher–Yates with xorshift64: deterministic for a seed, no dependency.
pub fn shuffle<T>(items: &mut [T], state: &mut u64) {
    for i in (1..items.len()).rev() {
        let j = (next_random(state) % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}

/// The next number of a xorshift64 sequence.
pub fn next_random(state: &mut u64) -> u64 {
    let mut x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(entries: &[(u32, f32)]) -> SparseVec {
        let norm = entries.iter().map(|e| e.1 * e.1).sum::<f32>().sqrt();
        SparseVec {
            idx: entries.iter().map(|e| e.0).collect(),
            val: entries.iter().map(|e| e.1 / norm).collect(),
        }
    }

    /// Positives use features 0–1, negatives 2–3; an unseen mix of 0 and 4 must score
    /// above an unseen mix of 2 and 4, for both models.
    #[test]
    fn both_models_separate_the_classes() {
        let pos: Vec<SparseVec> = (0..5)
            .map(|i| unit(&[(0, 1.0), (1, i as f32 * 0.2)]))
            .collect();
        let neg: Vec<SparseVec> = (0..40)
            .map(|i| unit(&[(2, 1.0), (3, (i % 7) as f32 * 0.3)]))
            .collect();
        let (good, bad) = (unit(&[(0, 1.0), (4, 1.0)]), unit(&[(2, 1.0), (4, 1.0)]));
        let pos_refs: Vec<&SparseVec> = pos.iter().collect();
        let neg_refs: Vec<&SparseVec> = neg.iter().collect();
        let lr = train_logistic(&pos_refs, &neg_refs, 0, 5, 5, &LogisticParams::default());
        assert!(lr.score(&good) > lr.score(&bad));
        assert!(lr.score(&pos[0]) > 0.0 && lr.score(&neg[0]) < lr.score(&pos[0]));
        let examples: Vec<(&SparseVec, bool)> = pos
            .iter()
            .map(|x| (x, true))
            .chain(neg.iter().map(|x| (x, false)))
            .collect();
        let svm = train_linear_svm(&examples, 5, 0.01, 50, 7);
        assert!(svm.score(&good) > svm.score(&bad));
    }

    #[test]
    fn an_explicit_negative_pulls_harder_than_background() {
        let pos = [unit(&[(0, 1.0)]), unit(&[(0, 1.0), (1, 0.5)])];
        let neg = [unit(&[(1, 1.0)]), unit(&[(2, 1.0)])];
        let params = LogisticParams {
            centroid_weight: 0.0,
            ..LogisticParams::default()
        };
        let pos_refs: Vec<&SparseVec> = pos.iter().collect();
        let neg_refs: Vec<&SparseVec> = neg.iter().collect();
        let background = train_logistic(&pos_refs, &neg_refs, 0, 3, 3, &params);
        let explicit = train_logistic(&pos_refs, &neg_refs, 1, 3, 3, &params);
        assert!(explicit.weights[1] < background.weights[1]);
    }

    #[test]
    fn no_positives_trains_nothing_and_shuffle_is_deterministic() {
        let model = train_logistic(&[], &[], 0, 3, 3, &LogisticParams::default());
        assert_eq!(model.weights, [0.0; 3]);
        let (mut a, mut b) = ((0..10).collect::<Vec<_>>(), (0..10).collect::<Vec<_>>());
        shuffle(&mut a, &mut 42);
        shuffle(&mut b, &mut 42);
        assert_eq!(a, b);
        assert_ne!(a, (0..10).collect::<Vec<_>>());
    }
}
