package session_test

import (
	"encoding/json"
	defaultErrors "errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/claims"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/errors"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/sessmodels"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/tessera"
)

// calls records what ErrorHandlers functions were called with. They run on the server's
// goroutines, hence the lock.
type calls struct {
	mu  sync.Mutex
	got []string
}

func (c *calls) add(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.got = append(c.got, s)
}

func (c *calls) all() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.got...)
}

func (c *calls) last() string {
	all := c.all()
	if len(all) == 0 {
		return ""
	}
	return all[len(all)-1]
}

// customHandlers answer every session error with a status and body of their own, so that a
// test can tell them from the protocol's answers.
func customHandlers(c *calls) *sessmodels.ErrorHandlers {
	return &sessmodels.ErrorHandlers{
		// As supertokens-golang's documentation writes one.
		OnUnauthorised: func(message string, req *http.Request, res http.ResponseWriter) error {
			c.add("unauthorised: " + message)
			res.WriteHeader(401)
			res.Write([]byte(`{"message":"custom"}`))
			return nil
		},
		OnTryRefreshToken: func(message string, req *http.Request, res http.ResponseWriter) error {
			c.add("try refresh token: " + message)
			res.WriteHeader(440)
			res.Write([]byte(`{"message":"custom try refresh token"}`))
			return nil
		},
		OnTokenTheftDetected: func(sessionHandle string, userID string, req *http.Request, res http.ResponseWriter) error {
			c.add("token theft detected: " + sessionHandle + " " + userID)
			res.WriteHeader(409)
			res.Write([]byte(`{"message":"custom token theft detected"}`))
			return nil
		},
		OnInvalidClaim: func(validationErrors []claims.ClaimValidationError, req *http.Request, res http.ResponseWriter) error {
			doc, _ := json.Marshal(validationErrors)
			c.add("invalid claim: " + string(doc))
			res.WriteHeader(422)
			res.Write([]byte(`{"message":"custom invalid claim"}`))
			return nil
		},
		OnClearDuplicateSessionCookies: func(message string, req *http.Request, res http.ResponseWriter) error {
			c.add("clear duplicate session cookies: " + message)
			res.WriteHeader(202)
			res.Write([]byte(`{"message":"custom clear duplicate session cookies"}`))
			return nil
		},
	}
}

// expectCleared checks that the answer clears the session's tokens (the prelude of an
// unauthorised or a theft).
func expectCleared(t *testing.T, a answer) {
	t.Helper()
	if a.header.Get("front-token") != "remove" {
		t.Fatalf("front-token %q, want remove: %v", a.header.Get("front-token"), a.header)
	}
	for _, name := range []string{"sAccessToken", "sRefreshToken"} {
		if c := cookie(a, name); c == nil || c.Value != "" || !c.Expires.Before(time.Unix(1, 0)) {
			t.Fatalf("%s not cleared: %v", name, a.header.Values("Set-Cookie"))
		}
	}
}

// expectNothingCleared checks that the answer leaves the client's tokens alone.
func expectNothingCleared(t *testing.T, header http.Header) {
	t.Helper()
	if len(header.Values("Set-Cookie")) != 0 || header.Get("front-token") != "" {
		t.Fatalf("tokens cleared: %v", header)
	}
}

// OnUnauthorised answers VerifySession without a session, the refresh endpoint without a
// refresh token, sign-out without a session and ErrorHandler, after the tokens are cleared
// where the protocol clears them.
func TestErrorHandlersAnswerUnauthorisedAfterTheTokensAreCleared(t *testing.T) {
	var c calls
	srv := start(t, &sessmodels.TypeInput{ErrorHandlers: customHandlers(&c)})

	// No session at all: nothing to clear, as in the protocol's own answer.
	a := do(t, srv, "GET", "/getJWT")
	expectMessage(t, a, 401, "custom")
	expectNothingCleared(t, a.header)
	if got := c.last(); !strings.HasPrefix(got, "unauthorised: Session does not exist") {
		t.Fatalf("OnUnauthorised got %q", got)
	}

	// An access token but no refresh token at the refresh endpoint: everything is cleared.
	a = do(t, srv, "POST", "/auth/session/refresh", "Cookie", "sAccessToken=stale", "rid", "session")
	expectMessage(t, a, 401, "custom")
	expectCleared(t, a)
	if got := c.last(); !strings.Contains(got, "Refresh token not found") {
		t.Fatalf("OnUnauthorised got %q for a refresh without a refresh token", got)
	}
	expectMessage(t, do(t, srv, "POST", "/auth/signout"), 401, "custom")

	handle := func(err error) answer {
		rec := httptest.NewRecorder()
		if herr := tessera.ErrorHandler(err, httptest.NewRequest("GET", "/", nil), rec); herr != nil {
			t.Fatalf("ErrorHandler(%v) returned %v", err, herr)
		}
		res := rec.Result()
		return answer{res.StatusCode, res.Header, rec.Body.String(), res}
	}
	a = handle(errors.UnauthorizedError{Msg: "the user was deleted"})
	expectMessage(t, a, 401, "custom")
	expectCleared(t, a)
	if got := c.last(); got != "unauthorised: the user was deleted" {
		t.Fatalf("OnUnauthorised got %q", got)
	}
	a = handle(errors.UnauthorizedError{Msg: "keep them", ClearTokens: ptr(false)})
	expectMessage(t, a, 401, "custom")
	expectNothingCleared(t, a.header)
	if n := len(c.all()); n != 5 {
		t.Fatalf("%d handler calls, want 5: %q", n, c.all())
	}
}

