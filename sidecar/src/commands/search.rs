//! Web search through the user's own SearXNG: the seed's `test_searxng_connection {url}` and
//! `setup_searxng_config {}`, and `search`, which the agent's `web_search` tool uses.
//!
//! A SearXNG instance usually runs on the user's machine (loopback), which the HTTP guard refuses
//! for `http_request`. The SearXNG URL is the user's configuration (`prototyper.searxng.url`, which
//! the host passes in), so its own `host:port`, and only that, is let through for these requests.
//! Everything else about the guard holds: http(s) only, the checked addresses are the ones
//! connected to, and redirects are not followed.

use crate::command;
use crate::commands::http::check_destination;
use crate::confine::RelPath;
use crate::context::RequestContext;
use crate::dispatch::Command;
use crate::error::AppError;
use crate::permissions::{Effect, Group};
use crate::protocol::search::TestSearxngParams;
use serde::Deserialize;
use serde_json::Value;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use url::{Host, Url};

const SEARCH_TIMEOUT: Duration = Duration::from_secs(20);
const SETTINGS_FILE: &str = ".searxng/settings.yml";
const FORMAT_HINT: &str = "SearXNG answers JSON only when \"json\" is in search.formats of its settings.yml ('Prototyper: Set Up SearXNG Config' writes one)";

pub fn commands() -> Vec<Command> {
    vec![
        command!("test_searxng_connection", Group::Http, Effect::Read, test_searxng_connection),
        command!("setup_searxng_config", Group::Store, Effect::WriteStorage, setup_searxng_config),
    ]
}

/// One search result.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Hit {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub content: String,
}

/// The configured base URL, checked.
pub fn base_url(raw: &str) -> Result<Url, AppError> {
    let raw = raw.trim();
    let url = Url::parse(raw).map_err(|err| {
        AppError::invalid_params(format!("the SearXNG URL '{raw}' is not a URL ({err}); set prototyper.searxng.url to e.g. http://localhost:8888"))
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(AppError::invalid_params(format!("the SearXNG URL '{raw}' must be an http:// or https:// URL with a host (e.g. http://localhost:8888)")));
    }
    Ok(url)
}

/// `{base}/search?q=…&format=json`.
fn search_url(base: &Url, query: &str) -> Url {
    let mut url = base.clone();
    let path = format!("{}/search", base.path().trim_end_matches('/'));
    url.set_path(&path);
    url.set_fragment(None);
    url.query_pairs_mut().clear().append_pair("q", query).append_pair("format", "json");
    url
}

/// The allowed hosts plus the SearXNG instance's own `host:port`.
fn allowed_with(allowed: &[String], base: &Url) -> Vec<String> {
    let mut allowed = allowed.to_vec();
    if let (Some(host), Some(port)) = (base.host_str(), base.port_or_known_default()) {
        allowed.push(format!("{host}:{port}"));
    }
    allowed
}

/// Runs one search and returns the results; errors say what to fix.
pub async fn search(allowed: &[String], base: &Url, query: &str, cancel: &CancellationToken) -> Result<Vec<Hit>, AppError> {
    let url = search_url(base, query);
    let allowed = allowed_with(allowed, base);
    let exchange = async {
        let addresses = check_destination(&allowed, &url).await?;
        let mut builder = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).timeout(SEARCH_TIMEOUT).no_proxy();
        if let Some(Host::Domain(domain)) = url.host() {
            builder = builder.resolve_to_addrs(domain, &addresses);
        }
        let client = builder.build().map_err(|err| AppError::internal(format!("cannot build the HTTP client: {err}")))?;
        let response = client.get(url.clone()).header("accept", "application/json").send().await.map_err(|err| {
            if err.is_timeout() {
                AppError::http(format!("SearXNG at {base} did not answer within {} s; check that it is running", SEARCH_TIMEOUT.as_secs()))
            } else {
                AppError::http(format!("could not reach SearXNG at {base} ({err}); check that it is running and prototyper.searxng.url"))
            }
        })?;
        let status = response.status();
        if status.is_redirection() {
            return Err(AppError::http(format!("SearXNG at {base} answered with a redirect ({status}); set prototyper.searxng.url to the address it redirects to")));
        }
        if status == reqwest::StatusCode::FORBIDDEN {
            return Err(AppError::http(format!("SearXNG at {base} refused the JSON format (403 Forbidden): {FORMAT_HINT}")));
        }
        if !status.is_success() {
            return Err(AppError::http(format!("SearXNG at {base} answered {status} to /search; check its log")));
        }
        let body: Value = response
            .json()
            .await
            .map_err(|_| AppError::http(format!("SearXNG at {base} did not answer JSON to format=json: {FORMAT_HINT}")))?;
        let Some(results) = body.get("results").and_then(Value::as_array) else {
            return Err(AppError::http(format!("SearXNG at {base} answered JSON without \"results\"; is it a SearXNG instance?")));
        };
        Ok(results.iter().filter_map(|r| serde_json::from_value::<Hit>(r.clone()).ok()).collect())
    };
    tokio::select! {
        result = exchange => result,
        _ = cancel.cancelled() => Err(AppError::cancelled()),
    }
}

