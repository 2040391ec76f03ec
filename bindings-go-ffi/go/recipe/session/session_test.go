package session_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/sessmodels"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/tessera"
)

func ptr[T any](v T) *T { return &v }

// start initialises Tessera on a private in-memory store and serves the seed-style app.
func start(t testing.TB, options *sessmodels.TypeInput) *httptest.Server {
	t.Helper()
	return startWith(t, options, nil)
}

// startWith is start with the application's OnSuperTokensAPIError.
func startWith(t testing.TB, options *sessmodels.TypeInput, onAPIError func(err error, req *http.Request, res http.ResponseWriter)) *httptest.Server {
	t.Helper()
	err := tessera.Init(tessera.TypeInput{
		Supertokens:           &tessera.ConnectionInfo{ConnectionURI: "sqlite::memory:"},
		AppInfo:               tessera.AppInfo{AppName: "test", APIDomain: "http://localhost:3001", WebsiteDomain: "http://localhost:3000"},
		RecipeList:            []tessera.Recipe{session.Init(options)},
		OnSuperTokensAPIError: onAPIError,
	})
	if err != nil {
		t.Fatalf("Init: %v", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		_, err := session.CreateNewSession(r, w, "public", "user-1", map[string]interface{}{"role": "admin"}, nil)
		if err != nil {
			if herr := tessera.ErrorHandler(err, r, w); herr != nil {
				http.Error(w, herr.Error(), 500)
			}
			return
		}
		w.Write([]byte(`{"status":"OK"}`))
	})
	mux.Handle("/getJWT", session.VerifySession(nil, func(w http.ResponseWriter, r *http.Request) {
		s := session.GetSessionFromRequestContext(r.Context())
		json.NewEncoder(w).Encode(map[string]string{"token": s.GetAccessToken(), "userId": s.GetUserID()})
	}))
	mux.Handle("/optional", session.VerifySession(&sessmodels.VerifySessionOptions{SessionRequired: ptr(false)},
		func(w http.ResponseWriter, r *http.Request) {
			if s := session.GetSessionFromRequestContext(r.Context()); s != nil {
				w.Write([]byte("user " + s.GetUserID()))
				return
			}
			w.Write([]byte("no session"))
		}))
	mux.Handle("/merge", session.VerifySession(nil, func(w http.ResponseWriter, r *http.Request) {
		s := session.GetSessionFromRequestContext(r.Context())
		if err := s.MergeIntoAccessTokenPayload(map[string]interface{}{"plan": "pro"}); err != nil {
			t.Errorf("merge: %v", err)
		}
		w.Write([]byte(s.GetAccessToken()))
	}))
	srv := httptest.NewServer(tessera.Middleware(mux))
	t.Cleanup(srv.Close)
	return srv
}

type answer struct {
	status int
	header http.Header
	body   string
	res    *http.Response
}

func do(t testing.TB, srv *httptest.Server, method, path string, headers ...string) answer {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return answer{res.StatusCode, res.Header, string(body), res}
}

