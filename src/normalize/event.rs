//! The event being built.

use serde_json::{Map, Value, json};

use super::{ECS_VERSION, lookup};
use crate::field;

/// The event being built, and its `related.*` values, which are written last.
#[derive(Default)]
pub struct Event {
    doc: Value,
    cloudtrail: Value,
    pub related: Related,
}

/// Values of `related.*`, each distinct, in the order found.
#[derive(Default)]
pub struct Related {
    pub user: Vec<String>,
    pub ip: Vec<String>,
    pub entity: Vec<String>,
}

impl Related {
    pub fn add_user(&mut self, name: &str) {
        if !name.is_empty() && !self.user.iter().any(|seen| seen == name) {
            self.user.push(name.to_owned());
        }
    }
}

impl Event {
    /// Sets `path`; fields under `aws.cloudtrail` are kept apart and written last.
    pub fn set(&mut self, path: &str, value: Value) {
        if let Some(path) = path.strip_prefix("aws.cloudtrail.") {
            self.set_cloudtrail(path, value);
            return;
        }
        if !self.doc.is_object() {
            self.doc = Value::Object(Map::new());
        }
        field::insert(&mut self.doc, path, value);
    }

    pub fn set_text(&mut self, path: &str, text: &str) {
        self.set(path, Value::String(text.to_owned()));
    }

    /// Sets `path` under `aws.cloudtrail`.
    pub fn set_cloudtrail(&mut self, path: &str, value: Value) {
        if !self.cloudtrail.is_object() {
            self.cloudtrail = Value::Object(Map::new());
        }
        field::insert(&mut self.cloudtrail, path, value);
    }

    /// Copies the record's field `from`, whatever it holds, to `to`.
    pub fn copy(&mut self, json: &Value, from: &str, to: &str) {
        if let Some(value) = lookup(json, from) {
            self.set(to, value.clone());
        }
    }

    pub fn finish(mut self) -> Value {
        let related = std::mem::take(&mut self.related);
        for (name, values) in [
            ("user", related.user),
            ("ip", related.ip),
            ("entity", related.entity),
        ] {
            if !values.is_empty() {
                let values = values.into_iter().map(Value::String).collect();
                self.set(&format!("related.{name}"), Value::Array(values));
            }
        }
        if let Value::Object(cloudtrail) = std::mem::take(&mut self.cloudtrail) {
            self.set("aws", json!({ "cloudtrail": cloudtrail }));
        }
        self.set_text("ecs.version", ECS_VERSION);
        self.doc
    }
}
