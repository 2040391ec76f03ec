package session_test

import (
	defaultErrors "errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/errors"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/sessmodels"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/tessera"
)

// withAPIs is options (nil: none) with apis as its Override.APIs.
func withAPIs(options *sessmodels.TypeInput, apis func(sessmodels.APIInterface) sessmodels.APIInterface) *sessmodels.TypeInput {
	o := sessmodels.TypeInput{}
	if options != nil {
		o = *options
	}
	o.Override = &sessmodels.OverrideStruct{APIs: apis}
	return &o
}

// serveApp serves, behind tessera.Middleware, an application of its own at /auth/signout and
// /auth/session/refresh (the endpoints a nil API function leaves to it) and anywhere else.
func serveApp(t *testing.T) *httptest.Server {
	t.Helper()
	app := httptest.NewServer(tessera.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
		w.Write([]byte("the app's " + r.Method + " " + r.URL.Path))
	})))
	t.Cleanup(app.Close)
	return app
}

// expectBody checks an endpoint's JSON answer, byte for byte.
func expectBody(t *testing.T, a answer, status int, body string) {
	t.Helper()
	if a.status != status || a.body != body {
		t.Fatalf("answer %d %q, want %d %q", a.status, a.body, status, body)
	}
	if ct := a.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Fatalf("Content-Type %q", ct)
	}
}

func TestAPIsOverrideOfSignOutPOSTRunsCodeAroundTheOriginal(t *testing.T) {
	var c calls
	srv := start(t, withAPIs(nil, func(originalImplementation sessmodels.APIInterface) sessmodels.APIInterface {
		// As the SuperTokens docs write one.
		originalSignOutPOST := *originalImplementation.SignOutPOST
		(*originalImplementation.SignOutPOST) = func(sessionContainer sessmodels.SessionContainer, options sessmodels.APIOptions, userContext tessera.UserContext) (sessmodels.SignOutPOSTResponse, error) {
			c.add(fmt.Sprintf("sign-out of %s on %s %s, recipe %s, request in context %v",
				sessionContainer.GetUserID(), options.Req.Method, options.Req.URL.Path, options.RecipeID,
				tessera.GetRequestFromUserContext(userContext) == options.Req))
			return originalSignOutPOST(sessionContainer, options, userContext)
		}
		return originalImplementation
	}))
	login := do(t, srv, "POST", "/login", "st-auth-mode", "cookie")
	at, rt := cookie(login, "sAccessToken"), cookie(login, "sRefreshToken")

	out := do(t, srv, "POST", "/auth/signout", "Cookie", "sAccessToken="+at.Value)
	expectBody(t, out, 200, `{"status":"OK"}`)
	expectCleared(t, out)
	if got := c.all(); len(got) != 1 || got[0] != "sign-out of user-1 on POST /auth/signout, recipe session, request in context true" {
		t.Fatalf("the override saw %q", got)
	}
	// The original revoked the session.
	expectMessage(t, do(t, srv, "POST", "/auth/session/refresh", "Cookie", "sRefreshToken="+rt.Value, "rid", "session"), 401, "unauthorised")
	// Without a session the override is not called: the endpoint answers as the core's does.
	a := do(t, srv, "POST", "/auth/signout")
	expectMessage(t, a, 401, "unauthorised")
	if n := len(c.all()); n != 1 {
		t.Fatalf("%d override calls", n)
	}
}