func cookie(a answer, name string) *http.Cookie {
	for _, c := range a.res.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func jsonBody(t *testing.T, a answer) map[string]interface{} {
	t.Helper()
	var m map[string]interface{}
	if err := json.Unmarshal([]byte(a.body), &m); err != nil {
		t.Fatalf("body %q is not JSON: %v", a.body, err)
	}
	return m
}

func expectMessage(t *testing.T, a answer, status int, message string) {
	t.Helper()
	if a.status != status {
		t.Fatalf("status %d (body %q), want %d", a.status, a.body, status)
	}
	if got := jsonBody(t, a)["message"]; got != message {
		t.Fatalf("message %q, want %q", got, message)
	}
}

func TestGetJWTReturnsTheTokenTheClientHolds(t *testing.T) {
	srv := start(t, nil)
	t.Run("cookie", func(t *testing.T) {
		login := do(t, srv, "POST", "/login", "st-auth-mode", "cookie")
		at := cookie(login, "sAccessToken")
		if login.status != 200 || at == nil || at.Value == "" {
			t.Fatalf("login: %d %v", login.status, login.header)
		}
		if login.header.Get("front-token") == "" || login.header.Get("st-access-token") != "" {
			t.Fatalf("cookie login headers: %v", login.header)
		}
		got := do(t, srv, "GET", "/getJWT", "Cookie", "sAccessToken="+at.Value)
		if got.status != 200 || jsonBody(t, got)["token"] != at.Value {
			t.Fatalf("getJWT: %d %s", got.status, got.body)
		}
	})
	t.Run("header", func(t *testing.T) {
		login := do(t, srv, "POST", "/login")
		token := login.header.Get("st-access-token")
		if token == "" || login.header.Get("st-refresh-token") == "" || cookie(login, "sAccessToken") != nil {
			t.Fatalf("header login: %v", login.header)
		}
		got := do(t, srv, "GET", "/getJWT", "Authorization", "Bearer "+token)
		if got.status != 200 || jsonBody(t, got)["token"] != token || jsonBody(t, got)["userId"] != "user-1" {
			t.Fatalf("getJWT: %d %s", got.status, got.body)
		}
	})
}

func TestNoSessionIsUnauthorised(t *testing.T) {
	srv := start(t, nil)
	expectMessage(t, do(t, srv, "GET", "/getJWT"), 401, "unauthorised")
}

func TestExpiredTokenAsksForARefresh(t *testing.T) {
	srv := start(t, &sessmodels.TypeInput{AccessTokenValidity: ptr(uint64(1))})
	// exp is in whole seconds: a token made late in a second lives only to its end, so log
	// in just after a second starts.
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)))
	token := do(t, srv, "POST", "/login").header.Get("st-access-token")
	if got := do(t, srv, "GET", "/getJWT", "Authorization", "Bearer "+token); got.status != 200 {
		t.Fatalf("fresh token: %d %s", got.status, got.body)
	}
	time.Sleep(2100 * time.Millisecond)
	expectMessage(t, do(t, srv, "GET", "/getJWT", "Authorization", "Bearer "+token), 401, "try refresh token")
}

func TestRefreshRotatesAndReuseIsTheft(t *testing.T) {
	srv := start(t, &sessmodels.TypeInput{RefreshTokenRotationGracePeriod: ptr(uint64(0))})
	login := do(t, srv, "POST", "/login")
	rt0 := login.header.Get("st-refresh-token")
	refreshed := do(t, srv, "POST", "/auth/session/refresh", "Authorization", "Bearer "+rt0, "rid", "session")
	rt1 := refreshed.header.Get("st-refresh-token")
	at1 := refreshed.header.Get("st-access-token")
	if refreshed.status != 200 || rt1 == "" || rt1 == rt0 || at1 == "" {
		t.Fatalf("refresh: %d %s %v", refreshed.status, refreshed.body, refreshed.header)
	}
	if got := do(t, srv, "GET", "/getJWT", "Authorization", "Bearer "+at1); got.status != 200 {
		t.Fatalf("new access token: %d %s", got.status, got.body)
	}
	theft := do(t, srv, "POST", "/auth/session/refresh", "Authorization", "Bearer "+rt0, "rid", "session")
	expectMessage(t, theft, 401, "token theft detected")
	// The theft revoked the session: the rotated refresh token is dead too.
	after := do(t, srv, "POST", "/auth/session/refresh", "Authorization", "Bearer "+rt1, "rid", "session")
	expectMessage(t, after, 401, "unauthorised")
}

