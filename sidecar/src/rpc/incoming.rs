//! What one frame body from the host is: a request, a notification, a response, or something
//! that gets an error answer. Pure (no I/O, no state), so the server loop stays a plain match and
//! the fuzz target can run every byte sequence through exactly what the server does.

use crate::error::{codes, AppError};
use serde_json::Value;

/// One decoded message.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    /// A request: answered exactly once.
    Request { id: Value, method: String, params: Value },
    /// A notification (`exit`, `$/cancelRequest`, …): never answered.
    Notification { method: String, params: Value },
    /// A response to a request the sidecar sent.
    Response(Value),
    /// Not a valid message: answered with `error` under `id` (`null` when no id could be read),
    /// or not at all when `id` is `None` (a broken notification).
    Invalid { id: Option<Value>, error: AppError },
}

/// Classifies a frame body by the JSON-RPC 2.0 rules.
pub fn classify(body: &[u8]) -> Incoming {
    let message: Value = match serde_json::from_slice(body) {
        Ok(message) => message,
        Err(err) => {
            return Incoming::Invalid {
                id: Some(Value::Null),
                error: AppError::new(codes::PARSE_ERROR, format!("Parse error: body is not JSON ({err})")),
            }
        }
    };
    let id = message.get("id").cloned();
    let params = message.get("params").cloned().unwrap_or(Value::Null);
    let Some(method) = message.get("method").and_then(Value::as_str).map(str::to_owned) else {
        if message.get("result").is_some() || message.get("error").is_some() {
            return Incoming::Response(message);
        }
        return Incoming::Invalid {
            id: Some(id.unwrap_or(Value::Null)),
            error: AppError::new(codes::INVALID_REQUEST, "Invalid request: no \"method\""),
        };
    };
    if message.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Incoming::Invalid { id, error: AppError::new(codes::INVALID_REQUEST, "Invalid request: \"jsonrpc\" must be \"2.0\"") };
    }
    let Some(id) = id else {
        return Incoming::Notification { method, params };
    };
    if !(id.is_number() || id.is_string()) {
        return Incoming::Invalid {
            id: Some(Value::Null),
            error: AppError::new(codes::INVALID_REQUEST, "Invalid request: \"id\" must be a number or a string"),
        };
    }
    Incoming::Request { id, method, params }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn messages_are_classified_by_the_json_rpc_rules() {
        let request = classify(br#"{"jsonrpc":"2.0","id":1,"method":"read_file","params":{"path":"a"}}"#);
        assert_eq!(request, Incoming::Request { id: json!(1), method: "read_file".into(), params: json!({"path":"a"}) });
        assert!(matches!(classify(br#"{"jsonrpc":"2.0","method":"exit"}"#), Incoming::Notification { .. }));
        assert!(matches!(classify(br#"{"jsonrpc":"2.0","id":7,"result":null}"#), Incoming::Response(_)));
        let invalid = |body: &[u8]| match classify(body) {
            Incoming::Invalid { id, error } => (id, error.code),
            other => panic!("{other:?}"),
        };
        assert_eq!(invalid(b"nope"), (Some(Value::Null), codes::PARSE_ERROR));
        assert_eq!(invalid(br#"{"jsonrpc":"2.0","id":2}"#), (Some(json!(2)), codes::INVALID_REQUEST));
        assert_eq!(invalid(br#"{"id":3,"method":"x"}"#), (Some(json!(3)), codes::INVALID_REQUEST));
        assert_eq!(invalid(br#"{"method":"x"}"#), (None, codes::INVALID_REQUEST));
        assert_eq!(invalid(br#"{"jsonrpc":"2.0","id":{},"method":"x"}"#), (Some(Value::Null), codes::INVALID_REQUEST));
    }
}