async fn test_searxng_connection(context: RequestContext, params: TestSearxngParams) -> Result<bool, AppError> {
    let base = base_url(&params.url)?;
    search(&context.session.allowed_hosts, &base, "test", &context.cancel).await?;
    Ok(true)
}

/// Writes `<storage>/.searxng/settings.yml` (the defaults plus the JSON format) unless one with the
/// JSON format is there already, and answers its absolute path: mount its folder into a SearXNG
/// container as /etc/searxng.
async fn setup_searxng_config(context: RequestContext, _params: Value) -> Result<String, AppError> {
    let storage = context.session.storage.clone();
    tokio::task::spawn_blocking(move || {
        let path = RelPath::parse(SETTINGS_FILE)?;
        let existing = storage.read_existing(&path, 1024 * 1024).map_err(|err| err.to_app_error(&path, "read"))?;
        let has_json = existing.is_some_and(|bytes| String::from_utf8_lossy(&bytes).lines().any(|line| line.trim() == "- json"));
        if !has_json {
            let mut secret = [0u8; 32];
            getrandom::getrandom(&mut secret).map_err(|err| AppError::internal(format!("no random numbers for the secret key: {err}")))?;
            let secret: String = secret.iter().map(|b| format!("{b:02x}")).collect();
            let text = format!(
                "# SearXNG settings written by Prototyper: SearXNG's defaults, plus the JSON output that\n\
                 # Prototyper's web search reads. Mount this folder into the container as /etc/searxng.\n\
                 use_default_settings: true\n\
                 server:\n  secret_key: \"{secret}\"\n  limiter: false\n\
                 search:\n  formats:\n    - html\n    - json\n"
            );
            storage.write_atomic(&path, text.as_bytes()).map_err(|err| err.to_app_error(&path, "write"))?;
        }
        Ok(storage.path().join(SETTINGS_FILE).display().to_string())
    })
    .await
    .map_err(|err| AppError::internal(format!("writing the SearXNG settings failed unexpectedly ({err})")))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_urls_keep_the_base_path() {
        let url = search_url(&base_url("http://localhost:8888").unwrap(), "rust zip");
        assert_eq!(url.as_str(), "http://localhost:8888/search?q=rust+zip&format=json");
        let url = search_url(&base_url("https://example.org/searx/").unwrap(), "a&b");
        assert_eq!(url.as_str(), "https://example.org/searx/search?q=a%26b&format=json");
        assert!(base_url("ftp://x").is_err());
        assert!(base_url("localhost:8888").is_err());
    }

    #[test]
    fn only_the_configured_instance_is_added() {
        let allowed = allowed_with(&["localhost:11434".into()], &base_url("http://127.0.0.1:8888/").unwrap());
        assert_eq!(allowed, ["localhost:11434", "127.0.0.1:8888"]);
    }
}
