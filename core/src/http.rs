//! The framework-neutral request and response: what adapters hand to the core, and the
//! mutations they apply to their framework's response ("collect, then apply").

use std::borrow::Cow;

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::config::TransferMethodSetting;

/// An incoming request as the core sees it. As JSON: `{method, path, headers: [[name, value], ...]}`,
/// optionally with `tokenTransferMethod`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpRequest {
    /// The method, any case.
    pub method: String,
    /// The path, possibly with a query string.
    pub path: String,
    /// Header names and values; names in any case; repeated headers as repeated entries.
    pub headers: Vec<(String, String)>,
    /// The transports this request may use when the application decides per request
    /// (`getTokenTransferMethod` given as a function, which only the host language can call);
    /// `None` uses the configured setting.
    #[serde(default, rename = "tokenTransferMethod", skip_serializing_if = "Option::is_none")]
    pub token_transfer_method: Option<TransferMethodSetting>,
}

impl HttpRequest {
    /// A request with these parts.
    pub fn new(method: impl Into<String>, path: impl Into<String>, headers: Vec<(String, String)>) -> HttpRequest {
        HttpRequest { method: method.into(), path: path.into(), headers, token_transfer_method: None }
    }

    /// This request with a per-request transfer setting (see [`HttpRequest::token_transfer_method`]).
    pub fn with_token_transfer_method(mut self, setting: Option<TransferMethodSetting>) -> HttpRequest {
        self.token_transfer_method = setting;
        self
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The `(name, raw value)` pairs of every `Cookie` header in order (see [`cookie_pairs`]),
    /// the same pairs as [`HttpRequest::cookie_header`] holds, without joining the headers.
    pub fn cookie_pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case("cookie")).flat_map(|(_, v)| cookie_pairs(v))
    }

    /// The `Cookie` header; several `Cookie` headers (HTTP/2) are joined with `; `.
    pub fn cookie_header(&self) -> String {
        let mut out = String::new();
        for (_, v) in self.headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case("cookie")) {
            if !out.is_empty() {
                out.push_str("; ");
            }
            out.push_str(v);
        }
        out
    }

    /// The path without query string or fragment, and without a trailing `/` (see
    /// [`bare_path`]).
    pub fn bare_path(&self) -> Cow<'_, str> {
        bare_path(&self.path)
    }

    /// Whether the method is `m` (case-insensitive).
    pub fn is_method(&self, m: &str) -> bool {
        self.method.eq_ignore_ascii_case(m)
    }
}

/// The characters that make [`bare_path`] rewrite a path (dot segments, `%2e`, `\\`, tabs
/// and newlines) rather than only cut it short. A path without any of them resolves to one of
/// its own prefixes, so it can only be under a base path it starts with: bindings use that to
/// skip [`crate::Tessera::api_endpoint`] for most requests (see
/// [`crate::Tessera::api_path_prefix`]).
pub const PATH_REWRITING_CHARS: &str = ".%\\\t\n\r";

/// `path` without query string or fragment, and without a trailing `/` (`/` stays `/`), with
/// its dot segments resolved as a URL parser resolves them (`/auth/session/./refresh` is
/// `/auth/session/refresh`), which is how supertokens-node reads the path it routes on. Every
/// request's path comes here: only one with dot segments, a `\\` or a tab or newline is copied.
pub fn bare_path(path: &str) -> Cow<'_, str> {
    let p = path.split(['?', '#']).next().unwrap_or_default();
    let trimmed = |p: &str| -> usize {
        let t = p.trim_end_matches('/');
        if t.is_empty() {
            1.min(p.len())
        } else {
            t.len()
        }
    };
    let special =
        p.bytes().any(|b| matches!(b, b'\\' | b'\t' | b'\n' | b'\r')) || p.split('/').any(|s| dot_segment(s).is_some());
    if !special {
        return Cow::Borrowed(if p.is_empty() { "/" } else { &p[..trimmed(p)] });
    }
    let cleaned: String =
        p.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).map(|c| if c == '\\' { '/' } else { c }).collect();
    let mut out: Vec<&str> = Vec::new();
    // A path not starting with `/` is read as if it did, as supertokens-node does.
    let segments: Vec<&str> = cleaned.strip_prefix('/').unwrap_or(&cleaned).split('/').collect();
    for (i, segment) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        match dot_segment(segment) {
            Some(DotSegment::Parent) => {
                out.pop();
                if last {
                    out.push("");
                }
            }
            Some(DotSegment::Current) => {
                if last {
                    out.push("");
                }
            }
            None => out.push(segment),
        }
    }
    let mut resolved = String::with_capacity(cleaned.len());
    for segment in out {
        resolved.push('/');
        resolved.push_str(segment);
    }
    if resolved.is_empty() {
        resolved.push('/');
    }
    let keep = trimmed(&resolved);
    resolved.truncate(keep);
    Cow::Owned(resolved)
}

