//! The Rust runner of the shared, language-neutral test vectors in `tests/vectors/` (format:
//! `tests/README.md`). Every case of every file runs; all failures are collected and
//! reported together with their file, group, case (and step) names.

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use base64::Engine as _;
use serde_json::{Map, Value};
use tessera_core::config::Config;
use tessera_core::engine::{now_ms, Tessera};
use tessera_core::http::{HttpRequest, ResponseMutations};
use tessera_core::keys::KeySet;
use tessera_core::protocol::{SessionState, VerifyOptions};
use tessera_core::token::VerifiedToken;

fn vectors_dir() -> PathBuf {
    let core = Path::new(env!("CARGO_MANIFEST_DIR"));
    core.parent().unwrap_or(core).join("tests").join("vectors")
}

/// Every `*.json` file of the vectors directory, sorted by name.
fn load_files() -> Vec<(String, Value)> {
    let dir = vectors_dir();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|n| {
            let path = dir.join(&n);
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{n} is not JSON: {e}"));
            (n, doc)
        })
        .collect()
}

fn arr<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

fn name(v: &Value) -> &str {
    v.get("name").and_then(Value::as_str).unwrap_or("<unnamed>")
}

// ---------------------------------------------------------------------------------------
// The format check
// ---------------------------------------------------------------------------------------

#[test]
fn vector_files_are_present_and_well_formed() {
    let files = load_files();
    assert!(!files.is_empty(), "no vector files in {}", vectors_dir().display());
    let mut problems = Vec::new();
    let mut kinds: HashMap<String, usize> = HashMap::new();
    let mut total = 0;
    for (file, doc) in &files {
        if doc.get("format").and_then(Value::as_u64) != Some(1) {
            problems.push(format!("{file}: format must be 1"));
        }
        let groups = arr(doc, "groups");
        if groups.is_empty() {
            problems.push(format!("{file}: no groups"));
        }
        let mut group_names = std::collections::HashSet::new();
        for g in groups {
            let gname = name(g);
            if !group_names.insert(gname) {
                problems.push(format!("{file}/{gname}: duplicate group name"));
            }
            if !g.get("config").is_some_and(Value::is_object) {
                problems.push(format!("{file}/{gname}: config must be an object"));
            }
            let fixed_keys = g.get("jwks").is_some_and(Value::is_object);
            if fixed_keys != g.get("now_ms").is_some_and(Value::is_u64) {
                problems.push(format!("{file}/{gname}: jwks and now_ms must both be set or both be null"));
            }
            let cases = arr(g, "cases");
            if cases.is_empty() {
                problems.push(format!("{file}/{gname}: no cases"));
            }
            let mut case_names = std::collections::HashSet::new();
            for c in cases {
                let cname = name(c);
                if !case_names.insert(cname) {
                    problems.push(format!("{file}/{gname}/{cname}: duplicate case name"));
                }
                let kind = c.get("kind").and_then(Value::as_str).unwrap_or("");
                match (kind, fixed_keys) {
                    ("token" | "request", true) | ("flow", false) => {}
                    ("token" | "request" | "flow", _) => problems.push(format!(
                        "{file}/{gname}/{cname}: kind {kind} cannot run in a group with jwks {}",
                        if fixed_keys { "set" } else { "null" }
                    )),
                    _ => problems.push(format!("{file}/{gname}/{cname}: unknown kind {kind:?}")),
                }
                if kind == "flow" && arr(c, "steps").is_empty() {
                    problems.push(format!("{file}/{gname}/{cname}: a flow needs steps"));
                }
                *kinds.entry(kind.to_owned()).or_default() += 1;
                total += 1;
            }
        }
    }
    assert!(problems.is_empty(), "malformed vectors:\n{}", problems.join("\n"));
    for kind in ["token", "request", "flow"] {
        assert!(kinds.get(kind).copied().unwrap_or(0) > 0, "no {kind} cases in the vectors");
    }
    assert!(total >= 100, "only {total} vector cases: the vectors directory looks truncated");
    eprintln!("{total} vector cases in {} files: {kinds:?}", files.len());
}

