//! First-seen state for new-terms rules, carried from one batch to the next.
//!
//! Kibana runs a new-terms rule every 5 minutes over the last 6 and alerts on a matching
//! event whose term (here the user ARN) has no match in the history window before the run. This
//! tool has no schedule: it reads a batch of events at once, so it decides per event instead. A
//! match is an *alert* when no earlier match of the same term lies within the window before its
//! time, and a *repeat* otherwise. Events are taken in time order (by `event.ingested`, the
//! rule's `timestamp_override`, else `@timestamp`), ties in input order, because records in a
//! CloudTrail file are not in time order. The two agree except that Kibana raises one alert per
//! term per run, and so can miss a second new term inside the same 5 minutes less often than we
//! report it: we report the earliest.
//!
//! Across batches the state remembers, per rule and term, the times of its matches. A batch
//! that holds an event older than matches of an earlier batch judges it against them as they
//! stand; read a file whole, or in batches of a fixed number of events, and the result does not
//! depend on how its bytes arrived. To keep memory bounded on endless streams, times more than
//! two windows older than a term's newest match are forgotten: an event that arrives that late
//! is judged against what remains.

use crate::time::Millis;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What the new-terms step decided for one matching event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// No earlier match of the term lies within the window.
    Alert {
        /// The latest earlier match, which lies outside the window, if any.
        previous: Option<Seen>,
    },
    /// An earlier match of the term lies within the window.
    Repeat {
        /// The latest earlier match inside the window.
        previous: Seen,
    },
    /// The event holds no value of the new-terms field, so it has no term and cannot alert.
    NoTerm,
}

/// One remembered match: when it happened and the event's 0-based position in the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seen {
    /// The match's time.
    pub time: Millis,
    /// The matching event's 0-based position in the input.
    pub index: u64,
}

/// The times each term matched, per rule. Serializes to JSON so a stream can save it and
/// restore it after a restart.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    rules: BTreeMap<String, BTreeMap<String, Vec<Seen>>>,
}

/// A matching event waiting for its decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// The event's 0-based position in the input.
    pub index: u64,
    /// The event's time, `None` when it has no readable timestamp.
    pub time: Option<Millis>,
    /// The event's terms; more than one when the field holds several values.
    pub terms: Vec<String>,
}

impl State {
    /// Decides every candidate of one rule for one batch and remembers them.
    ///
    /// Returns the decisions in the candidates' order. A candidate without a time is judged
    /// after the timed ones: it repeats if its term has matched at all, and is remembered as
    /// nothing, since it cannot be placed in time.
    pub fn decide(
        &mut self,
        rule: &str,
        window: Millis,
        candidates: &[Candidate],
    ) -> Vec<Decision> {
        let terms = self.rules.entry(rule.to_owned()).or_default();
        let mut order: Vec<usize> = (0..candidates.len()).collect();
        order.sort_by_key(|&i| {
            candidates
                .get(i)
                .map(|c| (c.time.is_none(), c.time.unwrap_or(0), c.index))
        });

        let mut decisions = vec![Decision::NoTerm; candidates.len()];
        for i in order {
            let Some(candidate) = candidates.get(i) else {
                continue;
            };
            let decision = decide_one(terms, window, candidate);
            if let Some(slot) = decisions.get_mut(i) {
                *slot = decision;
            }
        }

        for seen in terms.values_mut() {
            if let Some(newest) = seen.last().map(|s| s.time) {
                let horizon = newest.saturating_sub(window.saturating_mul(2));
                seen.retain(|s| s.time >= horizon);
            }
        }
        decisions
    }

    /// How many terms the state remembers for `rule`.
    pub fn terms(&self, rule: &str) -> usize {
        self.rules.get(rule).map_or(0, BTreeMap::len)
    }
}

