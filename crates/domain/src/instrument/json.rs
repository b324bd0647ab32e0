//! A JSON reader that remembers where it is, so that every complaint about a definition can
//! name the exact field (`samspor.scales[2].items[4]`) instead of a line and column.

use serde_json::{Map, Value};

/// One problem in a definition, before the file name is attached.
#[derive(Debug)]
pub(super) struct Issue {
    pub field: String,
    pub message: String,
}

pub(super) type Res<T> = Result<T, Issue>;

#[derive(Debug, Clone)]
pub(super) struct Node<'a> {
    pub value: &'a Value,
    pub path: String,
}

impl<'a> Node<'a> {
    pub fn root(value: &'a Value) -> Self {
        Node {
            value,
            path: String::new(),
        }
    }

    pub fn issue(&self, message: impl Into<String>) -> Issue {
        Issue {
            field: self.path.clone(),
            message: message.into(),
        }
    }

    pub fn child_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    fn object(&self) -> Res<&'a Map<String, Value>> {
        self.value
            .as_object()
            .ok_or_else(|| self.issue(format!("expected an object, found {}", kind(self.value))))
    }

    /// A required member; `null` counts as missing.
    pub fn get(&self, key: &str) -> Res<Node<'a>> {
        self.opt(key)?.ok_or_else(|| Issue {
            field: self.child_path(key),
            message: "missing".into(),
        })
    }

    /// An optional member; `null` counts as absent.
    pub fn opt(&self, key: &str) -> Res<Option<Node<'a>>> {
        Ok(self
            .object()?
            .get(key)
            .filter(|v| !v.is_null())
            .map(|value| Node {
                value,
                path: self.child_path(key),
            }))
    }

    /// Our own section is strict: a misspelt key would otherwise silently change scoring.
    pub fn only_keys(&self, allowed: &[&str]) -> Res<()> {
        for key in self.object()?.keys() {
            if !allowed.contains(&key.as_str()) {
                return Err(Issue {
                    field: self.child_path(key),
                    message: format!("unknown field; expected one of {}", allowed.join(", ")),
                });
            }
        }
        Ok(())
    }

    /// A string with something in it besides white space.
    pub fn text(&self) -> Res<&'a str> {
        match self.value.as_str() {
            Some(s) if !s.trim().is_empty() => Ok(s),
            Some(_) => Err(self.issue("must not be blank")),
            None => Err(self.issue(format!("expected a string, found {}", kind(self.value)))),
        }
    }

    pub fn int(&self) -> Res<i64> {
        self.value.as_i64().ok_or_else(|| {
            self.issue(format!(
                "expected a whole number, found {}",
                kind(self.value)
            ))
        })
    }

    pub fn uint(&self) -> Res<u32> {
        let n = self.int()?;
        u32::try_from(n).map_err(|_| self.issue(format!("must be a whole number from 0, not {n}")))
    }

    pub fn number(&self) -> Res<f64> {
        self.value
            .as_f64()
            .filter(|n| n.is_finite())
            .ok_or_else(|| self.issue(format!("expected a number, found {}", kind(self.value))))
    }

    pub fn boolean(&self) -> Res<bool> {
        self.value.as_bool().ok_or_else(|| {
            self.issue(format!(
                "expected true or false, found {}",
                kind(self.value)
            ))
        })
    }

    pub fn array(&self) -> Res<Vec<Node<'a>>> {
        let items = self
            .value
            .as_array()
            .ok_or_else(|| self.issue(format!("expected a list, found {}", kind(self.value))))?;
        Ok(items
            .iter()
            .enumerate()
            .map(|(i, value)| Node {
                value,
                path: format!("{}[{i}]", self.path),
            })
            .collect())
    }

    pub fn non_empty_array(&self) -> Res<Vec<Node<'a>>> {
        let items = self.array()?;
        if items.is_empty() {
            return Err(self.issue("must not be empty"));
        }
        Ok(items)
    }

    /// The members of an object as (key, node) pairs, in key order.
    pub fn entries(&self) -> Res<Vec<(&'a str, Node<'a>)>> {
        Ok(self
            .object()?
            .iter()
            .map(|(k, value)| {
                (
                    k.as_str(),
                    Node {
                        value,
                        path: self.child_path(k),
                    },
                )
            })
            .collect())
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "true/false",
        Value::Number(n) if n.is_i64() || n.is_u64() => "a whole number",
        Value::Number(_) => "a decimal number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Names in our section (scales, bands, alert codes) become JSON keys and CSS classes
/// elsewhere, so they are kept to a safe alphabet.
pub(super) fn identifier(node: &Node<'_>) -> Res<String> {
    let s = node.text()?;
    let ok = s
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && s.starts_with(|c: char| c.is_ascii_lowercase());
    if ok {
        Ok(s.to_string())
    } else {
        Err(node.issue(format!(
            "\"{s}\" must be lower-case letters, digits and _ and start with a letter"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_name_the_member_and_index() {
        let v = json!({"a": {"b": [1, "x"]}});
        let root = Node::root(&v);
        let list = root.get("a").unwrap().get("b").unwrap().array().unwrap();
        assert_eq!(list[1].path, "a.b[1]");
        let err = list[1].int().unwrap_err();
        assert_eq!(err.field, "a.b[1]");
        assert_eq!(err.message, "expected a whole number, found a string");
        let missing = root.get("a").unwrap().get("c").unwrap_err();
        assert_eq!(
            (missing.field.as_str(), missing.message.as_str()),
            ("a.c", "missing")
        );
    }

    #[test]
    fn null_is_absent_and_unknown_keys_are_named() {
        let v = json!({"a": null, "zz": 1});
        let root = Node::root(&v);
        assert!(root.opt("a").unwrap().is_none());
        let err = root.only_keys(&["a"]).unwrap_err();
        assert_eq!(err.field, "zz");
    }

    #[test]
    fn identifiers_are_checked() {
        for (s, ok) in [
            ("total_difficulties", true),
            ("q9", true),
            ("Total", false),
            ("9a", false),
            ("a-b", false),
        ] {
            let v = json!(s);
            assert_eq!(identifier(&Node::root(&v)).is_ok(), ok, "{s}");
        }
    }
}