func TestAPIsOverrideOfSignOutPOSTAnswersAGeneralError(t *testing.T) {
	srv := start(t, withAPIs(nil, func(originalImplementation sessmodels.APIInterface) sessmodels.APIInterface {
		(*originalImplementation.SignOutPOST) = func(sessionContainer sessmodels.SessionContainer, options sessmodels.APIOptions, userContext tessera.UserContext) (sessmodels.SignOutPOSTResponse, error) {
			return sessmodels.SignOutPOSTResponse{
				GeneralError: &tessera.GeneralErrorResponse{Message: "signing out of " + sessionContainer.GetUserID() + " is not allowed"},
			}, nil
		}
		return originalImplementation
	}))
	token := do(t, srv, "POST", "/login").header.Get("st-access-token")
	out := do(t, srv, "POST", "/auth/signout", "Authorization", "Bearer "+token)
	expectBody(t, out, 200, `{"status":"GENERAL_ERROR","message":"signing out of user-1 is not allowed"}`)
	expectNothingCleared(t, out.header)
	// The session was not revoked.
	if got := do(t, srv, "GET", "/getJWT", "Authorization", "Bearer "+token); got.status != 200 || jsonBody(t, got)["userId"] != "user-1" {
		t.Fatalf("getJWT after the refused sign-out: %d %s", got.status, got.body)
	}
	handles, err := session.GetAllSessionHandlesForUser("user-1", nil)
	if err != nil || len(handles) != 1 {
		t.Fatalf("sessions %v: %v", handles, err)
	}
	if info, err := session.GetSessionInformation(handles[0]); err != nil || info == nil {
		t.Fatalf("the session is gone: %v", err)
	}
}

func TestAPIsOverrideWithoutSignOutPOSTLeavesSignOutToTheApp(t *testing.T) {
	srv := start(t, withAPIs(nil, func(originalImplementation sessmodels.APIInterface) sessmodels.APIInterface {
		originalImplementation.SignOutPOST = nil
		return originalImplementation
	}))
	app := serveApp(t)
	login := do(t, srv, "POST", "/login")
	token, rt0 := login.header.Get("st-access-token"), login.header.Get("st-refresh-token")

	out := do(t, app, "POST", "/auth/signout", "Authorization", "Bearer "+token)
	if out.status != http.StatusTeapot || out.body != "the app's POST /auth/signout" {
		t.Fatalf("signout: %d %q", out.status, out.body)
	}
	expectNothingCleared(t, out.header)
	if got := do(t, srv, "GET", "/getJWT", "Authorization", "Bearer "+token); got.status != 200 {
		t.Fatalf("getJWT after the app's sign-out: %d %s", got.status, got.body)
	}
	// The other endpoints are still Tessera's: refresh through the original RefreshPOST, and
	// the JWKS, which the core serves.
	refreshed := do(t, app, "POST", "/auth/session/refresh", "Authorization", "Bearer "+rt0, "rid", "session")
	expectBody(t, refreshed, 200, `{}`)
	if rt1 := refreshed.header.Get("st-refresh-token"); rt1 == "" || rt1 == rt0 {
		t.Fatalf("refresh headers: %v", refreshed.header)
	}
	jwks := do(t, app, "GET", "/auth/jwt/jwks.json")
	if jwks.status != 200 || len(jsonBody(t, jwks)["keys"].([]interface{})) == 0 {
		t.Fatalf("jwks: %d %s", jwks.status, jwks.body)
	}
	openid := do(t, app, "GET", "/auth/.well-known/openid-configuration")
	if openid.status != 200 || !strings.HasSuffix(jsonBody(t, openid)["jwks_uri"].(string), "/auth/jwt/jwks.json") {
		t.Fatalf("openid-configuration: %d %s", openid.status, openid.body)
	}
	// Requests for no endpoint go to the app as before.
	if got := do(t, app, "GET", "/auth/signout"); got.status != http.StatusTeapot {
		t.Fatalf("GET /auth/signout: %d %q", got.status, got.body)
	}
}

