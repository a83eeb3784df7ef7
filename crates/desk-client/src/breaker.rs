//! A circuit breaker per connection: after a run of transient failures the client stops calling
//! that connection for a cool-down, then lets one trial call through to see whether it recovered.
//! A customer's system that is down is not hammered, and the UI hears at once why nothing happens.

use crate::error::ClientError;
use chrono::{DateTime, Utc};
use desk_platform::clock::Clock;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreakerPolicy {
    /// Consecutive transient failures (after retries) that open the circuit.
    pub failure_threshold: u32,
    /// How long an open circuit refuses calls before letting a trial call through.
    pub cool_down: Duration,
}

impl Default for BreakerPolicy {
    fn default() -> Self {
        Self {
            failure_threshold: 5,
            cool_down: Duration::from_secs(30),
        }
    }
}

/// What the breaker of one connection is doing, for the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    Closed {
        consecutive_failures: u32,
    },
    Open {
        retry_at: DateTime<Utc>,
    },
    /// The cool-down is over; the next call (or the one in flight) is the trial.
    HalfOpen {
        trial_in_flight: bool,
    },
}

#[derive(Debug)]
pub(crate) struct Breakers {
    policy: BreakerPolicy,
    clock: Arc<dyn Clock>,
    states: Mutex<HashMap<String, BreakerState>>,
}

impl Breakers {
    pub(crate) fn new(policy: BreakerPolicy, clock: Arc<dyn Clock>) -> Self {
        Self {
            policy,
            clock,
            states: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, BreakerState>> {
        // The map holds plain values, each written in one step: a panic elsewhere cannot leave
        // it half-updated, so a poisoned lock is still safe to use.
        self.states
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn state(&self, connection_id: &str) -> BreakerState {
        let now = self.clock.now();
        match self.lock().get(connection_id).copied() {
            None => BreakerState::Closed {
                consecutive_failures: 0,
            },
            Some(BreakerState::Open { retry_at }) if now >= retry_at => BreakerState::HalfOpen {
                trial_in_flight: false,
            },
            Some(state) => state,
        }
    }

    /// Lets a call through, or refuses it with [`ClientError::CircuitOpen`].
    pub(crate) fn admit(self: &Arc<Self>, connection_id: &str) -> Result<Permit, ClientError> {
        let now = self.clock.now();
        let mut states = self.lock();
        let state = states
            .get(connection_id)
            .copied()
            .unwrap_or(BreakerState::Closed {
                consecutive_failures: 0,
            });
        let trial = match state {
            BreakerState::Closed { .. } => false,
            BreakerState::Open { retry_at } if now < retry_at => {
                return Err(self.refusal(connection_id, retry_at));
            }
            BreakerState::Open { .. }
            | BreakerState::HalfOpen {
                trial_in_flight: false,
            } => {
                states.insert(
                    connection_id.to_owned(),
                    BreakerState::HalfOpen {
                        trial_in_flight: true,
                    },
                );
                true
            }
            // One trial at a time: the others wait for its verdict rather than pile on.
            BreakerState::HalfOpen {
                trial_in_flight: true,
            } => return Err(self.refusal(connection_id, now)),
        };
        Ok(Permit {
            breakers: Arc::clone(self),
            connection_id: connection_id.to_owned(),
            trial,
            settled: false,
        })
    }

    fn refusal(&self, connection_id: &str, retry_at: DateTime<Utc>) -> ClientError {
        ClientError::CircuitOpen {
            connection_id: connection_id.to_owned(),
            retry_at,
        }
    }

    fn record(&self, connection_id: &str, failed: bool) {
        let now = self.clock.now();
        let mut states = self.lock();
        if !failed {
            // Closed with no failures is the default: forget the entry.
            states.remove(connection_id);
            return;
        }
        let failures = match states.get(connection_id) {
            Some(BreakerState::Closed {
                consecutive_failures,
            }) => consecutive_failures.saturating_add(1),
            // A failed trial, or a call admitted before the circuit opened: (re)open.
            Some(_) => self.policy.failure_threshold,
            None => 1,
        };
        let next = if failures >= self.policy.failure_threshold {
            let retry_at = now
                + chrono::Duration::from_std(self.policy.cool_down)
                    .unwrap_or(chrono::Duration::MAX);
            tracing::warn!(connection_id, %retry_at, "circuit opened: calls keep failing");
            BreakerState::Open { retry_at }
        } else {
            BreakerState::Closed {
                consecutive_failures: failures,
            }
        };
        states.insert(connection_id.to_owned(), next);
    }

    /// Forgets a connection's failures (after a reauthorization, say).
    pub(crate) fn reset(&self, connection_id: &str) {
        self.lock().remove(connection_id);
    }

    fn abandon_trial(&self, connection_id: &str) {
        let mut states = self.lock();
        if let Some(BreakerState::HalfOpen {
            trial_in_flight: true,
        }) = states.get(connection_id)
        {
            states.insert(
                connection_id.to_owned(),
                BreakerState::HalfOpen {
                    trial_in_flight: false,
                },
            );
        }
    }
}

/// One admitted call. Dropping it without a verdict (a cancelled call) frees the trial slot, so
/// a cancelled trial cannot wedge the circuit half-open forever.
#[derive(Debug)]
pub(crate) struct Permit {
    breakers: Arc<Breakers>,
    connection_id: String,
    trial: bool,
    settled: bool,
}

impl Permit {
    pub(crate) fn settle(mut self, failed: bool) {
        self.settled = true;
        self.breakers.record(&self.connection_id, failed);
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if self.trial && !self.settled {
            self.breakers.abandon_trial(&self.connection_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use desk_platform::clock::ManualClock;

    fn breakers() -> (Arc<Breakers>, ManualClock) {
        let clock = ManualClock::new(Utc::now());
        let policy = BreakerPolicy {
            failure_threshold: 2,
            cool_down: Duration::from_secs(10),
        };
        (
            Arc::new(Breakers::new(policy, Arc::new(clock.clone()))),
            clock,
        )
    }

    #[test]
    fn a_cancelled_trial_frees_the_slot_for_the_next_call() {
        let (breakers, clock) = breakers();
        for _ in 0..2 {
            breakers.admit("conn_a").unwrap().settle(true);
        }
        assert!(breakers.admit("conn_a").is_err());
        clock.advance(chrono::Duration::seconds(10));
        let trial = breakers.admit("conn_a").unwrap();
        assert!(breakers.admit("conn_a").is_err(), "one trial at a time");
        drop(trial);
        breakers.admit("conn_a").unwrap().settle(false);
        assert_eq!(
            breakers.state("conn_a"),
            BreakerState::Closed {
                consecutive_failures: 0
            }
        );
    }

    #[test]
    fn connections_have_separate_circuits() {
        let (breakers, _) = breakers();
        for _ in 0..2 {
            breakers.admit("conn_a").unwrap().settle(true);
        }
        assert!(breakers.admit("conn_a").is_err());
        assert!(breakers.admit("conn_b").is_ok());
    }
}
