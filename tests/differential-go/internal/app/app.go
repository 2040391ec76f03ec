// Package app is the net/http application both servers of the Go differential test run: the
// routes of tests/differential (harness.mjs ROUTES and flows.mjs FLOW_ROUTES) on Go's
// ServeMux, over one library, Tessera's Go binding (cmd/tessera) or supertokens-golang
// (cmd/supertokens). Each command adapts its library to Lib; everything else is shared, so that
// a difference in the answers is a difference between the libraries.
package app

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
)

// Config is the group's configuration, as the test gives it in $DIFF_CONFIG: the options both
// libraries take under the same names, plus Tessera's own (its authority's settings).
type Config struct {
	ConnectionURI string `json:"connectionURI"`
	AppInfo       struct {
		AppName       string `json:"appName"`
		APIDomain     string `json:"apiDomain"`
		WebsiteDomain string `json:"websiteDomain"`
	} `json:"appInfo"`
	Session struct {
		AntiCsrf                                     *string `json:"antiCsrf"`
		CookieDomain                                 *string `json:"cookieDomain"`
		OlderCookieDomain                            *string `json:"olderCookieDomain"`
		CookieSecure                                 *bool   `json:"cookieSecure"`
		CookieSameSite                               *string `json:"cookieSameSite"`
		ExposeAccessTokenToFrontendInCookieBasedAuth bool    `json:"exposeAccessTokenToFrontendInCookieBasedAuth"`
		UseDynamicAccessTokenSigningKey              *bool   `json:"useDynamicAccessTokenSigningKey"`
		// The Node groups' getTokenTransferMethod functions, by name: "" (none given),
		// "header", "cookie", or "cookie-for-create" (cookie for CreateNewSession, else any).
		TokenTransferMethod string `json:"tokenTransferMethod"`
	} `json:"session"`
	Tessera struct {
		AccessTokenValidity             *uint64 `json:"accessTokenValidity"`
		RefreshTokenRotationGracePeriod *uint64 `json:"refreshTokenRotationGracePeriod"`
	} `json:"tessera"`
}

// LoadConfig reads $DIFF_CONFIG.
func LoadConfig() Config {
	var c Config
	if err := json.Unmarshal([]byte(os.Getenv("DIFF_CONFIG")), &c); err != nil {
		fatal("DIFF_CONFIG: %v", err)
	}
	return c
}

// TransferMethod is GetTokenTransferMethod's answer for the configured name ("" when the
// library's default applies, i.e. no function is given).
func (c Config) TransferMethod(forCreateNewSession bool) string {
	switch c.Session.TokenTransferMethod {
	case "cookie-for-create":
		if forCreateNewSession {
			return "cookie"
		}
		return "any"
	default:
		return c.Session.TokenTransferMethod
	}
}

// Options are VerifySession's options (nil: the default).
type Options struct {
	SessionRequired *bool
	AntiCsrfCheck   *bool
	CheckDatabase   *bool
}

// Session is a session container, whichever library made it.
type Session struct {
	UserID, Handle, TenantID, AccessToken func() string
	Payload                               func() map[string]interface{}
	Merge                                 func(map[string]interface{}) error
	Revoke                                func() error
	GetData                               func() (map[string]interface{}, error)
	UpdateData                            func(map[string]interface{}) error
	TimeCreated, Expiry                   func() (uint64, error)
}

// Lib is one library's net/http integration.
type Lib struct {
	Name          string
	Middleware    func(http.Handler) http.Handler
	VerifySession func(Options, http.HandlerFunc) http.HandlerFunc
	// SessionOf is the session VerifySession put in the request's context (nil: none).
	SessionOf        func(*http.Request) *Session
	CreateNewSession func(r *http.Request, w http.ResponseWriter, tenantID, userID string, payload, data map[string]interface{}) (*Session, error)
	ErrorHandler     func(err error, r *http.Request, w http.ResponseWriter) error
	// Mint makes a session outside a request (Tessera only: its embedded authority mints the
	// tokens of the embedded groups); nil for the reference.
	Mint func(userID string, payload map[string]interface{}) (accessToken string, antiCsrf *string, err error)
}

// OnAPIError answers what no handler of the library answered, as the Node test's final Express
// error handler does (500 {"unhandledError": true}), and reports it on stderr for the test.
func OnAPIError(lib string) func(error, *http.Request, http.ResponseWriter) {
	return func(err error, r *http.Request, w http.ResponseWriter) {
		report(lib, r, err.Error())
		writeJSON(w, http.StatusInternalServerError, map[string]interface{}{"unhandledError": true})
	}
}

func report(lib string, r *http.Request, message string) {
	uri := r.URL.RequestURI()
	if len(uri) > 100 {
		uri = uri[:100]
	}
	line, _ := json.Marshal(map[string]string{"lib": lib, "request": r.Method + " " + uri, "error": message})
	fmt.Fprintf(os.Stderr, "UNHANDLED %s\n", line)
}

func writeJSON(w http.ResponseWriter, status int, v interface{}) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func boolp(b bool) *bool { return &b }

// routes are harness.mjs ROUTES.
var routes = []struct {
	path    string
	options Options
}{
	{"/sess", Options{}},
	{"/optional", Options{SessionRequired: boolp(false)}},
	{"/csrf", Options{AntiCsrfCheck: boolp(true)}},
	{"/nocsrf", Options{AntiCsrfCheck: boolp(false)}},
	{"/db", Options{CheckDatabase: boolp(true)}},
}

