//! Would Elastic's rule "AWS IAM API Calls via Temporary Session Tokens" alert on these
//! CloudTrail events, and why?
//!
//! ```
//! use cloudtrail_triage::{Engine, Rule, Start, State};
//!
//! let record = r#"{"eventVersion":"1.10","eventTime":"2026-11-20T09:03:40Z",
//!     "eventSource":"iam.amazonaws.com","eventName":"CreateUser","awsRegion":"us-east-1",
//!     "sourceIPAddress":"203.0.113.10","userAgent":"aws-cli/2.22.4",
//!     "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice",
//!     "accountId":"111122223333","accessKeyId":"ASIAALICESESSION0001","userName":"alice"}}"#;
//! let input = format!("{}\n", record.replace('\n', ""));
//!
//! let engine = Engine::new(vec![Rule::builtin("latest")?]);
//! let batch = engine.run(input.as_bytes(), Start::default(), State::default(), false);
//!
//! let result = &batch.results[0];
//! assert!(result.verdict.alert);
//! assert_eq!(result.verdict.reasons[0], "match: all 8 clauses of the query pass");
//! # Ok::<(), cloudtrail_triage::RuleError>(())
//! ```
//!
//! Every event takes one road: [`input`] splits bytes into events, [`normalize`] turns a raw
//! CloudTrail record into the ECS event Elastic's AWS integration indexes, [`enrich`] recovers
//! the console flag from `event.original`, [`kql`] evaluates each rule's query with
//! Elasticsearch's semantics on the field types of [`schema`], [`new_terms`] turns matches
//! into alerts or repeats, and [`verdict`] says why. [`triage::Engine`] runs the road for a
//! batch; the `wasm` module exposes it to JavaScript and is the only code that knows about it.

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod enrich;
pub mod field;
pub mod input;
mod json;
pub mod kql;
pub mod new_terms;
pub mod normalize;
pub mod outline;
pub mod provenance;
pub mod rule;
pub mod schema;
pub mod time;
pub mod triage;
pub mod verdict;

#[cfg(target_arch = "wasm32")]
mod wasm;

pub use input::{Limits, Start};
pub use kql::{ParseError, Query};
pub use rule::{Rule, RuleError};
pub use schema::Schema;
pub use triage::{Batch, Detail, Engine, JsonBatch, NdjsonBatch, State};