func TestSignOutClearsCookies(t *testing.T) {
	srv := start(t, nil)
	login := do(t, srv, "POST", "/login", "st-auth-mode", "cookie")
	at, rt := cookie(login, "sAccessToken"), cookie(login, "sRefreshToken")
	out := do(t, srv, "POST", "/auth/signout", "Cookie", "sAccessToken="+at.Value)
	if out.status != 200 || jsonBody(t, out)["status"] != "OK" {
		t.Fatalf("signout: %d %s", out.status, out.body)
	}
	if out.header.Get("front-token") != "remove" {
		t.Fatalf("front-token %q", out.header.Get("front-token"))
	}
	for _, name := range []string{"sAccessToken", "sRefreshToken"} {
		c := cookie(out, name)
		if c == nil || c.Value != "" || !c.Expires.Before(time.Unix(1, 0)) {
			t.Fatalf("%s not cleared: %v", name, out.header.Values("Set-Cookie"))
		}
	}
	// Signed out: the session is revoked, so its refresh token no longer works.
	refresh := do(t, srv, "POST", "/auth/session/refresh", "Cookie", "sRefreshToken="+rt.Value, "rid", "session")
	expectMessage(t, refresh, 401, "unauthorised")
}

func TestSessionNotRequiredGivesNil(t *testing.T) {
	srv := start(t, nil)
	if got := do(t, srv, "GET", "/optional"); got.status != 200 || got.body != "no session" {
		t.Fatalf("optional without session: %d %q", got.status, got.body)
	}
	token := do(t, srv, "POST", "/login").header.Get("st-access-token")
	if got := do(t, srv, "GET", "/optional", "Authorization", "Bearer "+token); got.body != "user user-1" {
		t.Fatalf("optional with session: %d %q", got.status, got.body)
	}
}

func TestExposeAccessTokenInCookieMode(t *testing.T) {
	srv := start(t, &sessmodels.TypeInput{ExposeAccessTokenToFrontendInCookieBasedAuth: true})
	login := do(t, srv, "POST", "/login", "st-auth-mode", "cookie")
	at := cookie(login, "sAccessToken")
	if at == nil || login.header.Get("st-access-token") != at.Value {
		t.Fatalf("st-access-token %q, cookie %v", login.header.Get("st-access-token"), at)
	}
	if !strings.Contains(login.header.Get("Access-Control-Expose-Headers"), "st-access-token") {
		t.Fatalf("expose headers %q", login.header.Get("Access-Control-Expose-Headers"))
	}
	got := do(t, srv, "GET", "/getJWT", "Cookie", "sAccessToken="+at.Value)
	if jsonBody(t, got)["token"] != at.Value {
		t.Fatalf("getJWT %s", got.body)
	}
}

func TestMergeWritesTheNewTokenOnTheResponse(t *testing.T) {
	srv := start(t, nil)
	token := do(t, srv, "POST", "/login").header.Get("st-access-token")
	merged := do(t, srv, "GET", "/merge", "Authorization", "Bearer "+token)
	if merged.status != 200 || merged.body == token || merged.header.Get("st-access-token") != merged.body {
		t.Fatalf("merge: %d %q %v", merged.status, merged.body, merged.header)
	}
	s, err := session.GetSessionWithoutRequestResponse(merged.body, nil, &sessmodels.VerifySessionOptions{AntiCsrfCheck: ptr(false)})
	if err != nil || s.GetAccessTokenPayload()["plan"] != "pro" {
		t.Fatalf("merged payload: %v %v", err, s)
	}
}