// OnTryRefreshToken answers an access token that needs a refresh and clears nothing.
func TestErrorHandlersAnswerTryRefreshTokenClearingNothing(t *testing.T) {
	var c calls
	srv := start(t, &sessmodels.TypeInput{AntiCsrf: ptr("VIA_CUSTOM_HEADER"), ErrorHandlers: customHandlers(&c)})
	at := cookie(do(t, srv, "POST", "/login", "st-auth-mode", "cookie"), "sAccessToken").Value

	// The cookie without the rid header fails the anti-CSRF check of a POST.
	a := do(t, srv, "POST", "/getJWT", "Cookie", "sAccessToken="+at)
	expectMessage(t, a, 440, "custom try refresh token")
	expectNothingCleared(t, a.header)
	if got := c.last(); !strings.HasPrefix(got, "try refresh token: anti-csrf check failed") {
		t.Fatalf("OnTryRefreshToken got %q", got)
	}
	if a := do(t, srv, "POST", "/getJWT", "Cookie", "sAccessToken="+at, "rid", "session"); a.status != 200 {
		t.Fatalf("with rid: %d %s", a.status, a.body)
	}
}

// A refresh token used again after its rotation reaches OnTokenTheftDetected through the
// refresh endpoint, with the session's handle and user, after the tokens are cleared.
func TestErrorHandlersAnswerARefreshTokenReusedAsTheft(t *testing.T) {
	var c calls
	srv := start(t, &sessmodels.TypeInput{RefreshTokenRotationGracePeriod: ptr(uint64(0)), ErrorHandlers: customHandlers(&c)})
	rt0 := cookie(do(t, srv, "POST", "/login", "st-auth-mode", "cookie"), "sRefreshToken").Value
	handles, err := session.GetAllSessionHandlesForUser("user-1", nil)
	if err != nil || len(handles) != 1 {
		t.Fatalf("handles %v: %v", handles, err)
	}
	if a := do(t, srv, "POST", "/auth/session/refresh", "Cookie", "sRefreshToken="+rt0, "rid", "session"); a.status != 200 {
		t.Fatalf("refresh: %d %s", a.status, a.body)
	}

	theft := do(t, srv, "POST", "/auth/session/refresh", "Cookie", "sRefreshToken="+rt0, "rid", "session")
	expectMessage(t, theft, 409, "custom token theft detected")
	expectCleared(t, theft)
	if got, want := c.all(), []string{"token theft detected: " + handles[0] + " user-1"}; len(got) != 1 || got[0] != want[0] {
		t.Fatalf("handler calls %q, want %q", got, want)
	}
	// The theft revoked the session, whoever answered it.
	if info, err := session.GetSessionInformation(handles[0]); err != nil || info != nil {
		t.Fatalf("the session survived the theft: %+v, %v", info, err)
	}
}

// OnInvalidClaim gets the failed claims of an INVALID_CLAIMS error and clears nothing.
func TestErrorHandlersAnswerInvalidClaims(t *testing.T) {
	var c calls
	srv := start(t, &sessmodels.TypeInput{ErrorHandlers: customHandlers(&c)})
	failed := []claims.ClaimValidationError{{ID: "st-role", Reason: map[string]interface{}{"message": "wrong role"}}}
	options := &sessmodels.VerifySessionOptions{
		OverrideGlobalClaimValidators: func(global []claims.SessionClaimValidator, s sessmodels.SessionContainer, userContext tessera.UserContext) ([]claims.SessionClaimValidator, error) {
			return nil, errors.InvalidClaimError{Msg: "claims", InvalidClaims: failed}
		},
	}
	app := httptest.NewServer(tessera.Middleware(session.VerifySession(options, func(w http.ResponseWriter, r *http.Request) {
		t.Error("the route ran despite the invalid claims")
	})))
	t.Cleanup(app.Close)

	token := do(t, srv, "POST", "/login").header.Get("st-access-token")
	a := do(t, app, "GET", "/", "Authorization", "Bearer "+token)
	expectMessage(t, a, 422, "custom invalid claim")
	expectNothingCleared(t, a.header)
	if got := c.last(); got != `invalid claim: [{"id":"st-role","reason":{"message":"wrong role"}}]` {
		t.Fatalf("OnInvalidClaim got %q", got)
	}
}

