//! Hybrid ranking: reciprocal-rank fusion (Cormack, Clarke and Büttcher, SIGIR 2009) of
//! the keyword and the vector result lists. Each list adds `1 / (K + rank)` for every
//! paper it holds, so a paper high in both lists beats one high in only one, and no
//! score scale needs calibrating between BM25 and cosine similarity.

use std::collections::HashMap;

use paperstand_core::ArxivId;

/// The fusion constant: the value used by the original paper and most systems since.
pub const RRF_K: f64 = 60.0;

/// A paper's fused score and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Fused {
    /// The paper.
    pub id: ArxivId,
    /// The sum of `1 / (K + rank)` over the lists that hold it.
    pub score: f64,
    /// Its rank (from 1) in the keyword list, if there.
    pub keyword_rank: Option<usize>,
    /// Its rank (from 1) in the vector list, if there.
    pub semantic_rank: Option<usize>,
}

/// Fuses two ranked lists (best first); returns every paper in either, best first.
/// Ties keep the keyword list's order, then the vector list's.
pub fn reciprocal_rank_fusion(keyword: &[ArxivId], semantic: &[ArxivId]) -> Vec<Fused> {
    let mut fused: Vec<Fused> = Vec::with_capacity(keyword.len() + semantic.len());
    let mut at: HashMap<&ArxivId, usize> = HashMap::new();
    for (rank, id) in keyword.iter().enumerate() {
        if at.contains_key(id) {
            continue;
        }
        at.insert(id, fused.len());
        fused.push(Fused {
            id: id.clone(),
            score: 1.0 / (RRF_K + rank as f64 + 1.0),
            keyword_rank: Some(rank + 1),
            semantic_rank: None,
        });
    }
    for (rank, id) in semantic.iter().enumerate() {
        let contribution = 1.0 / (RRF_K + rank as f64 + 1.0);
        match at.get(id) {
            Some(&i) if fused[i].semantic_rank.is_none() => {
                fused[i].score += contribution;
                fused[i].semantic_rank = Some(rank + 1);
            }
            Some(_) => {}
            None => {
                at.insert(id, fused.len());
                fused.push(Fused {
                    id: id.clone(),
                    score: contribution,
                    keyword_rank: None,
                    semantic_rank: Some(rank + 1),
                });
            }
        }
    }
    // A stable sort keeps first-seen order among equal scores.
    fused.sort_by(|a, b| b.score.total_cmp(&a.score));
    fused
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn ids(list: &[&str]) -> Vec<ArxivId> {
        list.iter().map(|s| ArxivId::from_str(s).unwrap()).collect()
    }

    #[test]
    fn a_paper_in_both_lists_beats_one_in_a_single_list() {
        let keyword = ids(&["2501.00001", "2501.00002", "2501.00003"]);
        let semantic = ids(&["2501.00004", "2501.00003", "2501.00005"]);
        let fused = reciprocal_rank_fusion(&keyword, &semantic);
        assert_eq!(fused[0].id.base(), "2501.00003", "{fused:?}");
        assert_eq!(fused[0].keyword_rank, Some(3));
        assert_eq!(fused[0].semantic_rank, Some(2));
        let expected = 1.0 / 63.0 + 1.0 / 62.0;
        assert!((fused[0].score - expected).abs() < 1e-12);
        assert_eq!(fused.len(), 5, "every paper of either list, once");
    }

    #[test]
    fn equal_scores_keep_keyword_order_first() {
        let keyword = ids(&["2501.00001"]);
        let semantic = ids(&["2501.00002"]);
        let fused = reciprocal_rank_fusion(&keyword, &semantic);
        assert_eq!(fused[0].id.base(), "2501.00001");
        assert_eq!(fused[1].id.base(), "2501.00002");
    }

    #[test]
    fn repeats_and_empty_lists() {
        assert!(reciprocal_rank_fusion(&[], &[]).is_empty());
        let keyword = ids(&["2501.00001", "2501.00001"]);
        let fused = reciprocal_rank_fusion(&keyword, &[]);
        assert_eq!(fused.len(), 1);
        assert_eq!(fused[0].keyword_rank, Some(1));
        let only_semantic = reciprocal_rank_fusion(&[], &ids(&["2501.00009", "2501.00008"]));
        assert_eq!(only_semantic[0].id.base(), "2501.00009");
        assert!(only_semantic[0].keyword_rank.is_none());
    }
}
