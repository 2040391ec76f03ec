package cffi_test

// The shared vectors of tests/vectors/ (format: tests/README.md) through the C ABI, with
// every response mutation applied to a net/http response by internal/httpx, as the public
// packages do. A port of the Node and Python runners: each case is one subtest.

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/cffi"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/errs"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/httpx"
)

const inMsTolerance = 60_000

type vectorFile struct {
	Format int           `json:"format"`
	Groups []vectorGroup `json:"groups"`
}

type vectorGroup struct {
	Name   string            `json:"name"`
	Config json.RawMessage   `json:"config"`
	JWKS   json.RawMessage   `json:"jwks"`
	NowMs  *uint64           `json:"now_ms"`
	Cases  []json.RawMessage `json:"cases"`
}

type vectorCase struct {
	Name    string                 `json:"name"`
	Kind    string                 `json:"kind"`
	CoreBug string                 `json:"coreBug"`
	Token   string                 `json:"token"`
	NowMs   *uint64                `json:"now_ms"`
	Request json.RawMessage        `json:"request"`
	Options json.RawMessage        `json:"options"`
	Expect  map[string]interface{} `json:"expect"`
	Steps   []map[string]interface{}
}

func TestVectors(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "..", "tests", "vectors")
	paths, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	sort.Strings(paths)
	if len(paths) == 0 {
		t.Fatalf("no vector files in %s", dir)
	}
	total := 0
	for _, path := range paths {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var f vectorFile
		if err := json.Unmarshal(raw, &f); err != nil || f.Format != 1 || len(f.Groups) == 0 {
			t.Fatalf("%s: malformed (format %d): %v", path, f.Format, err)
		}
		file := strings.TrimSuffix(filepath.Base(path), ".json")
		for _, g := range f.Groups {
			fixed := len(g.JWKS) > 0 && string(g.JWKS) != "null"
			if fixed != (g.NowMs != nil) {
				t.Fatalf("%s/%s: jwks and now_ms must both be set or both be null", file, g.Name)
			}
			var engine *cffi.Engine
			if fixed {
				engine, err = cffi.NewEngineWithJWKS(g.Config, g.JWKS)
			} else {
				engine, err = cffi.NewEngine(g.Config)
			}
			for _, rawCase := range g.Cases {
				var c vectorCase
				if jerr := json.Unmarshal(rawCase, &c); jerr != nil {
					t.Fatalf("%s/%s: %v", file, g.Name, jerr)
				}
				total++
				t.Run(file+"/"+g.Name+"/"+c.Name, func(t *testing.T) {
					if err != nil {
						t.Fatalf("group engine: %v", err)
					}
					if (c.Kind == "flow") == fixed {
						t.Fatalf("kind %s cannot run in this group", c.Kind)
					}
					now := g.NowMs
					if c.NowMs != nil {
						now = c.NowMs
					}
					var failures []string
					switch c.Kind {
					case "token":
						failures = runToken(engine, &c, now)
					case "request":
						failures = runRequest(engine, &c, now)
					case "flow":
						failures = runFlow(engine, &c)
					default:
						failures = []string{"unknown kind " + c.Kind}
					}
					if len(failures) > 0 {
						head := ""
						if c.CoreBug != "" {
							head = "KNOWN CORE BUG (coreBug: " + c.CoreBug + ")\n"
						}
						t.Fatal(head + strings.Join(failures, "\n"))
					}
				})
			}
		}
	}
	if total < 100 {
		t.Fatalf("only %d vector cases: the vectors directory looks truncated", total)
	}
}

func mustJSON(v interface{}) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// tokenFields maps the core's token JSON to the names of the session expectation.
func tokenFields(tok map[string]interface{}) map[string]interface{} {
	return map[string]interface{}{
		"userId": tok["userId"], "recipeUserId": tok["recipeUserId"], "tenantId": tok["tenantId"],
		"sessionHandle": tok["sessionHandle"], "antiCsrfToken": tok["antiCsrfToken"], "expiryMs": tok["expiryMs"],
		"timeCreatedMs": tok["timeCreatedMs"], "version": tok["version"], "payload": tok["payload"],
		"accessToken": tok["raw"],
	}
}

