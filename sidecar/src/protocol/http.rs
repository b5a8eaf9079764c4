//! Params and result of `http_request`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use ts_rs::TS;

/// Params of `http_request`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HttpRequestParams {
    /// GET, POST, PUT, PATCH, DELETE (also HEAD, OPTIONS).
    pub method: String,
    /// An absolute http(s) URL. Loopback, private, link-local and unspecified addresses are
    /// refused unless their `host[:port]` is one of the session's allowed hosts.
    pub url: String,
    #[serde(default)]
    #[ts(type = "Record<string, string>")]
    pub headers: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub body: Option<String>,
    /// Whole-request time limit in milliseconds (default 60000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub timeout_ms: Option<u64>,
}

/// Result of `http_request`; a non-2xx status is a result, not an error.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HttpResponse {
    pub status: u16,
    /// Header names lower-cased; repeated headers joined with `, `.
    #[ts(type = "Record<string, string>")]
    pub headers: BTreeMap<String, String>,
    /// The body as text (invalid UTF-8 replaced with U+FFFD).
    pub body: String,
}