// ---------------------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------------------

struct Failure {
    location: String,
    message: String,
    core_bug: Option<String>,
}

#[test]
fn all_vectors_pass() {
    let files = load_files();
    assert!(!files.is_empty(), "no vector files in {}", vectors_dir().display());
    let mut failures: Vec<Failure> = Vec::new();
    let mut passing_core_bugs = Vec::new();
    let mut total = 0;
    for (file, doc) in &files {
        for g in arr(doc, "groups") {
            let gname = name(g);
            let engine = match build_engine(g) {
                Ok(e) => e,
                Err(message) => {
                    for c in arr(g, "cases") {
                        total += 1;
                        failures.push(Failure {
                            location: format!("{file} / {gname} / {}", name(c)),
                            message: format!("group engine: {message}"),
                            core_bug: c.get("coreBug").and_then(Value::as_str).map(str::to_owned),
                        });
                    }
                    continue;
                }
            };
            let group_now = g.get("now_ms").and_then(Value::as_u64);
            for c in arr(g, "cases") {
                total += 1;
                let location = format!("{file} / {gname} / {}", name(c));
                let core_bug = c.get("coreBug").and_then(Value::as_str).map(str::to_owned);
                let result = catch_unwind(AssertUnwindSafe(|| run_case(&engine, c, group_now))).unwrap_or_else(|p| {
                    let what = p
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| p.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                        .unwrap_or_default();
                    vec![format!("panicked: {what}")]
                });
                if result.is_empty() {
                    if let Some(bug) = &core_bug {
                        passing_core_bugs.push(format!("{location} (marked coreBug: {bug})"));
                    }
                }
                for message in result {
                    failures.push(Failure { location: location.clone(), message, core_bug: core_bug.clone() });
                }
            }
        }
    }
    assert!(total > 0, "no vector cases ran");
    let failed_cases: std::collections::BTreeSet<&str> = failures.iter().map(|f| f.location.as_str()).collect();
    eprintln!("{total} vector cases run, {} failed", failed_cases.len());
    for p in &passing_core_bugs {
        eprintln!("note: passes although marked as a core bug: {p}");
    }
    if failures.is_empty() {
        return;
    }
    let mut report = String::new();
    let (bugs, others): (Vec<&Failure>, Vec<&Failure>) = failures.iter().partition(|f| f.core_bug.is_some());
    if !others.is_empty() {
        report.push_str(&format!("\n{} failure(s):\n", others.len()));
        for f in &others {
            report.push_str(&format!("  FAIL {}: {}\n", f.location, f.message));
        }
    }
    if !bugs.is_empty() {
        report.push_str(&format!(
            "\n{} failure(s) in vectors marked coreBug (known deviations of the core from the spec):\n",
            bugs.len()
        ));
        for f in &bugs {
            report.push_str(&format!(
                "  KNOWN CORE BUG {}: {}\n      coreBug: {}\n",
                f.location,
                f.message,
                f.core_bug.as_deref().unwrap_or_default()
            ));
        }
    }
    panic!("{} of {total} vector cases failed{report}", failed_cases.len());
}

fn build_engine(g: &Value) -> Result<Tessera, String> {
    let config = g.get("config").ok_or("no config")?.to_string();
    match g.get("jwks") {
        Some(jwks @ Value::Object(_)) => {
            let config = Config::from_json(&config).map_err(|e| format!("config: {e}"))?;
            let keys = KeySet::from_jwks_json(jwks.to_string().as_bytes()).map_err(|e| format!("jwks: {e}"))?;
            Ok(Tessera::with_key_set(config, keys))
        }
        _ => Tessera::from_json(&config).map_err(|e| format!("config: {e}")),
    }
}