enum DotSegment {
    Current,
    Parent,
}

/// `.` and `..` as the URL standard spells them (`%2e` counts as a dot, in any case).
fn dot_segment(segment: &str) -> Option<DotSegment> {
    let is_dot = |s: &str| s == "." || s.eq_ignore_ascii_case("%2e");
    if is_dot(segment) {
        return Some(DotSegment::Current);
    }
    let dots = ["..", ".%2e", "%2e.", "%2e%2e"];
    dots.iter().any(|d| segment.eq_ignore_ascii_case(d)).then_some(DotSegment::Parent)
}

/// The value of cookie `name`, decoded as the `cookie` npm package does (first occurrence
/// wins, surrounding quotes dropped, percent-decoding when valid UTF-8).
pub fn get_cookie(cookie_header: &str, name: &str) -> Option<String> {
    cookie_pairs(cookie_header).find(|(k, _)| *k == name).map(|(_, v)| cookie_value(v).into_owned())
}

/// How many times cookie `name` appears (names percent-decoded), to detect duplicates that
/// ordinary parsers hide by keeping one.
pub fn count_cookie(cookie_header: &str, name: &str) -> usize {
    cookie_pairs(cookie_header).filter(|(k, _)| cookie_name_is(k, name)).count()
}

/// The `(name, raw value)` pairs of one `Cookie` header, names trimmed, pairs without `=`
/// skipped, as the `cookie` npm package splits them.
pub fn cookie_pairs(cookie_header: &str) -> impl Iterator<Item = (&str, &str)> {
    // `str::split(';')` scans a byte at a time; the access token is most of the header and
    // this runs on every protected request, so look for the separators with SIMD.
    let mut rest = Some(cookie_header);
    let pairs = std::iter::from_fn(move || {
        let r = rest?;
        match memchr::memchr(b';', r.as_bytes()) {
            Some(i) => {
                rest = Some(&r[i + 1..]);
                Some(&r[..i])
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    });
    pairs.filter_map(|pair| pair.split_once('=')).map(|(k, v)| (k.trim(), v))
}

/// A raw cookie value as the application sees it: trimmed, surrounding quotes dropped,
/// percent-decoded when that gives UTF-8. Borrowed when there is nothing to decode (an
/// access token never has anything, and it is copied on every request otherwise).
pub fn cookie_value(raw: &str) -> Cow<'_, str> {
    let v = raw.trim();
    let v = v.strip_prefix('"').and_then(|x| x.strip_suffix('"')).unwrap_or(v);
    decode_component(v)
}

/// Whether a trimmed cookie name is `name` once percent-decoded; no copy unless it has a `%`.
pub fn cookie_name_is(raw_name: &str, name: &str) -> bool {
    if raw_name.contains('%') {
        decode_component(raw_name) == name
    } else {
        raw_name == name
    }
}

fn decode_component(s: &str) -> Cow<'_, str> {
    if memchr::memchr(b'%', s.as_bytes()).is_none() {
        return Cow::Borrowed(s);
    }
    match percent_decode_str(s).decode_utf8() {
        Ok(decoded) => decoded,
        Err(_) => Cow::Borrowed(s),
    }
}

/// What `encodeURIComponent` leaves alone: letters, digits and `-_.!~*'()`.
const URI_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// `encodeURIComponent`.
pub fn encode_component(s: &str) -> String {
    utf8_percent_encode(s, URI_COMPONENT).to_string()
}

