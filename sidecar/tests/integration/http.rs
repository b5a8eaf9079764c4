//! `http_request` through the real binary against a local test server: loopback and private
//! addresses refused by default (also behind `localhost` and redirects), allowed via
//! allowedHosts, and clear errors for bad URLs, refused connections, timeouts and cancellation.

use crate::harness::{Options, Sidecar, TestHttpServer};
use serde_json::json;
use std::time::{Duration, Instant};

const SECURITY: i64 = -32012;
const HTTP: i64 = -32013;

fn allowing(hosts: &[String]) -> Sidecar {
    Sidecar::with_options(Options { allowed_hosts: hosts.to_vec(), ..Options::default() })
}

#[test]
fn loopback_is_refused_by_default_and_nothing_is_sent() {
    let server = TestHttpServer::start(200, "hello", Duration::ZERO);
    let mut sidecar = Sidecar::initialized();
    for url in [server.url("/"), format!("http://localhost:{}/", server.port)] {
        let (code, message) = sidecar.request("http_request", json!({ "method": "GET", "url": url, "headers": {} })).unwrap_err();
        assert_eq!(code, SECURITY, "{message}");
        assert!(message.contains("allowedHosts") && message.contains("model hosts"), "{message}");
        assert!(message.contains(&server.port.to_string()), "names the host:port to allow: {message}");
    }
    assert!(server.received().is_empty(), "no request reached the server");
}

#[test]
fn private_link_local_and_unspecified_addresses_are_refused() {
    let mut sidecar = Sidecar::initialized();
    for url in ["http://10.0.0.1/", "http://192.168.1.1:8080/", "http://169.254.169.254/latest/meta-data", "http://0.0.0.0/", "http://[::1]/", "http://172.20.1.1/", "http://[::ffff:127.0.0.1]/"] {
        let (code, message) = sidecar.request("http_request", json!({ "method": "GET", "url": url, "headers": {} })).unwrap_err();
        assert_eq!(code, SECURITY, "{url}: {message}");
    }
}

#[test]
fn an_allowed_host_is_reached_with_method_headers_and_body() {
    let server = TestHttpServer::start(201, "created", Duration::ZERO);
    let mut sidecar = allowing(&[format!("127.0.0.1:{}", server.port)]);
    let response = sidecar.call(
        "http_request",
        json!({ "method": "post", "url": server.url("/items?x=1"), "headers": { "X-Custom": "abc" }, "body": "{\"a\":1}" }),
    );
    assert_eq!(response["status"], json!(201));
    assert_eq!(response["body"], json!("created"));
    assert_eq!(response["headers"]["x-test"], json!("yes"));
    let received = server.received();
    assert_eq!(received.len(), 1);
    assert!(received[0].starts_with("POST /items?x=1 HTTP/1.1"), "{}", received[0]);
    assert!(received[0].to_lowercase().contains("x-custom: abc"), "{}", received[0]);
    assert!(received[0].ends_with("{\"a\":1}"), "{}", received[0]);
}

#[test]
fn an_allowed_host_name_without_port_covers_every_port() {
    let server = TestHttpServer::start(404, "missing", Duration::ZERO);
    let mut sidecar = allowing(&["localhost".to_string()]);
    let response = sidecar.call("http_request", json!({ "method": "GET", "url": format!("http://localhost:{}/", server.port) }));
    assert_eq!(response["status"], json!(404), "a non-2xx status is a result, not an error");
}

#[test]
fn redirects_to_a_refused_address_are_refused() {
    let target = TestHttpServer::start(200, "internal", Duration::ZERO);
    let redirect = TestHttpServer::start_with(302, vec![("Location".into(), target.url("/secret"))], "", Duration::ZERO);
    let mut sidecar = allowing(&[format!("127.0.0.1:{}", redirect.port)]);
    let (code, message) = sidecar.request("http_request", json!({ "method": "GET", "url": redirect.url("/") })).unwrap_err();
    assert_eq!(code, SECURITY, "{message}");
    assert!(target.received().is_empty());
    // Allowed at both ends, the redirect is followed.
    let mut sidecar = allowing(&[format!("127.0.0.1:{}", redirect.port), format!("127.0.0.1:{}", target.port)]);
    let response = sidecar.call("http_request", json!({ "method": "GET", "url": redirect.url("/") }));
    assert_eq!(response["body"], json!("internal"));
}