fn run_case(engine: &Tessera, c: &Value, group_now: Option<u64>) -> Vec<String> {
    let now = c.get("now_ms").and_then(Value::as_u64).or(group_now);
    match c.get("kind").and_then(Value::as_str) {
        Some("token") => run_token(engine, c, now.unwrap_or_default()),
        Some("request") => run_request(engine, c, now.unwrap_or_default()),
        Some("flow") => run_flow(engine, c),
        other => vec![format!("unknown kind {other:?}")],
    }
}

fn run_token(engine: &Tessera, c: &Value, now: u64) -> Vec<String> {
    let Some(token) = c.get("token").and_then(Value::as_str) else {
        return vec!["no token".into()];
    };
    let expect = c.get("expect").cloned().unwrap_or(Value::Null);
    match (engine.verify_access_token(token, now), expect.get("error"), expect.get("session")) {
        (Ok(v), None, Some(session)) => check_session(session, &v, &HashMap::new()),
        (Ok(v), Some(code), _) => vec![format!("expected error {code}, got a session for user {:?}", v.user_id)],
        (Err(e), Some(code), _) => {
            if code.as_str() == Some(e.code()) {
                vec![]
            } else {
                vec![format!("expected error {code}, got {e}")]
            }
        }
        (Err(e), None, _) => vec![format!("expected a session, got {e}")],
        (Ok(_), None, None) => vec!["expect has neither error nor session".into()],
    }
}

fn run_request(engine: &Tessera, c: &Value, now: u64) -> Vec<String> {
    let vars = HashMap::new();
    let req = match parse_request(c.get("request")) {
        Ok(r) => r,
        Err(e) => return vec![e],
    };
    let options = match parse_options(c.get("options")) {
        Ok(o) => o,
        Err(e) => return vec![e],
    };
    let expect = c.get("expect").cloned().unwrap_or(Value::Null);
    let (outcome, session, m, detail) = verify(engine, &req, &options, now);
    check_outcome(&expect, &outcome, session.as_ref(), &m, &detail, &vars, now)
}

/// `verify_session`, with `error_response` applied on error.
fn verify(
    engine: &Tessera,
    req: &HttpRequest,
    options: &VerifyOptions,
    now: u64,
) -> (String, Option<SessionState>, ResponseMutations, String) {
    match engine.verify_session(req, options, now) {
        Ok((Some(s), m)) => ("session".into(), Some(s), m, String::new()),
        Ok((None, m)) => ("none".into(), None, m, String::new()),
        Err(e) => (e.code().into(), None, engine.error_response(req, &e), e.to_string()),
    }
}

fn check_outcome(
    expect: &Value,
    outcome: &str,
    session: Option<&SessionState>,
    m: &ResponseMutations,
    detail: &str,
    vars: &HashMap<String, String>,
    now: u64,
) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(want) = expect.get("outcome").and_then(Value::as_str) {
        if want != outcome {
            let detail = if detail.is_empty() { String::new() } else { format!(" ({detail})") };
            out.push(format!("outcome: expected {want}, got {outcome}{detail}"));
            return out;
        }
    }
    if let Some(want) = expect.get("session") {
        match session {
            Some(s) => out.extend(check_session(want, &s.token, vars)),
            None => out.push("session: expected one, got none".into()),
        }
    }
    if let Some(want) = expect.get("response") {
        out.extend(check_response(want, m, now));
    }
    out
}

fn parse_request(v: Option<&Value>) -> Result<HttpRequest, String> {
    let v = v.ok_or("no request")?;
    let method = v.get("method").and_then(Value::as_str).ok_or("request.method")?;
    let path = v.get("path").and_then(Value::as_str).ok_or("request.path")?;
    let mut headers = Vec::new();
    for h in arr(v, "headers") {
        match h.as_array().map(Vec::as_slice) {
            Some([Value::String(n), Value::String(val)]) => headers.push((n.clone(), val.clone())),
            _ => return Err(format!("request.headers: bad entry {h}")),
        }
    }
    Ok(HttpRequest::new(method, path, headers))
}

