//! The `[community]` and `[trending]` sections.

use anyhow::{Context, bail};
use paperstand_core::trending::TrendingParams;
use serde::{Deserialize, Serialize};

/// The `[community]` section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommunityConfig {
    /// Members submit papers whose first version is at most this many days old
    /// (curators may submit older ones).
    pub submit_window_days: u32,
}

impl Default for CommunityConfig {
    fn default() -> Self {
        CommunityConfig {
            submit_window_days: crate::web::community::DEFAULT_SUBMIT_WINDOW_DAYS,
        }
    }
}

/// `[community]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileCommunity {
    submit_window_days: Option<u32>,
}

/// `[trending]` as written: each key of [`TrendingParams`].
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileTrending {
    star_weight: Option<f64>,
    star_knee: Option<f64>,
    comment_weight: Option<f64>,
    submitted_bonus: Option<f64>,
    gravity: Option<f64>,
}

const MAX_WINDOW_DAYS: u32 = 3_650;

fn check_window(key: &str, days: u32) -> anyhow::Result<u32> {
    if days == 0 || days > MAX_WINDOW_DAYS {
        bail!("{key}: {days} is not between 1 and {MAX_WINDOW_DAYS} days");
    }
    Ok(days)
}

pub(super) fn apply_file(
    community: &mut CommunityConfig,
    trending: &mut TrendingParams,
    file_community: FileCommunity,
    file_trending: FileTrending,
) -> anyhow::Result<()> {
    if let Some(days) = file_community.submit_window_days {
        community.submit_window_days = check_window("community.submit_window_days", days)?;
    }
    let t = file_trending;
    for (value, slot) in [
        (t.star_weight, &mut trending.star_weight),
        (t.star_knee, &mut trending.star_knee),
        (t.comment_weight, &mut trending.comment_weight),
        (t.submitted_bonus, &mut trending.submitted_bonus),
        (t.gravity, &mut trending.gravity),
    ] {
        if let Some(value) = value {
            *slot = value;
        }
    }
    trending.validate().map_err(anyhow::Error::msg)
}

pub(super) fn apply_env(
    community: &mut CommunityConfig,
    trending: &mut TrendingParams,
    env: &dyn Fn(&str) -> Option<String>,
) -> anyhow::Result<()> {
    if let Some(text) = env("PAPERSTAND_SUBMIT_WINDOW_DAYS") {
        let days = text.trim().parse().with_context(|| {
            format!("PAPERSTAND_SUBMIT_WINDOW_DAYS: {text:?} is not a number of days")
        })?;
        community.submit_window_days = check_window("PAPERSTAND_SUBMIT_WINDOW_DAYS", days)?;
    }
    for (name, slot) in [
        ("PAPERSTAND_TRENDING_STAR_WEIGHT", &mut trending.star_weight),
        ("PAPERSTAND_TRENDING_STAR_KNEE", &mut trending.star_knee),
        (
            "PAPERSTAND_TRENDING_COMMENT_WEIGHT",
            &mut trending.comment_weight,
        ),
        (
            "PAPERSTAND_TRENDING_SUBMITTED_BONUS",
            &mut trending.submitted_bonus,
        ),
        ("PAPERSTAND_TRENDING_GRAVITY", &mut trending.gravity),
    ] {
        if let Some(text) = env(name) {
            *slot = text
                .trim()
                .parse()
                .with_context(|| format!("{name}: {text:?} is not a number"))?;
        }
    }
    trending.validate().map_err(anyhow::Error::msg)
}