/// The header lines of a raw request, lower-cased names.
fn header_names(raw: &str) -> Vec<String> {
    raw.lines().skip(1).take_while(|line| !line.is_empty()).filter_map(|line| line.split_once(':')).map(|(name, _)| name.to_ascii_lowercase()).collect()
}

#[test]
fn credentials_are_dropped_when_a_redirect_changes_the_origin() {
    let target = TestHttpServer::start(200, "other origin", Duration::ZERO);
    let redirect = TestHttpServer::start_with(307, vec![("Location".into(), target.url("/landing"))], "", Duration::ZERO);
    let mut sidecar = allowing(&[format!("127.0.0.1:{}", redirect.port), format!("127.0.0.1:{}", target.port)]);
    let headers = json!({
        "Authorization": "Bearer sk-live-secret",
        "Cookie": "session=abc",
        "Proxy-Authorization": "Basic xyz",
        "x-api-key": "sk-ant-secret",
        "X-Goog-Api-Key": "goog-secret",
        "X-Custom": "kept",
    });
    let response = sidecar.call("http_request", json!({ "method": "GET", "url": redirect.url("/"), "headers": headers }));
    assert_eq!(response["body"], json!("other origin"));
    assert!(header_names(&redirect.received()[0]).contains(&"authorization".to_string()), "the first hop had them");
    let landed = &target.received()[0];
    for secret in ["sk-live-secret", "session=abc", "xyz", "sk-ant-secret", "goog-secret"] {
        assert!(!landed.contains(secret), "{secret} reached another origin:\n{landed}");
    }
    assert!(landed.contains("kept"), "ordinary headers still travel:\n{landed}");
}

#[test]
fn credentials_stay_on_a_same_origin_redirect() {
    // One server that redirects its first request to a path of its own.
    let server = TestHttpServer::start_with(302, vec![("Location".into(), "/again".into())], "", Duration::ZERO);
    let mut sidecar = allowing(&[format!("127.0.0.1:{}", server.port)]);
    let _ = sidecar.request(
        "http_request",
        json!({ "method": "GET", "url": server.url("/"), "headers": { "Authorization": "Bearer same-origin" } }),
    );
    let received = server.received();
    assert!(received.len() >= 2, "the redirect was followed: {received:?}");
    assert!(received[1].contains("Bearer same-origin"), "same origin keeps the credential");
}

#[test]
fn bad_urls_and_methods_are_invalid_params() {
    let mut sidecar = Sidecar::initialized();
    for (url, method) in [("not a url", "GET"), ("ftp://example.com/x", "GET"), ("https://example.com", "FETCH")] {
        let (code, message) = sidecar.request("http_request", json!({ "method": method, "url": url })).unwrap_err();
        assert_eq!(code, -32602, "{url}: {message}");
        assert!(message.contains(url) || message.contains(method), "{message}");
    }
}

#[test]
fn a_refused_connection_says_so() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut sidecar = allowing(&[format!("127.0.0.1:{port}")]);
    let (code, message) = sidecar.request("http_request", json!({ "method": "GET", "url": format!("http://127.0.0.1:{port}/") })).unwrap_err();
    assert_eq!(code, HTTP);
    assert!(message.contains("connection refused") && message.contains(&port.to_string()), "{message}");
}

#[test]
fn a_slow_server_times_out() {
    let server = TestHttpServer::start(200, "late", Duration::from_secs(3));
    let mut sidecar = allowing(&[format!("127.0.0.1:{}", server.port)]);
    let started = Instant::now();
    let (code, message) = sidecar.request("http_request", json!({ "method": "GET", "url": server.url("/"), "timeoutMs": 300 })).unwrap_err();
    assert_eq!(code, HTTP);
    assert!(message.contains("timed out"), "{message}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[test]
fn a_request_can_be_cancelled() {
    let server = TestHttpServer::start(200, "late", Duration::from_secs(10));
    let mut sidecar = allowing(&[format!("127.0.0.1:{}", server.port)]);
    let id = sidecar.send_request("http_request", json!({ "method": "GET", "url": server.url("/") }));
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    sidecar.cancel(&id);
    let (code, _) = sidecar.wait_response(&id).unwrap_err();
    assert_eq!(code, -32800);
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(sidecar.response_count(&id), 1);
}