fn parse_options(v: Option<&Value>) -> Result<VerifyOptions, String> {
    let mut o = VerifyOptions::default();
    let Some(v) = v else { return Ok(o) };
    if let Some(b) = v.get("sessionRequired").and_then(Value::as_bool) {
        o.session_required = b;
    }
    o.anti_csrf_check = match v.get("antiCsrfCheck") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(other) => return Err(format!("options.antiCsrfCheck: {other}")),
    };
    if let Some(b) = v.get("checkDatabase").and_then(Value::as_bool) {
        o.check_database = b;
    }
    Ok(o)
}

// ---------------------------------------------------------------------------------------
// Flows
// ---------------------------------------------------------------------------------------

fn run_flow(engine: &Tessera, c: &Value) -> Vec<String> {
    let mut vars: HashMap<String, String> = HashMap::new();
    for (i, raw) in arr(c, "steps").iter().enumerate() {
        let action = raw.get("action").and_then(Value::as_str).unwrap_or("");
        let at = format!("step {} ({action})", i + 1);
        let fail = |msgs: Vec<String>| msgs.into_iter().map(|m| format!("{at}: {m}")).collect::<Vec<_>>();
        // Inputs are substituted now; `expect` only after this step's saves.
        let mut inputs = raw.clone();
        if let Some(o) = inputs.as_object_mut() {
            o.remove("expect");
            o.remove("save");
        }
        let step = match substitute(&inputs, &vars) {
            Ok(s) => s,
            Err(e) => return fail(vec![e]),
        };
        let req = match parse_request(step.get("request")) {
            Ok(r) => r,
            Err(e) => return fail(vec![e]),
        };
        let handled = raw.get("expect").and_then(|e| e.get("handled")).and_then(Value::as_bool).unwrap_or(true);
        let now = now_ms();
        let (outcome, session, m, detail) = match action {
            "create" => {
                let tenant = step.get("tenantId").and_then(Value::as_str).unwrap_or("public");
                let Some(user) = step.get("userId").and_then(Value::as_str) else {
                    return fail(vec!["create needs userId".into()]);
                };
                let payload = step.get("payload").and_then(Value::as_object).cloned().unwrap_or_default();
                match engine.create_new_session_in_request(&req, tenant, user, payload, Map::new(), now) {
                    Ok((s, m)) => ("session".to_owned(), Some(s), m, String::new()),
                    Err(e) => (e.code().to_owned(), None, engine.error_response(&req, &e), e.to_string()),
                }
            }
            "verify" => {
                let options = match parse_options(step.get("options")) {
                    Ok(o) => o,
                    Err(e) => return fail(vec![e]),
                };
                verify(engine, &req, &options, now)
            }
            "api" => match (engine.handle_api_request(&req, now), handled) {
                (Some(m), true) => (String::new(), None, m, String::new()),
                (None, false) => continue,
                (Some(m), false) => {
                    return fail(vec![format!("expected the request not to be handled, got status {:?}", m.status)])
                }
                (None, true) => return fail(vec!["the core did not handle the request".into()]),
            },
            other => return fail(vec![format!("unknown action {other:?}")]),
        };
        // Saves first: expectations of the same step may use them.
        let mut errors = Vec::new();
        if let Some(save) = raw.get("save").and_then(Value::as_object) {
            for (var, source) in save {
                match source.as_str().map(|s| save_source(s, session.as_ref(), &m)) {
                    Some(Ok(v)) => {
                        vars.insert(var.clone(), v);
                    }
                    Some(Err(e)) => errors.push(format!("save {var}: {e}")),
                    None => errors.push(format!("save {var}: source must be a string")),
                }
            }
        }
        if !errors.is_empty() {
            return fail(errors);
        }
        let expect = match substitute(raw.get("expect").unwrap_or(&Value::Null), &vars) {
            Ok(e) => e,
            Err(e) => return fail(vec![e]),
        };
        if action == "api" && expect.get("outcome").is_some() {
            return fail(vec!["api steps have no outcome".into()]);
        }
        let errors = check_outcome(&expect, &outcome, session.as_ref(), &m, &detail, &vars, now);
        if !errors.is_empty() {
            // Later steps build on this one.
            return fail(errors);
        }
    }
    Vec::new()
}