fn decide_one(terms: &mut BTreeMap<String, Vec<Seen>>, window: Millis, c: &Candidate) -> Decision {
    if c.terms.is_empty() {
        return Decision::NoTerm;
    }

    let Some(time) = c.time else {
        let previous = c
            .terms
            .iter()
            .filter_map(|term| terms.get(term)?.last().copied())
            .max_by_key(|s| s.time);
        return match previous {
            Some(previous) => Decision::Repeat { previous },
            None => Decision::Alert { previous: None },
        };
    };

    // A multi-valued field alerts when any of its values is new, as Kibana's terms do.
    let mut repeat: Option<Seen> = None;
    let mut outside: Option<Seen> = None;
    let mut any_new = false;
    for term in &c.terms {
        let seen = terms.get(term).map(Vec::as_slice).unwrap_or_default();
        let earlier = seen.partition_point(|s| s.time <= time);
        let latest = earlier.checked_sub(1).and_then(|at| seen.get(at)).copied();
        match latest {
            Some(previous) if time.saturating_sub(previous.time) <= window => {
                repeat = Some(repeat.map_or(previous, |r| {
                    if previous.time > r.time { previous } else { r }
                }));
            }
            other => {
                any_new = true;
                if let Some(previous) = other {
                    outside = Some(outside.map_or(previous, |o| {
                        if previous.time > o.time { previous } else { o }
                    }));
                }
            }
        }
    }

    let seen = Seen {
        time,
        index: c.index,
    };
    for term in &c.terms {
        let list = terms.entry(term.clone()).or_default();
        let at = list.partition_point(|s| s.time <= time);
        list.insert(at, seen);
    }

    match (any_new, repeat) {
        (false, Some(previous)) => Decision::Repeat { previous },
        _ => Decision::Alert { previous: outside },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::DAY;

    fn candidate(index: u64, time: Option<Millis>, term: &str) -> Candidate {
        Candidate {
            index,
            time,
            terms: vec![term.to_owned()],
        }
    }

    fn kinds(decisions: &[Decision]) -> Vec<&'static str> {
        decisions
            .iter()
            .map(|d| match d {
                Decision::Alert { .. } => "alert",
                Decision::Repeat { .. } => "repeat",
                Decision::NoTerm => "no_term",
            })
            .collect()
    }

    #[test]
    fn the_first_match_alerts_and_later_ones_repeat_inside_the_window() {
        let mut state = State::default();
        let batch = [
            candidate(0, Some(0), "alice"),
            candidate(1, Some(DAY), "alice"),
            candidate(2, Some(DAY), "bob"),
            candidate(3, Some(DAY + 7 * DAY + 1), "alice"),
            candidate(4, Some(DAY + 7 * DAY), "bob"),
        ];
        let decisions = state.decide("v5", 7 * DAY, &batch);
        assert_eq!(
            kinds(&decisions),
            ["alert", "repeat", "alert", "alert", "repeat"]
        );
        assert_eq!(
            decisions.get(3),
            Some(&Decision::Alert {
                previous: Some(Seen {
                    time: DAY,
                    index: 1
                })
            })
        );
    }

    #[test]
    fn time_order_decides_not_file_order() {
        let mut state = State::default();
        let batch = [
            candidate(0, Some(5000), "alice"),
            candidate(1, Some(1000), "alice"),
        ];
        let decisions = state.decide("v5", DAY, &batch);
        assert_eq!(kinds(&decisions), ["repeat", "alert"]);
        assert_eq!(
            decisions.first(),
            Some(&Decision::Repeat {
                previous: Seen {
                    time: 1000,
                    index: 1
                }
            })
        );
    }

    #[test]
    fn equal_times_are_taken_in_input_order() {
        let mut state = State::default();
        let batch = [
            candidate(7, Some(1000), "alice"),
            candidate(8, Some(1000), "alice"),
        ];
        assert_eq!(kinds(&state.decide("v5", DAY, &batch)), ["alert", "repeat"]);
    }

    #[test]
    fn state_carries_across_batches_and_rules_are_kept_apart() {
        let mut whole = State::default();
        let all = [
            candidate(0, Some(0), "a"),
            candidate(1, Some(10), "a"),
            candidate(2, Some(20), "b"),
        ];
        let whole_decisions = whole.decide("v5", DAY, &all);

        let mut split = State::default();
        let mut split_decisions = split.decide("v5", DAY, &all[..1]);
        split_decisions.extend(split.decide("v5", DAY, &all[1..]));
        assert_eq!(whole_decisions, split_decisions);
        assert_eq!(whole, split);

        assert_eq!(kinds(&split.decide("v4", DAY, &all[1..2])), ["alert"]);
    }

    #[test]
    fn events_without_a_term_or_a_time() {
        let mut state = State::default();
        let batch = [
            Candidate {
                index: 0,
                time: Some(0),
                terms: Vec::new(),
            },
            candidate(1, None, "a"),
            candidate(2, Some(5), "a"),
            candidate(3, None, "a"),
        ];
        assert_eq!(
            kinds(&state.decide("v5", DAY, &batch)),
            ["no_term", "repeat", "alert", "repeat"]
        );
    }

    #[test]
    fn any_new_value_of_a_multi_valued_field_alerts() {
        let mut state = State::default();
        let terms = |names: &[&str]| names.iter().map(|n| n.to_string()).collect();
        let batch = [
            Candidate {
                index: 0,
                time: Some(0),
                terms: terms(&["a"]),
            },
            Candidate {
                index: 1,
                time: Some(1),
                terms: terms(&["a", "b"]),
            },
            Candidate {
                index: 2,
                time: Some(2),
                terms: terms(&["a", "b"]),
            },
        ];
        assert_eq!(
            kinds(&state.decide("v5", DAY, &batch)),
            ["alert", "alert", "repeat"]
        );
    }

    #[test]
    fn old_times_are_forgotten_two_windows_behind_the_newest() {
        let mut state = State::default();
        let batch = [candidate(0, Some(0), "a"), candidate(1, Some(3 * DAY), "a")];
        state.decide("v5", DAY, &batch);
        let late = [candidate(2, Some(DAY / 2), "a")];
        assert_eq!(kinds(&state.decide("v5", DAY, &late)), ["alert"]);
        assert_eq!(state.terms("v5"), 1);
    }

    #[test]
    fn state_round_trips_through_json() {
        let mut state = State::default();
        state.decide(
            "v5",
            DAY,
            &[candidate(0, Some(42), "arn:aws:iam::1:user/a")],
        );
        let json = serde_json::to_string(&state).unwrap();
        assert_eq!(serde_json::from_str::<State>(&json).unwrap(), state);
    }
}
