//! Evaluates Elastic's CloudTrail detection rule on real events and says why.

pub mod enrich;
pub mod field;
pub mod input;
pub mod kql;
pub mod new_terms;
pub mod normalize;
pub mod rule;
pub mod schema;
pub mod time;
pub mod verdict;
