//! Field types, which decide how a query value compares with what an event holds.
//!
//! Elasticsearch compares `source.ip: 10.0.0.0/8` as a CIDR block because `source.ip` is mapped
//! as `ip`, and `event.outcome: success` as an exact term because `event.outcome` is a
//! `keyword`. [`Schema::cloudtrail`] holds the mappings of Elastic's `logs-aws.cloudtrail-*` data
//! stream for every field the rule's versions and their investigation fields use; any other field
//! is a `keyword`, which is what Elasticsearch's dynamic mapping gives a string in that stream.

use std::collections::{BTreeMap, HashMap};

/// How Elasticsearch indexes a field, as far as query evaluation is concerned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldType {
    /// Exact, case-sensitive terms; numbers and booleans are indexed as their text.
    Keyword,
    /// A keyword whose single value is fixed by the mapping: every document in the index holds
    /// it, whether or not its source does.
    ConstantKeyword(String),
    /// Analyzed text: lower-cased words, matched as words or phrases.
    Text,
    /// An IPv4 or IPv6 address, queried by address or CIDR block.
    Ip,
    /// `true` or `false`.
    Boolean,
    /// A point in time, compared as milliseconds since the Unix epoch.
    Date,
    /// A number, compared numerically.
    Number,
}

/// The field types a query is evaluated against.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Schema {
    fields: BTreeMap<String, FieldType>,
    /// The same mappings, hashed: every clause of every event looks its fields up, and a
    /// search of the ordered map compares long common prefixes ("aws.cloudtrail.…") byte by
    /// byte, which in wasm cost a few percent of a run.
    lookup: HashMap<String, FieldType, foldhash::fast::FixedState>,
}

impl Schema {
    /// A schema in which every field is a keyword.
    pub fn empty() -> Self {
        Self::default()
    }

    /// The mappings of Elastic's CloudTrail data stream (`logs-aws.cloudtrail-*`).
    pub fn cloudtrail() -> Self {
        let constant = || FieldType::ConstantKeyword("aws.cloudtrail".to_owned());
        let mut schema = Self::empty();
        for (name, kind) in [
            ("data_stream.dataset", constant()),
            ("event.dataset", constant()),
            (
                "data_stream.type",
                FieldType::ConstantKeyword("logs".to_owned()),
            ),
            ("source.ip", FieldType::Ip),
            ("related.ip", FieldType::Ip),
            ("@timestamp", FieldType::Date),
            ("event.ingested", FieldType::Date),
            ("event.created", FieldType::Date),
            ("event.start", FieldType::Date),
            ("event.end", FieldType::Date),
            ("user_agent.original.text", FieldType::Text),
            ("message", FieldType::Text),
            ("source.port", FieldType::Number),
            ("source.as.number", FieldType::Number),
            ("event.duration", FieldType::Number),
            ("aws.cloudtrail.management_event", FieldType::Boolean),
            ("aws.cloudtrail.read_only", FieldType::Boolean),
            (
                "aws.cloudtrail.user_identity.session_context.creation_date",
                FieldType::Date,
            ),
            (
                "aws.cloudtrail.user_identity.session_context.mfa_authenticated",
                FieldType::Keyword,
            ),
            ("aws.cloudtrail.digest.start_time", FieldType::Date),
            ("aws.cloudtrail.digest.end_time", FieldType::Date),
            (
                "aws.cloudtrail.console_login.additional_eventdata.mfa_used",
                FieldType::Boolean,
            ),
            (
                "aws.cloudtrail.console_login.additional_eventdata.mobile_version",
                FieldType::Boolean,
            ),
        ] {
            schema.set(name, kind);
        }
        schema
    }

    /// Maps `field` to `kind`, replacing any earlier mapping.
    pub fn set(&mut self, field: &str, kind: FieldType) {
        self.lookup.insert(field.to_owned(), kind.clone());
        self.fields.insert(field.to_owned(), kind);
    }

    /// The type of `field`: its mapping, or `Keyword` for a field the schema does not know.
    pub fn field_type(&self, field: &str) -> &FieldType {
        self.lookup.get(field).unwrap_or(&FieldType::Keyword)
    }

    /// Every field the schema maps, in name order.
    pub fn fields(&self) -> impl Iterator<Item = (&str, &FieldType)> {
        self.fields.iter().map(|(name, kind)| (name.as_str(), kind))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_fields_have_the_data_stream_types() {
        let schema = Schema::cloudtrail();
        let constant = FieldType::ConstantKeyword("aws.cloudtrail".to_owned());
        assert_eq!(schema.field_type("data_stream.dataset"), &constant);
        assert_eq!(schema.field_type("event.dataset"), &constant);
        assert_eq!(schema.field_type("source.ip"), &FieldType::Ip);
        assert_eq!(schema.field_type("event.ingested"), &FieldType::Date);
        for keyword in [
            "event.provider",
            "event.outcome",
            "aws.cloudtrail.user_identity.type",
            "aws.cloudtrail.user_identity.access_key_id",
            "aws.cloudtrail.user_identity.arn",
            "aws.cloudtrail.session_credential_from_console",
            "user_agent.original",
            "source.address",
        ] {
            assert_eq!(schema.field_type(keyword), &FieldType::Keyword, "{keyword}");
        }
    }
}