// payloads are flows.mjs PAYLOADS, made anew for each call (a library may keep the map).
func payloads(name string) (map[string]interface{}, bool) {
	switch name {
	case "plain":
		return map[string]interface{}{"role": "flow", "nested": map[string]interface{}{"a": []interface{}{1, "x"}, "b": nil}, "n": 1.5}, true
	case "protected":
		return map[string]interface{}{"role": "flow", "sub": "someone-else", "exp": 1, "tId": "other", "sessionHandle": "h", "iss": "https://evil.example"}, true
	case "empty":
		return map[string]interface{}{}, true
	}
	return nil, false
}

// Handler is the application: lib's middleware around the routes, and a recovery that answers
// a panic as an unhandled error (net/http would drop the connection).
func Handler(lib *Lib) http.Handler {
	mux := http.NewServeMux()
	onError := OnAPIError(lib.Name)
	fail := func(w http.ResponseWriter, r *http.Request, err error) {
		if err = lib.ErrorHandler(err, r, w); err != nil {
			onError(err, r, w)
		}
	}
	sessionAnswer := func(w http.ResponseWriter, r *http.Request) {
		s := lib.SessionOf(r)
		if s == nil {
			writeJSON(w, http.StatusOK, map[string]interface{}{"session": nil})
			return
		}
		writeJSON(w, http.StatusOK, map[string]interface{}{"session": map[string]interface{}{
			"userId": s.UserID(), "handle": s.Handle(), "tenantId": s.TenantID(), "payload": s.Payload(),
		}})
	}
	for _, route := range routes {
		mux.Handle(route.path, lib.VerifySession(route.options, sessionAnswer))
	}

	// flows.mjs FLOW_ROUTES.
	echo := func(s *Session) map[string]interface{} {
		return map[string]interface{}{
			"userId": s.UserID(), "tenantId": s.TenantID(), "handle": s.Handle(),
			"accessToken": s.AccessToken(), "payload": s.Payload(),
		}
	}
	mux.HandleFunc("POST /flow/signin", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		user := "flow-user"
		if q.Has("user") {
			user = q.Get("user")
		}
		name := "plain"
		if q.Has("payload") {
			name = q.Get("payload")
		}
		payload, _ := payloads(name)
		s, err := lib.CreateNewSession(r, w, "public", user, payload, map[string]interface{}{"note": "db"})
		if err != nil {
			fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, echo(s))
	})
	for _, route := range []struct {
		path    string
		options Options
	}{{"/flow/me", Options{}}, {"/flow/optional", Options{SessionRequired: boolp(false)}}, {"/flow/db", Options{CheckDatabase: boolp(true)}}} {
		mux.Handle(route.path, lib.VerifySession(route.options, func(w http.ResponseWriter, r *http.Request) {
			if s := lib.SessionOf(r); s != nil {
				writeJSON(w, http.StatusOK, echo(s))
			} else {
				writeJSON(w, http.StatusOK, map[string]interface{}{"session": nil})
			}
		}))
	}
	mux.Handle("POST /flow/merge", lib.VerifySession(Options{}, func(w http.ResponseWriter, r *http.Request) {
		s := lib.SessionOf(r)
		if err := s.Merge(map[string]interface{}{"merged": true, "role": nil, "n": 2}); err != nil {
			fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, echo(s))
	}))
	mux.Handle("POST /flow/revoke", lib.VerifySession(Options{}, func(w http.ResponseWriter, r *http.Request) {
		if err := lib.SessionOf(r).Revoke(); err != nil {
			fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]interface{}{"revoked": true})
	}))
	mux.Handle("POST /flow/data", lib.VerifySession(Options{}, func(w http.ResponseWriter, r *http.Request) {
		s := lib.SessionOf(r)
		before, err := s.GetData()
		if err == nil {
			err = s.UpdateData(map[string]interface{}{"note": "updated", "list": []interface{}{1}})
		}
		var after map[string]interface{}
		var created, expiry uint64
		if err == nil {
			after, err = s.GetData()
		}
		if err == nil {
			created, err = s.TimeCreated()
		}
		if err == nil {
			expiry, err = s.Expiry()
		}
		if err != nil {
			fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]interface{}{"before": before, "after": after, "timeCreated": created, "expiry": expiry})
	}))

	// The test's own route: tokens minted by Tessera's authority (the Node test calls
	// createNewSessionWithoutRequestResponse in process).
	if lib.Mint != nil {
		mux.HandleFunc("POST /__test/mint", func(w http.ResponseWriter, r *http.Request) {
			token, antiCsrf, err := lib.Mint(r.URL.Query().Get("user"), map[string]interface{}{"role": "differential"})
			if err != nil {
				writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
				return
			}
			writeJSON(w, http.StatusOK, map[string]interface{}{"token": token, "antiCsrf": antiCsrf})
		})
	}

	inner := lib.Middleware(mux)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				report(lib.Name, r, fmt.Sprintf("panic: %v", p))
				writeJSON(w, http.StatusInternalServerError, map[string]interface{}{"unhandledError": true})
			}
		}()
		inner.ServeHTTP(w, r)
	})
}

// Serve listens on a free loopback port, prints "PORT <n>" on stdout for the test, and serves.
func Serve(h http.Handler) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fatal("listen: %v", err)
	}
	fmt.Printf("PORT %d\n", ln.Addr().(*net.TCPAddr).Port)
	// MaxHeaderBytes: 1 MiB (the default), as the Node test's servers: the corpus's 100 KB
	// tokens must reach the libraries.
	srv := &http.Server{Handler: h, MaxHeaderBytes: 1 << 20}
	fatal("serve: %v", srv.Serve(ln))
}

func fatal(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "differential-go app: "+format+"\n", args...)
	os.Exit(1)
}