fn save_source(source: &str, session: Option<&SessionState>, m: &ResponseMutations) -> Result<String, String> {
    let (kind, what) = source.split_once(':').ok_or_else(|| format!("bad source {source:?}"))?;
    match kind {
        "header" => m.header(what).ok_or_else(|| format!("header {what} was not set")),
        "cookie" => {
            let c = m.cookies.iter().find(|c| c.name == what).ok_or_else(|| format!("cookie {what} was not set"))?;
            Ok(parse_set_cookie(&c.header)?.value)
        }
        "session" => {
            let s = session.ok_or("no session in this step")?;
            match what {
                "accessToken" => Ok(s.token.raw.clone()),
                "refreshToken" => s.refresh_token.clone().ok_or_else(|| "no refresh token".into()),
                "sessionHandle" => Ok(s.token.session_handle.clone()),
                "userId" => Ok(s.token.user_id.clone()),
                other => Err(format!("unknown session source {other}")),
            }
        }
        other => Err(format!("unknown source kind {other}")),
    }
}

/// Replaces `${name}` in every string of `v`.
fn substitute(v: &Value, vars: &HashMap<String, String>) -> Result<Value, String> {
    Ok(match v {
        Value::String(s) => Value::String(substitute_str(s, vars)?),
        Value::Array(a) => Value::Array(a.iter().map(|x| substitute(x, vars)).collect::<Result<_, _>>()?),
        Value::Object(o) => {
            Value::Object(o.iter().map(|(k, x)| Ok((k.clone(), substitute(x, vars)?))).collect::<Result<_, String>>()?)
        }
        other => other.clone(),
    })
}

fn substitute_str(s: &str, vars: &HashMap<String, String>) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find('}').ok_or_else(|| format!("unterminated variable in {s:?}"))?;
        let var = &after[..end];
        out.push_str(vars.get(var).ok_or_else(|| format!("unknown variable ${{{var}}}"))?);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// Comparisons
// ---------------------------------------------------------------------------------------

fn check_session(expected: &Value, t: &VerifiedToken, vars: &HashMap<String, String>) -> Vec<String> {
    let Some(expected) = expected.as_object() else {
        return vec!["session expectation must be an object".into()];
    };
    let mut out = Vec::new();
    for (field, want) in expected {
        let want = match substitute(want, vars) {
            Ok(w) => w,
            Err(e) => {
                out.push(e);
                continue;
            }
        };
        let got = match field.as_str() {
            "userId" => Value::from(t.user_id.clone()),
            "recipeUserId" => Value::from(t.recipe_user_id.clone()),
            "tenantId" => Value::from(t.tenant_id.clone()),
            "sessionHandle" => Value::from(t.session_handle.clone()),
            "antiCsrfToken" => t.anti_csrf_token.clone().map_or(Value::Null, Value::from),
            "expiryMs" => Value::from(t.expiry_ms),
            "timeCreatedMs" => Value::from(t.time_created_ms),
            "version" => Value::from(t.version),
            "payload" => Value::Object(t.payload.clone()),
            "payloadContains" => {
                let Some(want) = want.as_object() else {
                    out.push("session.payloadContains must be an object".into());
                    continue;
                };
                for (k, v) in want {
                    if !t.payload.get(k).is_some_and(|got| json_eq(got, v)) {
                        out.push(format!("session.payload.{k}: expected {v}, got {}", show(t.payload.get(k))));
                    }
                }
                continue;
            }
            other => {
                out.push(format!("unknown session field {other}"));
                continue;
            }
        };
        if !json_eq(&got, &want) {
            out.push(format!("session.{field}: expected {}, got {}", short(&want), short(&got)));
        }
    }
    out
}