/// A header change to apply to the response. As JSON: `{"op": "set"|"remove"|"appendToList", name, value?}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "op", rename_all = "camelCase")]
pub enum HeaderMutation {
    /// Set the header, replacing any value.
    Set {
        /// Header name.
        name: String,
        /// Header value.
        value: String,
    },
    /// Remove the header.
    Remove {
        /// Header name.
        name: String,
    },
    /// Add `value` to a comma-separated list header unless it is there already (use
    /// [`append_to_header_list`] to merge with what the response holds).
    AppendToList {
        /// Header name.
        name: String,
        /// The list item to add.
        value: String,
    },
}

/// A `Set-Cookie` to add, replacing any earlier one for the same cookie name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SetCookie {
    /// The cookie name.
    pub name: String,
    /// The full `Set-Cookie` header value.
    pub header: String,
}

/// Everything the core wants done to a response.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ResponseMutations {
    /// The status to send, when the core answers the request itself.
    pub status: Option<u16>,
    /// The JSON body to send, when the core answers the request itself.
    pub body: Option<Value>,
    /// Header changes, in order.
    pub headers: Vec<HeaderMutation>,
    /// Cookies to set, one per name.
    pub cookies: Vec<SetCookie>,
}

impl ResponseMutations {
    /// Sets a header (replacing an earlier set or removal of it here).
    pub fn set_header(&mut self, name: &str, value: &str) {
        self.headers.retain(|h| !matches!(h, HeaderMutation::Set { name: n, .. } | HeaderMutation::Remove { name: n } if n.eq_ignore_ascii_case(name)));
        self.headers.push(HeaderMutation::Set { name: name.to_owned(), value: value.to_owned() });
    }

    /// Removes a header.
    pub fn remove_header(&mut self, name: &str) {
        self.headers.retain(|h| !matches!(h, HeaderMutation::Set { name: n, .. } | HeaderMutation::Remove { name: n } if n.eq_ignore_ascii_case(name)));
        self.headers.push(HeaderMutation::Remove { name: name.to_owned() });
    }

    /// Appends `value` to `Access-Control-Expose-Headers`.
    pub fn expose_header(&mut self, value: &str) {
        let exists = self.headers.iter().any(|h| {
            matches!(h, HeaderMutation::AppendToList { name, value: v } if name == "Access-Control-Expose-Headers" && v == value)
        });
        if !exists {
            self.headers.push(HeaderMutation::AppendToList {
                name: "Access-Control-Expose-Headers".to_owned(),
                value: value.to_owned(),
            });
        }
    }

    /// Adds a `Set-Cookie`, replacing one for the same name.
    pub fn set_cookie(&mut self, cookie: SetCookie) {
        self.cookies.retain(|c| c.name != cookie.name);
        self.cookies.push(cookie);
    }

    /// Applies `later` after `self`: later header and cookie changes win.
    pub fn extend(&mut self, later: ResponseMutations) {
        if later.status.is_some() {
            self.status = later.status;
        }
        if later.body.is_some() {
            self.body = later.body;
        }
        for h in later.headers {
            match h {
                HeaderMutation::Set { name, value } => self.set_header(&name, &value),
                HeaderMutation::Remove { name } => self.remove_header(&name),
                HeaderMutation::AppendToList { value, .. } => self.expose_header(&value),
            }
        }
        for c in later.cookies {
            self.set_cookie(c);
        }
    }

    /// The final value of a header after these mutations, for tests and simple adapters.
    pub fn header(&self, name: &str) -> Option<String> {
        let mut value: Option<String> = None;
        for h in &self.headers {
            match h {
                HeaderMutation::Set { name: n, value: v } if n.eq_ignore_ascii_case(name) => value = Some(v.clone()),
                HeaderMutation::Remove { name: n } if n.eq_ignore_ascii_case(name) => value = None,
                HeaderMutation::AppendToList { name: n, value: v } if n.eq_ignore_ascii_case(name) => {
                    value = Some(append_to_header_list(value.as_deref(), v));
                }
                _ => {}
            }
        }
        value
    }
}

/// Adds `value` to a comma-separated header list unless present (case-insensitive), joining
/// with `", "` as supertokens-node does; never drops what was there.
pub fn append_to_header_list(existing: Option<&str>, value: &str) -> String {
    match existing.map(str::trim).filter(|e| !e.is_empty()) {
        None => value.to_owned(),
        Some(e) if e.split(',').any(|v| v.trim().eq_ignore_ascii_case(value)) => e.to_owned(),
        Some(e) => format!("{e}, {value}"),
    }
}