func runToken(engine *cffi.Engine, c *vectorCase, now *uint64) []string {
	want, _ := c.Expect["error"].(string)
	doc, err := engine.VerifyAccessToken(mustJSON(map[string]interface{}{"accessToken": c.Token, "nowMs": now}))
	if err != nil {
		e, _ := errs.FromSessionError(err)
		if e == nil {
			return []string{"not a tessera error: " + err.Error()}
		}
		if want == "" {
			return []string{"expected a session, got " + err.Error()}
		}
		if e.Code != want {
			return []string{fmt.Sprintf("expected error %s, got %v", want, err)}
		}
		return nil
	}
	if want != "" {
		return []string{"expected error " + want + ", got a session"}
	}
	var tok map[string]interface{}
	_ = json.Unmarshal(doc, &tok)
	expect, _ := c.Expect["session"].(map[string]interface{})
	return checkSession(expect, tokenFields(tok))
}

type outcome struct {
	name    string
	session map[string]interface{}
	w       *httptest.ResponseRecorder
	detail  string
}

// apply runs the mutations JSON through httpx onto a fresh recorder.
func apply(doc []byte) (*httptest.ResponseRecorder, error) {
	w := httptest.NewRecorder()
	var m *httpx.Mutations
	if err := json.Unmarshal(doc, &m); err != nil {
		return nil, err
	}
	if m != nil {
		if err := m.ApplyHeaders(w); err != nil {
			return nil, err
		}
		if m.Status != nil {
			w.Code = *m.Status
		}
		if len(m.Body) > 0 && string(m.Body) != "null" {
			w.Body.Write(m.Body)
		}
	}
	return w, nil
}

// sessionOutcome reads a {session, mutations} answer, or answers the error as the protocol does.
func sessionOutcome(engine *cffi.Engine, request json.RawMessage, doc []byte, err error) outcome {
	if err != nil {
		e, ok := errs.FromSessionError(err)
		if !ok {
			return outcome{name: "go error", detail: err.Error()}
		}
		answer, aerr := engine.ErrorResponse(mustJSON(map[string]interface{}{"request": request, "error": e}))
		if aerr != nil {
			return outcome{name: "error_response failed", detail: aerr.Error()}
		}
		w, werr := apply(answer)
		if werr != nil {
			return outcome{name: "apply failed", detail: werr.Error()}
		}
		return outcome{name: e.Code, w: w, detail: err.Error()}
	}
	var res struct {
		Session   map[string]interface{} `json:"session"`
		Mutations json.RawMessage        `json:"mutations"`
	}
	if jerr := json.Unmarshal(doc, &res); jerr != nil {
		return outcome{name: "bad json", detail: jerr.Error()}
	}
	w, werr := apply(res.Mutations)
	if werr != nil {
		return outcome{name: "apply failed", detail: werr.Error()}
	}
	if res.Session == nil {
		return outcome{name: "none", w: w}
	}
	tok, _ := res.Session["token"].(map[string]interface{})
	fields := tokenFields(tok)
	fields["refreshToken"] = res.Session["refreshToken"]
	return outcome{name: "session", session: fields, w: w}
}

func verify(engine *cffi.Engine, request, options json.RawMessage, now *uint64) outcome {
	in := map[string]interface{}{"request": request, "nowMs": now}
	if len(options) > 0 && string(options) != "null" {
		in["options"] = options
	}
	_, doc, err := engine.VerifySession(mustJSON(in))
	return sessionOutcome(engine, request, doc, err)
}

func runRequest(engine *cffi.Engine, c *vectorCase, now *uint64) []string {
	o := verify(engine, c.Request, c.Options, now)
	nowMs := int64(0)
	if now != nil {
		nowMs = int64(*now)
	}
	return checkOutcome(c.Expect, o, nowMs)
}