/// JSON equality, with numbers compared by value (1700000000000 == 1.7e12).
fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_u64(), y.as_u64(), x.as_i64(), y.as_i64()) {
            (Some(p), Some(q), _, _) => p == q,
            (_, _, Some(p), Some(q)) => p == q,
            _ => x.as_f64() == y.as_f64(),
        },
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

fn show(v: Option<&Value>) -> String {
    v.map_or_else(|| "nothing".to_owned(), short)
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 160 {
        format!("{}…", &s[..s.char_indices().take_while(|(i, _)| *i < 160).last().map_or(0, |(i, _)| i)])
    } else {
        s
    }
}

fn check_response(expected: &Value, m: &ResponseMutations, now: u64) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(want) = expected.get("status") {
        let got = m.status.map_or(Value::Null, Value::from);
        if !json_eq(&got, want) {
            out.push(format!("status: expected {want}, got {got}"));
        }
    }
    if let Some(want) = expected.get("body") {
        let got = m.body.clone().unwrap_or(Value::Null);
        if !json_eq(&got, want) {
            out.push(format!("body: expected {}, got {}", short(want), short(&got)));
        }
    }
    for (header, want) in expected.get("headers").and_then(Value::as_object).into_iter().flatten() {
        if let Err(e) = check_value(want, m.header(header).as_deref(), now) {
            out.push(format!("header {header}: {e}"));
        }
    }
    for (cookie, want) in expected.get("cookies").and_then(Value::as_object).into_iter().flatten() {
        let set = m.cookies.iter().find(|c| &c.name == cookie);
        match (want, set) {
            (Value::Null, None) => {}
            (Value::Null, Some(c)) => out.push(format!("cookie {cookie}: expected not set, got {:?}", c.header)),
            (_, None) => out.push(format!("cookie {cookie}: expected to be set, it was not")),
            (want, Some(c)) => out.extend(
                check_cookie(want, &c.header, now)
                    .into_iter()
                    .map(|e| format!("cookie {cookie}: {e} (Set-Cookie: {})", shorten(&c.header))),
            ),
        }
    }
    out
}

fn shorten(s: &str) -> String {
    short(&Value::from(s)).trim_matches('"').to_owned()
}

struct ParsedCookie {
    value: String,
    /// Lowercase attribute name → value (`None` for flags).
    attrs: HashMap<String, Option<String>>,
}

fn parse_set_cookie(header: &str) -> Result<ParsedCookie, String> {
    let mut parts = header.split(';');
    let first = parts.next().unwrap_or_default();
    let (_, raw) = first.split_once('=').ok_or_else(|| format!("bad Set-Cookie {header:?}"))?;
    let value = percent_encoding::percent_decode_str(raw.trim())
        .decode_utf8()
        .map_err(|e| format!("cookie value is not UTF-8: {e}"))?
        .into_owned();
    let attrs = parts
        .map(|a| match a.split_once('=') {
            Some((k, v)) => (k.trim().to_ascii_lowercase(), Some(v.trim().to_owned())),
            None => (a.trim().to_ascii_lowercase(), None),
        })
        .collect();
    Ok(ParsedCookie { value, attrs })
}

