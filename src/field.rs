//! Field lookup over nested, flat dotted and mixed documents.
//!
//! Elasticsearch indexes `{"source":{"ip":"1.2.3.4"}}`, `{"source.ip":"1.2.3.4"}` and
//! `{"source":{}, "source.ip":"1.2.3.4"}` as the same field `source.ip`, and flattens objects
//! inside arrays, so `{"a":[{"b":1},{"b":2}]}` holds the two values `1` and `2` under `a.b`.
//! [`values`] reads a document the same way, so a query sees what Elasticsearch would index.

use serde_json::{Map, Value};

/// A document whose fields are read by dotted path: a whole [`Value`], or an
/// [`Outline`](crate::outline::Outline) that holds only the fields an engine reads.
pub trait Fields {
    /// Every value under the dotted `path`, as [`values`] finds them in the whole document.
    fn values(&self, path: &str) -> Vec<&Value>;

    /// The whole document, when this is one: free text and wildcard field names look at every
    /// field, which only the whole document has.
    fn whole(&self) -> Option<&Value>;
}

impl Fields for Value {
    fn values(&self, path: &str) -> Vec<&Value> {
        values(self, path)
    }

    fn whole(&self) -> Option<&Value> {
        Some(self)
    }
}

/// Every value a document holds under the dotted `path`, arrays flattened, in document order.
///
/// Nulls are kept (a query decides what they mean); an empty array contributes nothing. A path
/// that ends on an object yields the object itself, which only an exists test looks at.
///
/// ```
/// use serde_json::json;
/// use cloudtrail_triage::field::values;
///
/// let doc = json!({"source": {"ip": "10.0.0.1"}, "aws.cloudtrail": {"user_identity": {"arn": "a"}}});
/// assert_eq!(values(&doc, "source.ip"), [&json!("10.0.0.1")]);
/// assert_eq!(values(&doc, "aws.cloudtrail.user_identity.arn"), [&json!("a")]);
/// ```
pub fn values<'a>(doc: &'a Value, path: &str) -> Vec<&'a Value> {
    let mut found = Vec::new();
    collect(doc, path, &mut found);
    found
}

/// The first string value under `path`, if any.
pub fn first_str<'a>(doc: &'a dyn Fields, path: &str) -> Option<&'a str> {
    doc.values(path).into_iter().find_map(Value::as_str)
}

/// Whether the document holds any value under `path`, null included.
pub fn is_present(doc: &dyn Fields, path: &str) -> bool {
    !doc.values(path).is_empty()
}

fn collect<'a>(value: &'a Value, path: &str, found: &mut Vec<&'a Value>) {
    match value {
        Value::Object(map) => collect_in_object(map, path, found),
        Value::Array(items) => {
            for item in items {
                collect(item, path, found);
            }
        }
        _ => {}
    }
}

fn collect_in_object<'a>(map: &'a Map<String, Value>, path: &str, found: &mut Vec<&'a Value>) {
    for (key, child) in map {
        if key == path {
            push_leaves(child, found);
        } else if let Some(rest) = path
            .strip_prefix(key.as_str())
            .and_then(|rest| rest.strip_prefix('.'))
        {
            collect(child, rest, found);
        }
    }
}

fn push_leaves<'a>(value: &'a Value, found: &mut Vec<&'a Value>) {
    match value {
        Value::Array(items) => {
            for item in items {
                push_leaves(item, found);
            }
        }
        _ => found.push(value),
    }
}

/// Sets `path` to `value` in a nested document, creating the objects on the way.
///
/// A segment already held by a non-object value (or a flat dotted key that covers part of the
/// path) is left alone: the value is then written as the flat dotted key at the deepest object
/// reached, so nothing already in the document is overwritten or lost.
pub fn insert(doc: &mut Value, path: &str, value: Value) {
    let Value::Object(map) = doc else {
        return;
    };
    insert_in_object(map, path, value);
}

fn insert_in_object(map: &mut Map<String, Value>, path: &str, value: Value) {
    let Some((head, rest)) = path.split_once('.') else {
        map.insert(path.to_owned(), value);
        return;
    };

    let descend = match map.get(head) {
        None => true,
        Some(existing) => existing.is_object(),
    };
    if !descend {
        map.insert(path.to_owned(), value);
        return;
    }

    let child = map
        .entry(head.to_owned())
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(child) = child {
        insert_in_object(child, rest, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_flat_and_mixed_documents_agree() {
        let nested = json!({"aws": {"cloudtrail": {"user_identity": {"arn": "x"}}}});
        let flat = json!({"aws.cloudtrail.user_identity.arn": "x"});
        let mixed = json!({"aws.cloudtrail": {"user_identity.arn": "x"}});
        for doc in [nested, flat, mixed] {
            assert_eq!(
                values(&doc, "aws.cloudtrail.user_identity.arn"),
                [&json!("x")]
            );
        }
    }

    #[test]
    fn values_from_every_spelling_are_merged() {
        let doc = json!({"source": {"ip": "1.1.1.1"}, "source.ip": "2.2.2.2"});
        assert_eq!(
            values(&doc, "source.ip"),
            [&json!("1.1.1.1"), &json!("2.2.2.2")]
        );
    }

    #[test]
    fn arrays_of_objects_are_flattened() {
        let doc = json!({"a": [{"b": 1}, {"b": [2, 3]}, {"c": 4}], "a.b": []});
        assert_eq!(values(&doc, "a.b"), [&json!(1), &json!(2), &json!(3)]);
    }

    #[test]
    fn a_key_that_only_shares_a_prefix_is_not_a_parent() {
        let doc = json!({"source_ip": "1.1.1.1", "sourceip": {"x": 1}});
        assert!(values(&doc, "source.ip").is_empty());
        assert!(values(&doc, "sourceip.x").len() == 1);
    }

    #[test]
    fn null_is_a_value_and_an_empty_array_is_not() {
        let doc = json!({"a": null, "b": []});
        assert_eq!(values(&doc, "a"), [&Value::Null]);
        assert!(values(&doc, "b").is_empty());
        assert!(is_present(&doc, "a"));
        assert!(!is_present(&doc, "b"));
    }

    #[test]
    fn insert_creates_objects_and_keeps_what_is_there() {
        let mut doc = json!({"aws": {"cloudtrail": {"event_version": "1.08"}}});
        insert(
            &mut doc,
            "aws.cloudtrail.session_credential_from_console",
            json!("true"),
        );
        assert_eq!(
            doc,
            json!({"aws": {"cloudtrail": {
                "event_version": "1.08",
                "session_credential_from_console": "true"
            }}})
        );

        let mut blocked = json!({"aws": "not an object"});
        insert(&mut blocked, "aws.cloudtrail.x", json!(1));
        assert_eq!(
            blocked,
            json!({"aws": "not an object", "aws.cloudtrail.x": 1})
        );
    }
}