func checkOutcome(expect map[string]interface{}, o outcome, nowMs int64) []string {
	if want, ok := expect["outcome"].(string); ok && want != o.name {
		return []string{fmt.Sprintf("outcome: expected %s, got %s (%s)", want, o.name, o.detail)}
	}
	var out []string
	if s, ok := expect["session"]; ok {
		if o.session == nil {
			out = append(out, "session: expected one, got none")
		} else {
			m, _ := s.(map[string]interface{})
			out = append(out, checkSession(m, o.session)...)
		}
	}
	if r, ok := expect["response"].(map[string]interface{}); ok {
		if o.w == nil {
			return append(out, "response: none ("+o.detail+")")
		}
		out = append(out, checkResponse(r, o.w, nowMs)...)
	}
	return out
}

func checkSession(expect, got map[string]interface{}) []string {
	var out []string
	for k, want := range expect {
		if k == "payloadContains" {
			payload, _ := got["payload"].(map[string]interface{})
			for pk, pv := range want.(map[string]interface{}) {
				if !reflect.DeepEqual(payload[pk], pv) {
					out = append(out, fmt.Sprintf("session.payload.%s: expected %v, got %v", pk, pv, payload[pk]))
				}
			}
			continue
		}
		if !reflect.DeepEqual(normalise(got[k]), normalise(want)) {
			out = append(out, fmt.Sprintf("session.%s: expected %v, got %v", k, want, got[k]))
		}
	}
	return out
}

// normalise makes JSON values from different decoders comparable.
func normalise(v interface{}) interface{} {
	var out interface{}
	_ = json.Unmarshal(mustJSON(v), &out)
	return out
}

func headerValue(w *httptest.ResponseRecorder, name string) *string {
	vs := w.Header().Values(name)
	if len(vs) == 0 {
		return nil
	}
	v := strings.Join(vs, ", ")
	return &v
}

func setCookie(w *httptest.ResponseRecorder, name string) *string {
	var found *string
	for _, v := range w.Header().Values("Set-Cookie") {
		if strings.HasPrefix(v, name+"=") {
			v := v
			found = &v
		}
	}
	return found
}

func checkResponse(expect map[string]interface{}, w *httptest.ResponseRecorder, nowMs int64) []string {
	var out []string
	if want, ok := expect["status"]; ok {
		status := interface{}(nil)
		if w.Code != 200 || w.Body.Len() > 0 {
			status = float64(w.Code)
		}
		if !reflect.DeepEqual(status, want) {
			out = append(out, fmt.Sprintf("status: expected %v, got %v", want, status))
		}
	}
	if want, ok := expect["body"]; ok {
		var body interface{}
		if w.Body.Len() > 0 {
			_ = json.Unmarshal(w.Body.Bytes(), &body)
		}
		if !reflect.DeepEqual(body, want) {
			out = append(out, fmt.Sprintf("body: expected %v, got %v", want, body))
		}
	}
	if hs, ok := expect["headers"].(map[string]interface{}); ok {
		for name, m := range hs {
			if msg := match(m, headerValue(w, name), nowMs); msg != "" {
				out = append(out, "header "+name+": "+msg)
			}
		}
	}
	if cs, ok := expect["cookies"].(map[string]interface{}); ok {
		for name, want := range cs {
			got := setCookie(w, name)
			if want == nil {
				if got != nil {
					out = append(out, "cookie "+name+": expected none, got "+*got)
				}
				continue
			}
			if got == nil {
				out = append(out, "cookie "+name+": expected one, got none")
				continue
			}
			out = append(out, checkCookie(name, want.(map[string]interface{}), *got, nowMs)...)
		}
	}
	return out
}

func checkCookie(name string, want map[string]interface{}, header string, nowMs int64) []string {
	parts := strings.Split(header, ";")
	_, value, _ := strings.Cut(parts[0], "=")
	if d, err := url.PathUnescape(value); err == nil {
		value = d
	}
	attrs := map[string]*string{}
	for _, p := range parts[1:] {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		attrs[strings.ToLower(k)] = &v
	}
	var out []string
	for k, m := range want {
		var msg string
		switch k {
		case "value":
			msg = match(m, &value, nowMs)
		case "path", "domain":
			msg = match(m, attrs[k], nowMs)
		case "expires":
			got := attrs["expires"]
			if s, ok := m.(string); ok && got != nil {
				a, e1 := http.ParseTime(s)
				b, e2 := http.ParseTime(*got)
				if e1 != nil || e2 != nil || !a.Equal(b) {
					msg = fmt.Sprintf("expected %s, got %s", s, *got)
				}
			} else {
				msg = match(m, got, nowMs)
			}
		case "httpOnly", "secure":
			_, present := attrs[strings.ToLower(k)]
			if present != m.(bool) {
				msg = fmt.Sprintf("expected %v", m)
			}
		case "sameSite":
			got := attrs["samesite"]
			if got == nil || !strings.EqualFold(*got, m.(string)) {
				msg = fmt.Sprintf("expected %v, got %v", m, got)
			}
		default:
			msg = "unknown attribute"
		}
		if msg != "" {
			out = append(out, "cookie "+name+"."+k+": "+msg)
		}
	}
	return out
}

