//! The http command group: `http_request {method, url, headers, body?}` → `{status, headers, body}`.
//!
//! Server-side request forgery guard: the URL's host is resolved and every address checked;
//! loopback, private, link-local, unspecified (and similar non-public) addresses are refused unless
//! the URL's `host[:port]` is one of the session's allowed hosts (the model hosts the user
//! configured). The connection is pinned to the checked addresses, so a DNS answer that changes
//! between check and connect (rebinding) cannot slip through, and redirects are followed by hand
//! with the same check at every hop. When a redirect changes the origin (scheme, host or port),
//! credentials are dropped before the next hop, as browsers and curl do: `Authorization`,
//! `Proxy-Authorization`, `Cookie` and every header whose name says it carries a key, token,
//! secret or session. `check_destination` is public for other groups' HTTP.

use crate::context::RequestContext;
use crate::dispatch::Command;
use crate::error::AppError;
use crate::permissions::{Effect, Group};
use crate::protocol::http::{HttpRequestParams, HttpResponse};
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;
use url::{Host, Url};

/// Whole-request time limit unless the caller passes `timeoutMs`.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_REDIRECTS: usize = 10;
/// Responses larger than this are refused rather than held in memory and sent over the pipe.
const MAX_BODY_BYTES: usize = 50 * 1024 * 1024;

pub fn commands() -> Vec<Command> {
    vec![crate::command!("http_request", Group::Http, Effect::Read, http_request)]
}

/// True for addresses that are not on the public internet: loopback, private, link-local,
/// unspecified, shared (CGNAT), benchmark, documentation, multicast, broadcast, and IPv6 unique
/// local / link-local / site-local, including IPv4 addresses mapped into IPv6.
pub fn is_non_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_non_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_non_public_v4(v4);
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (first & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (first & 0xffc0) == 0xfec0 // site-local fec0::/10 (deprecated)
                || v6 == Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 1)
                || (first == 0x64 && v6.segments()[1] == 0xff9b) // NAT64 64:ff9b::/96 embeds IPv4
                || (first == 0x2001 && v6.segments()[1] == 0x0db8) // documentation
        }
    }
}

fn is_non_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || a >= 240 // reserved
}

/// True when `url`'s host (and port, if the entry names one) is in `allowed`. Entries may be
/// `host`, `host:port`, `[v6]:port`, or a URL such as `http://localhost:11434`.
pub fn is_allowed_host(allowed: &[String], url: &Url) -> bool {
    let Some(host) = url.host_str() else { return false };
    let host = host.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
    let port = url.port_or_known_default();
    allowed.iter().any(|entry| {
        let entry = entry.trim();
        let parsed = if entry.contains("://") { Url::parse(entry).ok() } else { Url::parse(&format!("http://{entry}")).ok() };
        let Some(parsed) = parsed else { return false };
        let Some(entry_host) = parsed.host_str() else { return false };
        let entry_host = entry_host.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
        // A port is only required to match when the entry names one (explicitly, or as a URL).
        let names_port = parsed.port().is_some() || entry.contains("://");
        entry_host == host && (!names_port || parsed.port_or_known_default() == port)
    })
}

/// Checks that `url` may be fetched and returns the addresses to connect to. Refuses non-public
/// addresses (any of the host's addresses) unless the host is allowed.
pub async fn check_destination(allowed: &[String], url: &Url) -> Result<Vec<SocketAddr>, AppError> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(AppError::invalid_params(format!(
            "bad URL '{url}': only http:// and https:// URLs can be requested"
        )));
    }
    let port = url.port_or_known_default().unwrap_or(80);
    let addresses: Vec<SocketAddr> = match url.host() {
        None => return Err(AppError::invalid_params(format!("bad URL '{url}': it has no host"))),
        Some(Host::Ipv4(ip)) => vec![SocketAddr::new(IpAddr::V4(ip), port)],
        Some(Host::Ipv6(ip)) => vec![SocketAddr::new(IpAddr::V6(ip), port)],
        Some(Host::Domain(domain)) => tokio::net::lookup_host((domain, port))
            .await
            .map_err(|err| AppError::http(format!("cannot resolve the host '{domain}' ({err}); check the URL and your network")))?
            .collect(),
    };
    if addresses.is_empty() {
        return Err(AppError::http(format!("the host of '{url}' has no addresses; check the URL")));
    }
    if is_allowed_host(allowed, url) {
        return Ok(addresses);
    }
    if let Some(blocked) = addresses.iter().find(|address| is_non_public(address.ip())) {
        let host = url.host_str().unwrap_or_default();
        let host_port = match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_string(),
        };
        return Err(AppError::security(format!(
            "the request to '{url}' was refused: {host} is a loopback, private or link-local address ({}), which http_request does not reach. The configured model hosts are allowed; to reach another local server, add '{host_port}' to the hosts Prototyper allows (the initialize capability allowedHosts).",
            blocked.ip()
        )));
    }
    Ok(addresses)
}