fn check_cookie(want: &Value, header: &str, now: u64) -> Vec<String> {
    let parsed = match parse_set_cookie(header) {
        Ok(p) => p,
        Err(e) => return vec![e],
    };
    let Some(want) = want.as_object() else {
        return vec!["a cookie expectation must be null or an object".into()];
    };
    let attr = |k: &str| parsed.attrs.get(k).cloned().flatten();
    let mut out = Vec::new();
    for (k, w) in want {
        let r = match k.as_str() {
            "value" => check_value(w, Some(&parsed.value), now),
            "path" => check_value(w, attr("path").as_deref(), now),
            "domain" => check_value(w, attr("domain").as_deref(), now),
            "expires" => match (w, attr("expires")) {
                (Value::String(ws), Some(got)) => match (parse_date(ws), parse_date(&got)) {
                    (Some(a), Some(b)) if a == b => Ok(()),
                    _ if *ws == got => Ok(()),
                    _ => Err(format!("expected {ws:?}, got {got:?}")),
                },
                (w, got) => check_value(w, got.as_deref(), now),
            },
            "sameSite" => match (w.as_str(), attr("samesite")) {
                (Some(ws), Some(got)) if ws.eq_ignore_ascii_case(&got) => Ok(()),
                (ws, got) => Err(format!("expected {ws:?}, got {got:?}")),
            },
            "httpOnly" | "secure" => {
                let present = parsed.attrs.contains_key(&k.to_ascii_lowercase());
                if w.as_bool() == Some(present) {
                    Ok(())
                } else {
                    Err(format!("expected {w}, got {present}"))
                }
            }
            other => Err(format!("unknown cookie attribute {other}")),
        };
        if let Err(e) = r {
            out.push(format!("{k}: {e}"));
        }
    }
    out
}

fn parse_date(s: &str) -> Option<u64> {
    let t = httpdate::parse_http_date(s).ok()?;
    t.duration_since(UNIX_EPOCH).ok().map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// How far an `inMs` date may be from the runner's clock plus the offset (second rounding,
/// the time the step took, a slow machine).
const IN_MS_TOLERANCE: u64 = 60_000;

/// A value matcher (README "Matchers").
fn check_value(want: &Value, got: Option<&str>, now: u64) -> Result<(), String> {
    let fail = || {
        Err(format!(
            "expected {}, got {}",
            short(want),
            got.map_or_else(|| "nothing".to_owned(), |g| format!("{:?}", shorten(g)))
        ))
    };
    match want {
        Value::Null => {
            if got.is_none() {
                Ok(())
            } else {
                fail()
            }
        }
        Value::String(s) => {
            if got == Some(s.as_str()) {
                Ok(())
            } else {
                fail()
            }
        }
        Value::Object(o) if o.len() == 1 => {
            let (k, arg) = o.iter().next().map(|(k, v)| (k.as_str(), v)).unwrap_or(("", &Value::Null));
            let Some(g) = got else { return fail() };
            let ok = match k {
                "nonEmpty" => !g.is_empty(),
                "not" => arg.as_str().is_some_and(|a| a != g),
                "list" => {
                    let items = |it: &mut dyn Iterator<Item = &str>| {
                        let mut v: Vec<String> =
                            it.map(|s| s.trim().to_ascii_lowercase()).filter(|s| !s.is_empty()).collect();
                        v.sort();
                        v
                    };
                    let want_items = arg.as_array().map(|a| items(&mut a.iter().filter_map(Value::as_str)));
                    want_items.is_some_and(|w| w == items(&mut g.split(',')))
                }
                "inMs" => match (parse_date(g), arg.as_u64()) {
                    (Some(t), Some(n)) => t.abs_diff(now.saturating_add(n)) <= IN_MS_TOLERANCE,
                    _ => false,
                },
                "frontToken" => return check_front_token(arg, g),
                _ => return Err(format!("unknown matcher {k}")),
            };
            if ok {
                Ok(())
            } else {
                fail()
            }
        }
        _ => Err(format!("bad matcher {want}")),
    }
}

fn check_front_token(want: &Value, got: &str) -> Result<(), String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(got)
        .map_err(|e| format!("front token {:?} is not standard base64: {e}", shorten(got)))?;
    let v: Value = serde_json::from_slice(&bytes).map_err(|e| format!("front token is not JSON: {e}"))?;
    if !v.get("ate").is_some_and(Value::is_u64) || !v.get("up").is_some_and(Value::is_object) {
        return Err(format!("front token lacks ate or up: {}", short(&v)));
    }
    if let Some(uid) = want.get("uid") {
        if v.get("uid") != Some(uid) {
            return Err(format!("front token uid: expected {uid}, got {}", show(v.get("uid"))));
        }
    }
    Ok(())
}
