//! Params of the SearXNG pair (`test_searxng_connection`, `setup_searxng_config`), the seed's web
//! search setup; the agent's `web_search` tool queries the same server.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Params of `test_searxng_connection`: the SearXNG base URL the user configured
/// (`prototyper.searxng.url`). Answers `true`, or an error that says what to fix.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TestSearxngParams {
    pub url: String,
}