func TestGarbageIsUnauthorisedNeverAServerError(t *testing.T) {
	srv := start(t, nil)
	long := strings.Repeat("x", 100_000)
	cases := [][]string{
		{"Cookie", "sAccessToken=garbage"},
		{"Cookie", "sAccessToken=a.b.c"},
		{"Cookie", "sAccessToken=%ZZ%; sRefreshToken=\x01"},
		{"Cookie", "sIdRefreshToken=legacy"},
		{"Cookie", "=;;;=="},
		{"Authorization", "Bearer "},
		{"Authorization", "Bearer not.a.token"},
		{"Authorization", "Basic dXNlcjpwYXNz"},
		{"Authorization", "Bearer " + long},
		{"Cookie", "sAccessToken=" + long},
		{"anti-csrf", "\xff\xfe", "Authorization", "Bearer \xff"},
		{"st-auth-mode", "nonsense", "rid", "\x00"},
	}
	for _, h := range cases {
		for _, path := range []string{"/getJWT", "/auth/session/refresh", "/auth/signout"} {
			method := "GET"
			if path != "/getJWT" {
				method = "POST"
			}
			// Straight to the handler: net/http's client refuses to send some of these.
			r := httptest.NewRequest(method, path, nil)
			for i := 0; i+1 < len(h); i += 2 {
				r.Header.Add(h[i], h[i+1])
			}
			w := httptest.NewRecorder()
			srv.Config.Handler.ServeHTTP(w, r)
			if w.Code != 401 {
				t.Errorf("%s %s with %q: %d %q", method, path, h[0]+": "+h[1][:min(len(h[1]), 40)], w.Code, w.Body.String())
			}
		}
	}
	// Two access-token cookies fail verification with a 401; the refresh endpoint refuses
	// them as a configuration problem (no olderCookieDomain), as the SDKs do, so it is left out.
	if dup := do(t, srv, "GET", "/getJWT", "Cookie", "sAccessToken=eyJ.eyJ.sig; sAccessToken=other"); dup.status != 401 {
		t.Errorf("duplicate cookies: %d %s", dup.status, dup.body)
	}
}

func TestGoroutinesVerifyAndRefreshAtOnce(t *testing.T) {
	srv := start(t, nil)
	const workers = 16
	var wg sync.WaitGroup
	errc := make(chan string, workers)
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			login := do(t, srv, "POST", "/login")
			token, rt := login.header.Get("st-access-token"), login.header.Get("st-refresh-token")
			for j := 0; j < 20; j++ {
				if got := do(t, srv, "GET", "/getJWT", "Authorization", "Bearer "+token); got.status != 200 {
					errc <- "verify: " + strconv.Itoa(got.status) + " " + got.body
					return
				}
				if j%5 == 4 {
					r := do(t, srv, "POST", "/auth/session/refresh", "Authorization", "Bearer "+rt, "rid", "session")
					if r.status != 200 {
						errc <- "refresh: " + strconv.Itoa(r.status) + " " + r.body
						return
					}
					token, rt = r.header.Get("st-access-token"), r.header.Get("st-refresh-token")
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	for e := range errc {
		t.Error(e)
	}
}

func rssKiB(t *testing.T) int {
	doc, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	for _, line := range strings.Split(string(doc), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			n, _ := strconv.Atoi(strings.Fields(line)[1])
			return n
		}
	}
	t.Skip("no VmRSS")
	return 0
}

// Every handle and byte buffer crossing the boundary is freed: 100,000 verifications leave
// the process's memory flat.
func TestManyVerificationsLeakNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("long")
	}
	start(t, nil)
	s, err := session.CreateNewSessionWithoutRequestResponse("public", "user-1", nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	token := s.GetAccessToken()
	verify := func(n int) {
		for i := 0; i < n; i++ {
			r := httptest.NewRequest("GET", "/getJWT", nil)
			r.Header.Set("Authorization", "Bearer "+token)
			got, err := session.GetSession(r, httptest.NewRecorder(), nil)
			if err != nil || got.GetAccessToken() != token {
				t.Fatalf("verify %d: %v", i, err)
			}
		}
		runtime.GC()
		runtime.GC()
	}
	verify(5_000)
	before := rssKiB(t)
	verify(100_000)
	after := rssKiB(t)
	t.Logf("RSS %d KiB -> %d KiB", before, after)
	if after-before > 32*1024 {
		t.Fatalf("RSS grew by %d KiB over 100,000 verifications", after-before)
	}
}