// match applies a matcher (tests/README.md) to a value; "" means it passes.
func match(m interface{}, got *string, nowMs int64) string {
	show := "absent"
	if got != nil {
		show = fmt.Sprintf("%q", *got)
	}
	switch m := m.(type) {
	case nil:
		if got != nil {
			return "expected absent, got " + show
		}
		return ""
	case string:
		if got == nil || *got != m {
			return fmt.Sprintf("expected %q, got %s", m, show)
		}
		return ""
	case map[string]interface{}:
		if got == nil {
			return fmt.Sprintf("expected %v, got absent", m)
		}
		if v, ok := m["nonEmpty"]; ok && v == true {
			if *got == "" {
				return "expected non-empty"
			}
			return ""
		}
		if v, ok := m["not"].(string); ok {
			if *got == v {
				return "expected a different value than " + v
			}
			return ""
		}
		if v, ok := m["list"].([]interface{}); ok {
			want := map[string]bool{}
			for _, x := range v {
				want[strings.ToLower(x.(string))] = true
			}
			have := map[string]bool{}
			for _, x := range strings.Split(*got, ",") {
				if x = strings.ToLower(strings.TrimSpace(x)); x != "" {
					have[x] = true
				}
			}
			if !reflect.DeepEqual(want, have) {
				return fmt.Sprintf("expected list %v, got %s", v, show)
			}
			return ""
		}
		if v, ok := m["inMs"].(float64); ok {
			at, err := http.ParseTime(*got)
			if err != nil {
				return "not an HTTP date: " + show
			}
			if diff := at.UnixMilli() - (nowMs + int64(v)); diff > inMsTolerance || diff < -inMsTolerance {
				return fmt.Sprintf("expected now+%vms, got %s", v, show)
			}
			return ""
		}
		if v, ok := m["frontToken"].(map[string]interface{}); ok {
			raw, err := base64.StdEncoding.DecodeString(*got)
			var ft map[string]interface{}
			if err != nil || json.Unmarshal(raw, &ft) != nil {
				return "not a front token: " + show
			}
			_, ate := ft["ate"].(float64)
			_, up := ft["up"].(map[string]interface{})
			if ft["uid"] != v["uid"] || !ate || !up {
				return fmt.Sprintf("front token %v does not match %v", ft, v)
			}
			return ""
		}
	}
	return fmt.Sprintf("unknown matcher %v", m)
}

func runFlow(engine *cffi.Engine, c *vectorCase) []string {
	var raw struct {
		Steps []map[string]interface{} `json:"steps"`
	}
	_ = json.Unmarshal(mustJSON(c), &raw)
	if len(raw.Steps) == 0 {
		return []string{"a flow needs steps"}
	}
	vars := map[string]string{}
	for i, step := range raw.Steps {
		if failures := runStep(engine, step, vars); len(failures) > 0 {
			for j := range failures {
				failures[j] = fmt.Sprintf("step %d (%v): %s", i+1, step["action"], failures[j])
			}
			return failures
		}
	}
	return nil
}