async fn http_request(context: RequestContext, params: HttpRequestParams) -> Result<HttpResponse, AppError> {
    let cancel = context.cancel.clone();
    tokio::select! {
        result = perform(&context, params) => result,
        _ = cancel.cancelled() => Err(AppError::cancelled()),
    }
}

async fn perform(context: &RequestContext, params: HttpRequestParams) -> Result<HttpResponse, AppError> {
    let mut method = reqwest::Method::from_bytes(params.method.trim().to_ascii_uppercase().as_bytes())
        .ok()
        .filter(|m| ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"].contains(&m.as_str()))
        .ok_or_else(|| {
            AppError::invalid_params(format!(
                "unsupported HTTP method '{}': use GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS",
                params.method
            ))
        })?;
    let mut url = Url::parse(params.url.trim())
        .map_err(|err| AppError::invalid_params(format!("bad URL '{}': {err}; pass an absolute http(s) URL", params.url)))?;
    let mut headers = reqwest::header::HeaderMap::new();
    for (name, value) in &params.headers {
        let header_name = reqwest::header::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| AppError::invalid_params(format!("bad header name '{name}'")))?;
        let header_value = reqwest::header::HeaderValue::from_str(value)
            .map_err(|_| AppError::invalid_params(format!("bad value for header '{name}' (control characters?)")))?;
        headers.append(header_name, header_value);
    }
    let timeout = params.timeout_ms.map(Duration::from_millis).unwrap_or(DEFAULT_TIMEOUT);
    let mut body = params.body;
    let allowed = &context.session.allowed_hosts;
    for _ in 0..=MAX_REDIRECTS {
        let addresses = check_destination(allowed, &url).await?;
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(timeout);
        if let Some(Host::Domain(domain)) = url.host() {
            builder = builder.resolve_to_addrs(domain, &addresses);
        }
        let client = builder.build().map_err(|err| AppError::internal(format!("cannot build the HTTP client: {err}")))?;
        let mut request = client.request(method.clone(), url.clone()).headers(headers.clone());
        if let Some(body) = &body {
            request = request.body(body.clone());
        }
        let response = request.send().await.map_err(|err| describe_error(&url, timeout, err))?;
        let status = response.status();
        if status.is_redirection() {
            if let Some(location) = response.headers().get(reqwest::header::LOCATION).and_then(|v| v.to_str().ok()) {
                let next = url
                    .join(location)
                    .map_err(|err| AppError::http(format!("'{url}' redirected to a bad URL '{location}': {err}")))?;
                if next.origin() != url.origin() {
                    strip_credentials(&mut headers);
                }
                url = next;
                // As browsers do: 303, and 301/302 after a POST, continue as GET without a body.
                if status == reqwest::StatusCode::SEE_OTHER
                    || (method == reqwest::Method::POST && (status.as_u16() == 301 || status.as_u16() == 302))
                {
                    method = reqwest::Method::GET;
                    body = None;
                }
                continue;
            }
        }
        return read_response(&url, timeout, response).await;
    }
    Err(AppError::http(format!("'{}' redirected more than {MAX_REDIRECTS} times; check the URL", params.url)))
}