func TestErrorsAreSentinelsAndUnknownHandlesAreHandled(t *testing.T) {
	start(t, nil)
	_, err := session.GetSessionWithoutRequestResponse("garbage", nil, nil)
	if !errors.Is(err, tessera.ErrUnauthorised) || errors.Is(err, tessera.ErrTryRefreshToken) {
		t.Fatalf("garbage token: %v", err)
	}
	var te *tessera.Error
	if !errors.As(err, &te) || te.Code != "UNAUTHORISED" {
		t.Fatalf("errors.As: %v", err)
	}
	info, err := session.GetSessionInformation("no-such-handle")
	if err != nil || info != nil {
		t.Fatalf("unknown handle: %v %v", info, err)
	}
	s, err := session.CreateNewSessionWithoutRequestResponse("public", "user-2", map[string]interface{}{"a": 1.0}, map[string]interface{}{"d": "x"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	data, err := s.GetSessionDataInDatabase()
	if err != nil || data["d"] != "x" {
		t.Fatalf("data: %v %v", data, err)
	}
	handles, err := session.GetAllSessionHandlesForUser("user-2", nil)
	if err != nil || len(handles) != 1 || handles[0] != s.GetHandle() {
		t.Fatalf("handles: %v %v", handles, err)
	}
	if ok, err := session.RevokeSession(s.GetHandle()); !ok || err != nil {
		t.Fatalf("revoke: %v %v", ok, err)
	}
	if _, err := s.GetExpiry(); !errors.Is(err, tessera.ErrUnauthorised) {
		t.Fatalf("expiry of a revoked session: %v", err)
	}
	// As in the SDKs, a session gone under a method clears the client's tokens when answered.
	_, err = s.GetSessionDataInDatabase()
	if !errors.As(err, &te) || !te.ClearTokens {
		t.Fatalf("data of a revoked session: %#v", err)
	}
	rec := httptest.NewRecorder()
	if herr := tessera.ErrorHandler(err, httptest.NewRequest("GET", "/data", nil), rec); herr != nil {
		t.Fatal(herr)
	}
	if rec.Code != 401 || rec.Header().Get("front-token") != "remove" {
		t.Fatalf("answer: %d %v", rec.Code, rec.Header())
	}
}

// GetSession has no method rules, as supertokens-golang's: an OPTIONS request without a
// session is unauthorised (the session is required) and one with a token has its session;
// VerifySession, the API's rules, gives a preflight no session.
func TestGetSessionVerifiesAPreflightRequest(t *testing.T) {
	srv := start(t, nil)
	token := do(t, srv, "POST", "/login", "st-auth-mode", "header").header.Get("st-access-token")
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := session.GetSession(r, w, nil)
		if err != nil {
			if herr := tessera.ErrorHandler(err, r, w); herr != nil {
				t.Errorf("ErrorHandler: %v", herr)
			}
			return
		}
		w.Write([]byte("user " + s.GetUserID()))
	}))
	t.Cleanup(app.Close)
	expectMessage(t, do(t, app, "OPTIONS", "/x"), 401, "unauthorised")
	if a := do(t, app, "OPTIONS", "/x", "Authorization", "Bearer "+token); a.status != 200 || a.body != "user user-1" {
		t.Fatalf("GetSession on OPTIONS with a token: %d %q", a.status, a.body)
	}
	guarded := httptest.NewServer(session.VerifySession(nil, func(w http.ResponseWriter, r *http.Request) {
		if session.GetSessionFromRequestContext(r.Context()) != nil {
			w.Write([]byte("session"))
			return
		}
		w.Write([]byte("none"))
	}))
	t.Cleanup(guarded.Close)
	if a := do(t, guarded, "OPTIONS", "/x", "Authorization", "Bearer "+token); a.status != 200 || a.body != "none" {
		t.Fatalf("VerifySession on OPTIONS: %d %q", a.status, a.body)
	}
}