func runStep(engine *cffi.Engine, raw map[string]interface{}, vars map[string]string) []string {
	inputs := map[string]interface{}{}
	for k, v := range raw {
		if k != "expect" && k != "save" {
			inputs[k] = v
		}
	}
	substituted, err := substitute(inputs, vars)
	if err != nil {
		return []string{err.Error()}
	}
	step := substituted.(map[string]interface{})
	request := json.RawMessage(mustJSON(step["request"]))
	expectRaw, _ := raw["expect"].(map[string]interface{})
	nowMs := time.Now().UnixMilli()
	var o outcome
	switch step["action"] {
	case "create":
		tenant, ok := step["tenantId"].(string)
		if !ok {
			tenant = "public"
		}
		_, doc, err := engine.CreateNewSession(mustJSON(map[string]interface{}{
			"request": request, "tenantId": tenant, "recipeUserId": step["userId"], "accessTokenPayload": step["payload"],
		}))
		o = sessionOutcome(engine, request, doc, err)
	case "verify":
		o = verify(engine, request, json.RawMessage(mustJSON(step["options"])), nil)
	case "api":
		handled := true
		if h, ok := expectRaw["handled"].(bool); ok {
			handled = h
		}
		doc, err := engine.HandleAPIRequest(mustJSON(map[string]interface{}{"request": request}))
		if err != nil {
			return []string{err.Error()}
		}
		if string(doc) == "null" {
			if handled {
				return []string{"the core did not handle the request"}
			}
			return nil
		}
		if !handled {
			return []string{"expected the request not to be handled"}
		}
		w, err := apply(doc)
		if err != nil {
			return []string{err.Error()}
		}
		o = outcome{name: "", w: w}
	default:
		return []string{fmt.Sprintf("unknown action %v", step["action"])}
	}
	saves, _ := raw["save"].(map[string]interface{})
	for name, source := range saves {
		v, err := save(source.(string), o)
		if err != nil {
			return []string{"save " + name + ": " + err.Error()}
		}
		vars[name] = v
	}
	expect, err := substitute(expectRaw, vars)
	if err != nil {
		return []string{err.Error()}
	}
	em, _ := expect.(map[string]interface{})
	return checkOutcome(em, o, nowMs)
}

func save(source string, o outcome) (string, error) {
	kind, what, _ := strings.Cut(source, ":")
	switch kind {
	case "header":
		if o.w != nil {
			if v := headerValue(o.w, what); v != nil {
				return *v, nil
			}
		}
		return "", fmt.Errorf("header %s was not set", what)
	case "cookie":
		if o.w != nil {
			if v := setCookie(o.w, what); v != nil {
				_, value, _ := strings.Cut(strings.Split(*v, ";")[0], "=")
				if d, err := url.PathUnescape(value); err == nil {
					value = d
				}
				return value, nil
			}
		}
		return "", fmt.Errorf("cookie %s was not set", what)
	case "session":
		if o.session == nil {
			return "", fmt.Errorf("no session in this step")
		}
		key := map[string]string{"accessToken": "accessToken", "refreshToken": "refreshToken",
			"sessionHandle": "sessionHandle", "userId": "userId"}[what]
		if v, ok := o.session[key].(string); ok && key != "" {
			return v, nil
		}
		return "", fmt.Errorf("no session %s", what)
	}
	return "", fmt.Errorf("unknown source %s", source)
}

func substitute(v interface{}, vars map[string]string) (interface{}, error) {
	switch v := v.(type) {
	case string:
		out, rest := "", v
		for {
			at := strings.Index(rest, "${")
			if at < 0 {
				return out + rest, nil
			}
			end := strings.Index(rest[at:], "}")
			if end < 0 {
				return nil, fmt.Errorf("unterminated variable in %q", v)
			}
			name := rest[at+2 : at+end]
			val, ok := vars[name]
			if !ok {
				return nil, fmt.Errorf("unknown variable ${%s}", name)
			}
			out += rest[:at] + val
			rest = rest[at+end+1:]
		}
	case []interface{}:
		out := make([]interface{}, len(v))
		for i, x := range v {
			s, err := substitute(x, vars)
			if err != nil {
				return nil, err
			}
			out[i] = s
		}
		return out, nil
	case map[string]interface{}:
		out := map[string]interface{}{}
		for k, x := range v {
			s, err := substitute(x, vars)
			if err != nil {
				return nil, err
			}
			out[k] = s
		}
		return out, nil
	}
	return v, nil
}
