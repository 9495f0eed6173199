//! The global rate limit shared by every task of a sender.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The global rate limit: each send takes the next free slot, `1/rate` after the one
/// before; the first send goes at once. N sends thus take at least (N-1)/rate.
pub(super) struct Schedule {
    interval: Option<Duration>,
    next: Mutex<Option<Instant>>,
}

impl Schedule {
    pub(super) fn new(rate_per_second: f64) -> Schedule {
        Schedule {
            interval: (rate_per_second > 0.0)
                .then(|| Duration::from_secs_f64(1.0 / rate_per_second)),
            next: Mutex::new(None),
        }
    }

    pub(super) async fn wait(&self) {
        let Some(interval) = self.interval else {
            return;
        };
        let slot = {
            let mut next = self
                .next
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let now = Instant::now();
            let slot = next.map_or(now, |n| n.max(now));
            *next = Some(slot + interval);
            slot
        };
        tokio::time::sleep_until(slot.into()).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_schedule_spaces_sends_and_zero_means_unlimited() {
        let schedule = Schedule::new(50.0);
        let start = Instant::now();
        for _ in 0..6 {
            schedule.wait().await;
        }
        assert!(
            start.elapsed() >= Duration::from_millis(100),
            "{:?}",
            start.elapsed()
        );
        let unlimited = Schedule::new(0.0);
        let start = Instant::now();
        for _ in 0..1000 {
            unlimited.wait().await;
        }
        assert!(start.elapsed() < Duration::from_secs(1));
    }
}