/// Formats an HTTP date (`Thu, 01 Jan 1970 00:00:00 GMT`) for `ms` since the epoch.
pub fn http_date(ms: u64) -> String {
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms.min(253_402_300_799_000));
    httpdate::fmt_http_date(t)
}

#[cfg(test)]
mod tests {
    #[test]
    fn bare_paths_resolve_dot_segments_as_a_url_parser_does() {
        let cases = [
            ("/auth/session/refresh", "/auth/session/refresh"),
            ("/auth/session/refresh/?x=1", "/auth/session/refresh"),
            ("/", "/"),
            ("", "/"),
            ("///", "/"),
            ("/auth/session/./refresh", "/auth/session/refresh"),
            ("/auth/x/../session/refresh", "/auth/session/refresh"),
            ("/auth/session/%2E/refresh", "/auth/session/refresh"),
            ("/auth/y/%2e%2E/session/refresh", "/auth/session/refresh"),
            ("/auth/session/refresh/.", "/auth/session/refresh"),
            ("/auth/session/refresh/x/..", "/auth/session/refresh"),
            ("/../../auth/signout", "/auth/signout"),
            ("\\auth\\signout", "/auth/signout"),
            ("/auth/sign\tout", "/auth/signout"),
            ("/v1.2/file.txt", "/v1.2/file.txt"),
            ("/a/.../b", "/a/.../b"),
        ];
        for (path, want) in cases {
            assert_eq!(bare_path(path), want, "{path:?}");
        }
        assert!(matches!(bare_path("/v1.2/file.txt/"), Cow::Borrowed(_)), "no copy without dot segments");
    }
    use super::*;

    #[test]
    fn cookies_parse_like_the_cookie_package() {
        let h = "a=1; sAccessToken=x%2By; b=\"q\"; sAccessToken=second; bad; =e; c=%ZZ";
        assert_eq!(get_cookie(h, "sAccessToken").as_deref(), Some("x+y"));
        assert_eq!(get_cookie(h, "b").as_deref(), Some("q"));
        assert_eq!(get_cookie(h, "c").as_deref(), Some("%ZZ"));
        assert_eq!(get_cookie(h, "missing"), None);
        assert_eq!(count_cookie(h, "sAccessToken"), 2);
        assert_eq!(count_cookie("s%41ccessToken=1; sAccessToken=2", "sAccessToken"), 2);
    }

    #[test]
    fn expose_headers_append_without_duplicates() {
        assert_eq!(append_to_header_list(None, "front-token"), "front-token");
        assert_eq!(append_to_header_list(Some("customValue"), "front-token"), "customValue, front-token");
        assert_eq!(append_to_header_list(Some("a, Front-Token"), "front-token"), "a, Front-Token");
        let mut m = ResponseMutations::default();
        m.expose_header("front-token");
        m.expose_header("anti-csrf");
        m.expose_header("front-token");
        assert_eq!(m.header("access-control-expose-headers").as_deref(), Some("front-token, anti-csrf"));
    }

    #[test]
    fn json_shapes_for_bindings() {
        let req: HttpRequest =
            serde_json::from_str(r#"{"method":"GET","path":"/x","headers":[["Cookie","a=1"],["rid","session"]]}"#)
                .unwrap();
        assert_eq!(req.header("cookie"), Some("a=1"));
        let mut m = ResponseMutations::default();
        m.set_header("front-token", "remove");
        m.expose_header("front-token");
        m.remove_header("anti-csrf");
        m.set_cookie(SetCookie { name: "sAccessToken".into(), header: "sAccessToken=; Path=/".into() });
        assert_eq!(
            serde_json::to_value(&m).unwrap(),
            serde_json::json!({
                "status": null,
                "body": null,
                "headers": [
                    {"op": "set", "name": "front-token", "value": "remove"},
                    {"op": "appendToList", "name": "Access-Control-Expose-Headers", "value": "front-token"},
                    {"op": "remove", "name": "anti-csrf"},
                ],
                "cookies": [{"name": "sAccessToken", "header": "sAccessToken=; Path=/"}],
            })
        );
    }

    #[test]
    fn encode_component_matches_js() {
        assert_eq!(encode_component("a+b/c=d.e-f_g~"), "a%2Bb%2Fc%3Dd.e-f_g~");
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
    }
}