func TestAPIsOverrideOfRefreshPOSTRunsCodeAroundTheOriginal(t *testing.T) {
	var c calls
	srv := start(t, withAPIs(nil, func(originalImplementation sessmodels.APIInterface) sessmodels.APIInterface {
		originalRefreshPOST := *originalImplementation.RefreshPOST
		(*originalImplementation.RefreshPOST) = func(options sessmodels.APIOptions, userContext tessera.UserContext) (sessmodels.SessionContainer, error) {
			s, err := originalRefreshPOST(options, userContext)
			if err != nil {
				c.add(fmt.Sprintf("refresh failed: %T: %v", err, err))
				return nil, err
			}
			c.add("refreshed " + s.GetUserID() + " to " + s.GetAccessToken())
			return s, nil
		}
		return originalImplementation
	}))
	login := do(t, srv, "POST", "/login")
	at0, rt0 := login.header.Get("st-access-token"), login.header.Get("st-refresh-token")

	refreshed := do(t, srv, "POST", "/auth/session/refresh", "Authorization", "Bearer "+rt0, "rid", "session")
	expectBody(t, refreshed, 200, `{}`)
	at1, rt1 := refreshed.header.Get("st-access-token"), refreshed.header.Get("st-refresh-token")
	if at1 == "" || at1 == at0 || rt1 == "" || rt1 == rt0 || refreshed.header.Get("front-token") == "" {
		t.Fatalf("tokens not rotated: %v", refreshed.header)
	}
	if got := c.all(); len(got) != 1 || got[0] != "refreshed user-1 to "+at1 {
		t.Fatalf("the override saw %q", got)
	}
	if got := do(t, srv, "GET", "/getJWT", "Authorization", "Bearer "+at1); got.status != 200 || jsonBody(t, got)["token"] != at1 {
		t.Fatalf("getJWT with the new token: %d %s", got.status, got.body)
	}
	// The original's errors reach the override and are answered as the endpoint's.
	a := do(t, srv, "POST", "/auth/session/refresh", "rid", "session")
	expectMessage(t, a, 401, "unauthorised")
	if got := c.last(); !strings.HasPrefix(got, "refresh failed: errors.UnauthorizedError: ") {
		t.Fatalf("the override saw %q", got)
	}
}