// OnClearDuplicateSessionCookies answers a refresh with duplicate cookies after those of
// the older cookie domain are expired.
func TestErrorHandlersAnswerDuplicateCookiesAfterTheOlderDomainIsCleared(t *testing.T) {
	var c calls
	srv := start(t, &sessmodels.TypeInput{OlderCookieDomain: ptr(".example.com"), ErrorHandlers: customHandlers(&c)})
	a := do(t, srv, "POST", "/auth/session/refresh", "Cookie", "sRefreshToken=newer; sRefreshToken=older", "rid", "session")
	expectMessage(t, a, 202, "custom clear duplicate session cookies")
	rt := cookie(a, "sRefreshToken")
	if rt == nil || rt.Value != "" || strings.TrimPrefix(rt.Domain, ".") != "example.com" || !rt.Expires.Before(time.Unix(1, 0)) {
		t.Fatalf("older sRefreshToken not expired: %v", a.header.Values("Set-Cookie"))
	}
	if got := c.last(); !strings.HasPrefix(got, "clear duplicate session cookies: The request contains multiple session cookies") {
		t.Fatalf("OnClearDuplicateSessionCookies got %q", got)
	}
}

// A kind whose function is nil keeps the protocol's answer, on VerifySession and on the
// endpoints alike.
func TestNilErrorHandlersKeepTheProtocolsAnswers(t *testing.T) {
	var c calls
	only := &sessmodels.ErrorHandlers{OnUnauthorised: customHandlers(&c).OnUnauthorised}
	srv := start(t, &sessmodels.TypeInput{
		AntiCsrf: ptr("VIA_CUSTOM_HEADER"), RefreshTokenRotationGracePeriod: ptr(uint64(0)), ErrorHandlers: only,
	})
	login := do(t, srv, "POST", "/login", "st-auth-mode", "cookie")
	at, rt0 := cookie(login, "sAccessToken").Value, cookie(login, "sRefreshToken").Value

	a := do(t, srv, "POST", "/getJWT", "Cookie", "sAccessToken="+at)
	expectMessage(t, a, 401, "try refresh token")
	expectNothingCleared(t, a.header)

	if a := do(t, srv, "POST", "/auth/session/refresh", "Cookie", "sRefreshToken="+rt0, "rid", "session"); a.status != 200 {
		t.Fatalf("refresh: %d %s", a.status, a.body)
	}
	a = do(t, srv, "POST", "/auth/session/refresh", "Cookie", "sRefreshToken="+rt0, "rid", "session")
	expectMessage(t, a, 401, "token theft detected")
	expectCleared(t, a)

	expectMessage(t, do(t, srv, "GET", "/getJWT"), 401, "custom")
	if n := len(c.all()); n != 1 {
		t.Fatalf("%d handler calls, want 1: %q", n, c.all())
	}
}

// An error a function returns goes where supertokens-golang sends it: VerifySession and the
// middleware hand it to OnSuperTokensAPIError (the middleware only when nothing was written
// yet), and ErrorHandler returns it to its caller.
func TestErrorHandlersErrorsGoWhereSupertokensSendsThem(t *testing.T) {
	failure := defaultErrors.New("the handler failed")
	var general calls
	onAPIError := func(err error, req *http.Request, res http.ResponseWriter) {
		general.add(req.URL.Path + ": " + err.Error())
		http.Error(res, "general: "+err.Error(), 500)
	}
	handlers := &sessmodels.ErrorHandlers{
		OnUnauthorised: func(message string, req *http.Request, res http.ResponseWriter) error {
			return failure
		},
		OnTokenTheftDetected: func(sessionHandle string, userID string, req *http.Request, res http.ResponseWriter) error {
			res.WriteHeader(409)
			return failure
		},
	}
	srv := startWith(t, &sessmodels.TypeInput{RefreshTokenRotationGracePeriod: ptr(uint64(0)), ErrorHandlers: handlers}, onAPIError)

	for _, a := range []answer{do(t, srv, "GET", "/getJWT"), do(t, srv, "POST", "/auth/session/refresh", "rid", "session")} {
		if a.status != 500 || a.body != "general: the handler failed\n" {
			t.Fatalf("a failed OnUnauthorised: %d %q", a.status, a.body)
		}
	}

	rt0 := do(t, srv, "POST", "/login").header.Get("st-refresh-token")
	do(t, srv, "POST", "/auth/session/refresh", "Authorization", "Bearer "+rt0, "rid", "session")
	if a := do(t, srv, "POST", "/auth/session/refresh", "Authorization", "Bearer "+rt0, "rid", "session"); a.status != 409 || a.body != "" {
		t.Fatalf("a theft answered, then failed: %d %q", a.status, a.body)
	}
	want := []string{"/getJWT: the handler failed", "/auth/session/refresh: the handler failed"}
	if got := general.all(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("OnSuperTokensAPIError got %q, want %q", got, want)
	}

	err := tessera.ErrorHandler(errors.UnauthorizedError{Msg: "gone"}, httptest.NewRequest("GET", "/", nil), httptest.NewRecorder())
	if err != failure {
		t.Fatalf("ErrorHandler returned %v, want the handler's error", err)
	}
}
