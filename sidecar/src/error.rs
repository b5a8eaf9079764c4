//! The sidecar's error model: JSON-RPC protocol faults and documented domain faults.
//!
//! Every handler returns `Result<_, AppError>`. An `AppError` becomes a JSON-RPC error object whose
//! `code` tells the host what kind of fault it was and whose `message` names the thing and the fix.
//! The codes are part of the wire contract (ARCHITECTURE.md lists them); never renumber one.

use serde_json::Value;
use std::fmt;

/// JSON-RPC and application error codes. Protocol codes come from JSON-RPC / LSP; domain codes
/// live in the implementation-defined server range -32000..=-32099.
pub mod codes {
    pub const PARSE_ERROR: i64 = -32700;
    pub const INVALID_REQUEST: i64 = -32600;
    pub const METHOD_NOT_FOUND: i64 = -32601;
    pub const INVALID_PARAMS: i64 = -32602;
    pub const INTERNAL_ERROR: i64 = -32603;
    pub const SERVER_NOT_INITIALIZED: i64 = -32002;
    pub const REQUEST_CANCELLED: i64 = -32800;

    pub const NOT_FOUND: i64 = -32010;
    pub const IO: i64 = -32011;
    pub const SECURITY: i64 = -32012;
    pub const HTTP: i64 = -32013;
    pub const PROCESS: i64 = -32014;
    pub const PERMISSION_NOT_GRANTED: i64 = -32015;
    pub const PROVIDER: i64 = -32016;
    pub const PROTOCOL_VERSION: i64 = -32017;
}

/// A fault a command reports to its caller.
#[derive(Debug, Clone, PartialEq)]
pub struct AppError {
    pub code: i64,
    pub message: String,
    /// Optional structured detail (e.g. the permission group and the capability file).
    pub data: Option<Value>,
}

impl AppError {
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        AppError { code, message: message.into(), data: None }
    }
    pub fn with_data(mut self, data: Value) -> Self {
        self.data = Some(data);
        self
    }
    pub fn invalid_params(message: impl Into<String>) -> Self {
        Self::new(codes::INVALID_PARAMS, message)
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(codes::INTERNAL_ERROR, message)
    }
    pub fn cancelled() -> Self {
        Self::new(codes::REQUEST_CANCELLED, "Request cancelled")
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(codes::NOT_FOUND, format!("Not found: {}", message.into()))
    }
    pub fn io(message: impl Into<String>) -> Self {
        Self::new(codes::IO, format!("IO error: {}", message.into()))
    }
    pub fn security(message: impl Into<String>) -> Self {
        Self::new(codes::SECURITY, format!("Security error: {}", message.into()))
    }
    pub fn http(message: impl Into<String>) -> Self {
        Self::new(codes::HTTP, format!("HTTP error: {}", message.into()))
    }
    pub fn process(message: impl Into<String>) -> Self {
        Self::new(codes::PROCESS, format!("Process error: {}", message.into()))
    }
    pub fn provider(message: impl Into<String>) -> Self {
        Self::new(codes::PROVIDER, message)
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AppError {}

/// Maps an I/O error on `path` to the error a user can act on: a missing file is "not found",
/// everything else is an I/O fault. Both name the path.
pub fn io_error_at(path: &str, err: std::io::Error) -> AppError {
    match err.kind() {
        std::io::ErrorKind::NotFound => AppError::not_found(format!("{path} does not exist ({err})")),
        _ => AppError::io(format!("{path}: {err}")),
    }
}