func TestAPIsOverrideWithoutRefreshPOSTLeavesRefreshToTheApp(t *testing.T) {
	start(t, withAPIs(nil, func(originalImplementation sessmodels.APIInterface) sessmodels.APIInterface {
		originalImplementation.RefreshPOST = nil
		return originalImplementation
	}))
	app := serveApp(t)
	s, err := session.CreateNewSessionWithoutRequestResponse("public", "user-1", nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	rt0 := *s.GetAllSessionTokensDangerously().RefreshToken
	a := do(t, app, "POST", "/auth/session/refresh", "Authorization", "Bearer "+rt0, "rid", "session")
	if a.status != http.StatusTeapot || a.body != "the app's POST /auth/session/refresh" {
		t.Fatalf("refresh: %d %q", a.status, a.body)
	}
	if a.header.Get("st-access-token") != "" || a.header.Get("front-token") != "" || len(a.header.Values("Set-Cookie")) != 0 {
		t.Fatalf("tokens written for the app's refresh: %v", a.header)
	}
	// The refresh token was not used: it still refreshes.
	if _, err := session.RefreshSessionWithoutRequestResponse(rt0, ptr(true), nil); err != nil {
		t.Fatalf("the refresh token was used: %v", err)
	}
}

// Errors the API functions return are answered as the endpoints' own errors are: session
// errors with the protocol's answer or the recipe's ErrorHandlers, others by
// OnSuperTokensAPIError.
func TestAPIsOverrideErrorsAreAnsweredAsTheEndpointsErrors(t *testing.T) {
	failure := defaultErrors.New("the sign-out service is down")
	apis := func(originalImplementation sessmodels.APIInterface) sessmodels.APIInterface {
		(*originalImplementation.SignOutPOST) = func(sessionContainer sessmodels.SessionContainer, options sessmodels.APIOptions, userContext tessera.UserContext) (sessmodels.SignOutPOSTResponse, error) {
			if options.Req.Header.Get("X-Fail") != "" {
				return sessmodels.SignOutPOSTResponse{}, failure
			}
			return sessmodels.SignOutPOSTResponse{}, errors.UnauthorizedError{Msg: "signed out elsewhere"}
		}
		(*originalImplementation.RefreshPOST) = func(options sessmodels.APIOptions, userContext tessera.UserContext) (sessmodels.SessionContainer, error) {
			return nil, errors.TryRefreshTokenError{Msg: "not now"}
		}
		return originalImplementation
	}
	var general calls
	onAPIError := func(err error, req *http.Request, res http.ResponseWriter) {
		general.add(req.URL.Path + ": " + err.Error())
		http.Error(res, "general: "+err.Error(), 500)
	}

	t.Run("protocol", func(t *testing.T) {
		srv := startWith(t, withAPIs(nil, apis), onAPIError)
		token := do(t, srv, "POST", "/login", "st-auth-mode", "cookie")
		at := cookie(token, "sAccessToken").Value
		a := do(t, srv, "POST", "/auth/signout", "Cookie", "sAccessToken="+at)
		expectMessage(t, a, 401, "unauthorised")
		expectCleared(t, a)
		expectMessage(t, do(t, srv, "POST", "/auth/session/refresh", "rid", "session"), 401, "try refresh token")
		a = do(t, srv, "POST", "/auth/signout", "Cookie", "sAccessToken="+at, "X-Fail", "1")
		if a.status != 500 || a.body != "general: the sign-out service is down\n" {
			t.Fatalf("a failed SignOutPOST: %d %q", a.status, a.body)
		}
		if got := general.all(); len(got) != 1 || got[0] != "/auth/signout: the sign-out service is down" {
			t.Fatalf("OnSuperTokensAPIError got %q", got)
		}
	})
	t.Run("ErrorHandlers", func(t *testing.T) {
		var c calls
		srv := start(t, withAPIs(&sessmodels.TypeInput{ErrorHandlers: customHandlers(&c)}, apis))
		at := cookie(do(t, srv, "POST", "/login", "st-auth-mode", "cookie"), "sAccessToken").Value
		a := do(t, srv, "POST", "/auth/signout", "Cookie", "sAccessToken="+at)
		expectMessage(t, a, 401, "custom")
		expectCleared(t, a)
		expectMessage(t, do(t, srv, "POST", "/auth/session/refresh", "rid", "session"), 440, "custom try refresh token")
		// Sign-out's own session errors, before SignOutPOST, too.
		expectMessage(t, do(t, srv, "POST", "/auth/signout"), 401, "custom")
		want := []string{"unauthorised: signed out elsewhere", "try refresh token: not now", "unauthorised: "}
		got := c.all()
		if len(got) != 3 || got[0] != want[0] || got[1] != want[1] || !strings.HasPrefix(got[2], want[2]) {
			t.Fatalf("handler calls %q, want %q", got, want)
		}
	})
}

func TestAPIsOverrideOfVerifySessionOnAProtectedRoute(t *testing.T) {
	var c calls
	srv := start(t, withAPIs(nil, func(originalImplementation sessmodels.APIInterface) sessmodels.APIInterface {
		originalVerifySession := *originalImplementation.VerifySession
		(*originalImplementation.VerifySession) = func(verifySessionOptions *sessmodels.VerifySessionOptions, options sessmodels.APIOptions, userContext tessera.UserContext) (sessmodels.SessionContainer, error) {
			if options.Req.Header.Get("X-Blocked") != "" {
				return nil, errors.UnauthorizedError{Msg: "blocked"}
			}
			s, err := originalVerifySession(verifySessionOptions, options, userContext)
			user := "none"
			if s != nil {
				user = s.GetUserID()
			}
			kind := "<nil>"
			if err != nil {
				kind = fmt.Sprintf("%T", err)
			}
			c.add(fmt.Sprintf("%s: user %s, error %s, other handler %v, request in context %v",
				options.Req.URL.Path, user, kind, options.OtherHandler != nil, tessera.GetRequestFromUserContext(userContext) == options.Req))
			return s, err
		}
		return originalImplementation
	}))
	token := do(t, srv, "POST", "/login").header.Get("st-access-token")

	got := do(t, srv, "GET", "/getJWT", "Authorization", "Bearer "+token)
	if got.status != 200 || jsonBody(t, got)["token"] != token || jsonBody(t, got)["userId"] != "user-1" {
		t.Fatalf("getJWT: %d %s", got.status, got.body)
	}
	if got := do(t, srv, "GET", "/optional"); got.status != 200 || got.body != "no session" {
		t.Fatalf("optional without a session: %d %q", got.status, got.body)
	}
	expectMessage(t, do(t, srv, "GET", "/getJWT"), 401, "unauthorised")
	seen := c.all()
	want := []string{
		"/getJWT: user user-1, error <nil>, other handler true, request in context true",
		"/optional: user none, error <nil>, other handler true, request in context true",
		"/getJWT: user none, error errors.UnauthorizedError, other handler true, request in context true",
	}
	if strings.Join(seen, "\n") != strings.Join(want, "\n") {
		t.Fatalf("the override saw\n%s\nwant\n%s", strings.Join(seen, "\n"), strings.Join(want, "\n"))
	}
	// Its own error is answered as VerifySession's are.
	blocked := do(t, srv, "GET", "/getJWT", "Authorization", "Bearer "+token, "X-Blocked", "1")
	expectMessage(t, blocked, 401, "unauthorised")
	expectCleared(t, blocked)
}

// normalised is an answer with what differs from one engine to another (token values, the
// time in cookie expiries, Date) replaced, so that two answers compare.
func normalised(a answer) string {
	var lines []string
	for name, values := range a.header {
		switch name {
		case "Date", "Set-Cookie":
			continue
		case "St-Access-Token", "St-Refresh-Token", "Front-Token", "Anti-Csrf":
			for i, v := range values {
				if v != "" && v != "remove" {
					values[i] = "<token>"
				}
			}
		}
		lines = append(lines, name+": "+strings.Join(values, " | "))
	}
	for _, c := range a.res.Cookies() {
		if c.Value != "" {
			c.Value = "<token>"
		}
		if c.Expires.After(time.Unix(1, 0)) {
			c.Expires, c.RawExpires = time.Time{}, "<future>"
		}
		lines = append(lines, "Set-Cookie: "+c.String()+"; expires "+c.RawExpires)
	}
	sort.Strings(lines)
	return fmt.Sprintf("%d %s\n%s", a.status, a.body, strings.Join(lines, "\n"))
}

// An override that returns the original implementation, or wraps each function without
// changing what it does, answers every endpoint and protected route as no override does.
func TestAPIsOverrideOfTheOriginalsAnswersAsNoOverride(t *testing.T) {
	unchanged := func(o sessmodels.APIInterface) sessmodels.APIInterface { return o }
	wrapped := func(o sessmodels.APIInterface) sessmodels.APIInterface {
		refreshPOST, signOutPOST, verifySession := *o.RefreshPOST, *o.SignOutPOST, *o.VerifySession
		*o.RefreshPOST = func(options sessmodels.APIOptions, userContext tessera.UserContext) (sessmodels.SessionContainer, error) {
			return refreshPOST(options, userContext)
		}
		*o.SignOutPOST = func(s sessmodels.SessionContainer, options sessmodels.APIOptions, userContext tessera.UserContext) (sessmodels.SignOutPOSTResponse, error) {
			return signOutPOST(s, options, userContext)
		}
		*o.VerifySession = func(v *sessmodels.VerifySessionOptions, options sessmodels.APIOptions, userContext tessera.UserContext) (sessmodels.SessionContainer, error) {
			return verifySession(v, options, userContext)
		}
		return o
	}
	scenarios := protocolScenarios
	var c calls
	for _, base := range []struct {
		name    string
		options sessmodels.TypeInput
	}{
		{"protocol's error answers", sessmodels.TypeInput{}},
		{"ErrorHandlers", sessmodels.TypeInput{ErrorHandlers: customHandlers(&c)}},
		// Sign-out with a cookie and no rid header is then a try refresh token.
		{"anti-CSRF by custom header", sessmodels.TypeInput{AntiCsrf: ptr("VIA_CUSTOM_HEADER")}},
	} {
		t.Run(base.name, func(t *testing.T) {
			options := base.options
			options.RefreshTokenRotationGracePeriod = ptr(uint64(0))
			options.ExposeAccessTokenToFrontendInCookieBasedAuth = true
			options.OlderCookieDomain = ptr(".example.com")
			want := scenarios(t, start(t, &options))
			for _, override := range []struct {
				name string
				apis func(sessmodels.APIInterface) sessmodels.APIInterface
			}{{"unchanged", unchanged}, {"wrapped", wrapped}} {
				got := scenarios(t, start(t, withAPIs(&options, override.apis)))
				for i := range want {
					if got[i] != want[i] {
						t.Errorf("%s override, %s\nwant %s", override.name, got[i], want[i])
					}
				}
			}
		})
	}
}

// protocolScenarios are requests to the endpoints and protected routes (of start's app)
// covering their answers, each normalised; two servers answering them alike answer alike.
func protocolScenarios(t *testing.T, srv *httptest.Server) []string {
	t.Helper()
	var out []string
	// Routes answer with access tokens, which differ from one engine to another.
	jwt := regexp.MustCompile(`[\w-]+\.[\w-]+\.[\w-]+`)
	add := func(name string, a answer) {
		a.body = jwt.ReplaceAllString(a.body, "<token>")
		out = append(out, name+": "+normalised(a))
	}
	header := do(t, srv, "POST", "/login")
	cookies := do(t, srv, "POST", "/login", "st-auth-mode", "cookie")
	at, rt := cookie(cookies, "sAccessToken").Value, cookie(cookies, "sRefreshToken").Value
	add("refresh with a header", do(t, srv, "POST", "/auth/session/refresh", "Authorization", "Bearer "+header.header.Get("st-refresh-token"), "rid", "session"))
	add("refresh with a cookie", do(t, srv, "POST", "/auth/session/refresh", "Cookie", "sRefreshToken="+rt, "rid", "session"))
	add("refresh token reused", do(t, srv, "POST", "/auth/session/refresh", "Cookie", "sRefreshToken="+rt, "rid", "session"))
	add("refresh without a token", do(t, srv, "POST", "/auth/session/refresh", "Cookie", "sAccessToken=stale", "rid", "session"))
	add("refresh with duplicate cookies", do(t, srv, "POST", "/auth/session/refresh", "Cookie", "sRefreshToken=a; sRefreshToken=b", "rid", "session"))
	add("optional route", do(t, srv, "GET", "/optional", "Authorization", "Bearer "+header.header.Get("st-access-token")))
	add("route without a session", do(t, srv, "GET", "/getJWT"))
	add("route with garbage", do(t, srv, "GET", "/getJWT", "Authorization", "Bearer garbage"))
	add("sign-out with a header", do(t, srv, "POST", "/auth/signout", "Authorization", "Bearer "+header.header.Get("st-access-token")))
	cookies = do(t, srv, "POST", "/login", "st-auth-mode", "cookie")
	add("sign-out with a cookie", do(t, srv, "POST", "/auth/signout", "Cookie", "sAccessToken="+cookie(cookies, "sAccessToken").Value))
	add("sign-out of a revoked session", do(t, srv, "POST", "/auth/signout", "Cookie", "sAccessToken="+at, "rid", "session"))
	add("sign-out without a session", do(t, srv, "POST", "/auth/signout"))
	add("sign-out with garbage", do(t, srv, "POST", "/auth/signout", "Authorization", "Bearer garbage"))
	cookies = do(t, srv, "POST", "/login", "st-auth-mode", "cookie")
	add("merge with a cookie", do(t, srv, "GET", "/merge", "Cookie", "sAccessToken="+cookie(cookies, "sAccessToken").Value))
	header = do(t, srv, "POST", "/login")
	add("merge with a header", do(t, srv, "GET", "/merge", "Authorization", "Bearer "+header.header.Get("st-access-token")))
	add("POST route with a cookie", do(t, srv, "POST", "/getJWT", "Cookie", "sAccessToken="+cookie(cookies, "sAccessToken").Value))
	return out
}