/// True for a header that carries a credential, by its (lower-case) name.
fn is_credential_header(name: &str) -> bool {
    matches!(name, "authorization" | "proxy-authorization" | "cookie" | "cookie2")
        || ["auth", "token", "api-key", "apikey", "api_key", "secret", "session", "password"].iter().any(|word| name.contains(word))
}

/// Drops every credential header (before a redirect to another origin).
fn strip_credentials(headers: &mut reqwest::header::HeaderMap) {
    let names: Vec<_> = headers.keys().filter(|name| is_credential_header(name.as_str())).cloned().collect();
    for name in names {
        headers.remove(name);
    }
}

async fn read_response(url: &Url, timeout: Duration, mut response: reqwest::Response) -> Result<HttpResponse, AppError> {
    let status = response.status().as_u16();
    let mut headers: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in response.headers() {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        headers
            .entry(name.as_str().to_string())
            .and_modify(|existing| {
                existing.push_str(", ");
                existing.push_str(&value);
            })
            .or_insert(value);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|err| describe_error(url, timeout, err))? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(AppError::http(format!(
                "the response from '{url}' is larger than {} MB; http_request returns bodies up to that size",
                MAX_BODY_BYTES / (1024 * 1024)
            )));
        }
        body.extend_from_slice(&chunk);
    }
    let body = match String::from_utf8(body) {
        Ok(text) => text,
        Err(err) => String::from_utf8_lossy(err.as_bytes()).into_owned(),
    };
    Ok(HttpResponse { status, headers, body })
}

fn describe_error(url: &Url, timeout: Duration, err: reqwest::Error) -> AppError {
    let target = match (url.host_str(), url.port_or_known_default()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        _ => url.to_string(),
    };
    if err.is_timeout() {
        return AppError::http(format!(
            "the request to '{url}' timed out after {} ms; check that the server is up, or pass a larger timeoutMs",
            timeout.as_millis()
        ));
    }
    if err.is_connect() {
        let detail = std::error::Error::source(&err).map(|source| source.to_string()).unwrap_or_default();
        let refused = format!("{err:?}").contains("ConnectionRefused") || detail.contains("refused");
        if refused {
            return AppError::http(format!(
                "could not connect to {target}: connection refused; is the server running on that port?"
            ));
        }
        return AppError::http(format!("could not connect to {target} ({err}); check the URL and your network"));
    }
    AppError::http(format!("the request to '{url}' failed: {err}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_public_addresses() {
        for ip in ["127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254", "0.0.0.0", "100.64.0.1", "::1", "::", "fe80::1", "fd00::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "255.255.255.255"] {
            assert!(is_non_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["1.1.1.1", "8.8.8.8", "172.32.0.1", "2606:4700:4700::1111", "::ffff:1.1.1.1"] {
            assert!(!is_non_public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn credential_headers_are_recognised() {
        for name in ["authorization", "proxy-authorization", "cookie", "x-api-key", "api-key", "x-goog-api-key", "x-auth-token", "x-session-id", "x-client-secret"] {
            assert!(is_credential_header(name), "{name}");
        }
        for name in ["accept", "content-type", "user-agent", "x-request-id", "anthropic-version"] {
            assert!(!is_credential_header(name), "{name}");
        }
    }

    #[test]
    fn allowed_host_entries() {
        let url = Url::parse("http://localhost:11434/api/tags").unwrap();
        assert!(is_allowed_host(&["localhost".into()], &url));
        assert!(is_allowed_host(&["localhost:11434".into()], &url));
        assert!(is_allowed_host(&["http://localhost:11434".into()], &url));
        assert!(is_allowed_host(&["LOCALHOST:11434".into()], &url));
        assert!(!is_allowed_host(&["localhost:8080".into()], &url));
        assert!(!is_allowed_host(&["http://localhost".into()], &url), "a URL entry names port 80");
        assert!(!is_allowed_host(&["127.0.0.1".into()], &url));
        let v6 = Url::parse("http://[::1]:8080/").unwrap();
        assert!(is_allowed_host(&["[::1]:8080".into()], &v6));
    }
}
