package session_test

import (
	defaultErrors "errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/claims"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/errors"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/sessmodels"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/tessera"
)

// A handler answers with supertokens-golang's error types through tessera.ErrorHandler, as
// code written for supertokens-golang does: each gets the protocol's answer.
func TestSupertokensStyleErrorsAreAnsweredByTheErrorHandler(t *testing.T) {
	srv := start(t, nil)
	login := do(t, srv, "POST", "/login", "st-auth-mode", "cookie")
	at := cookie(login, "sAccessToken").Value
	request := func() *http.Request {
		req := httptest.NewRequest("GET", "/anything", nil)
		req.Header.Set("Cookie", "sAccessToken="+at)
		return req
	}
	handle := func(err error) answer {
		rec := httptest.NewRecorder()
		if herr := tessera.ErrorHandler(err, request(), rec); herr != nil {
			t.Fatalf("ErrorHandler(%T) returned %v", err, herr)
		}
		res := rec.Result()
		return answer{res.StatusCode, res.Header, rec.Body.String(), res}
	}

	a := handle(errors.UnauthorizedError{Msg: "the user was deleted"})
	expectMessage(t, a, 401, "unauthorised")
	if c := cookie(a, "sAccessToken"); c == nil || c.Value != "" || a.header.Get("front-token") != "remove" {
		t.Fatalf("unauthorised did not clear the tokens: %v", a.header)
	}
	a = handle(errors.UnauthorizedError{Msg: "keep them", ClearTokens: ptr(false)})
	expectMessage(t, a, 401, "unauthorised")
	if len(a.header.Values("Set-Cookie")) != 0 || a.header.Get("front-token") != "" {
		t.Fatalf("ClearTokens false still cleared: %v", a.header)
	}
	expectMessage(t, handle(errors.TryRefreshTokenError{Msg: "stale"}), 401, "try refresh token")

	a = handle(errors.InvalidClaimError{Msg: "claims", InvalidClaims: []claims.ClaimValidationError{
		{ID: "st-role", Reason: map[string]interface{}{"message": "wrong role"}}, {ID: "st-ev"}}})
	expectMessage(t, a, 403, "invalid claim")
	want := []interface{}{
		map[string]interface{}{"id": "st-role", "reason": map[string]interface{}{"message": "wrong role"}},
		map[string]interface{}{"id": "st-ev"},
	}
	if got := jsonBody(t, a)["claimValidationErrors"]; !reflect.DeepEqual(got, want) {
		t.Fatalf("claimValidationErrors %#v", got)
	}

	handles, err := session.GetAllSessionHandlesForUser("user-1", nil)
	if err != nil || len(handles) != 1 {
		t.Fatalf("handles %v: %v", handles, err)
	}
	a = handle(errors.TokenTheftDetectedError{Msg: "theft",
		Payload: errors.TokenTheftDetectedErrorPayload{SessionHandle: handles[0], UserID: "user-1"}})
	expectMessage(t, a, 401, "token theft detected")
	if c := cookie(a, "sAccessToken"); c == nil || c.Value != "" {
		t.Fatalf("theft did not clear the tokens: %v", a.header)
	}
	if info, err := session.GetSessionInformation(handles[0]); err != nil || info != nil {
		t.Fatalf("the session survived the theft answer: %+v, %v", info, err)
	}

	// Not a session error: handed back to the caller, nothing written.
	other := defaultErrors.New("database down")
	rec := httptest.NewRecorder()
	if herr := tessera.ErrorHandler(other, request(), rec); herr != other || rec.Body.Len() != 0 || len(rec.Header()) != 0 {
		t.Fatalf("a plain error: %v, wrote %v %q", herr, rec.Header(), rec.Body.String())
	}
}

// Tessera returns its session errors as supertokens-golang's value types, whose Error() is
// the message alone: type assertions and switches written for supertokens-golang match them.
// What Tessera adds stays reachable: errors.Is against the tessera.Err* sentinels, and
// errors.As to a *tessera.Error with the core's code, payload and ClearTokens.
func TestSessionErrorsAreSupertokensValueTypes(t *testing.T) {
	start(t, nil)
	_, err := session.GetSessionWithoutRequestResponse("not a token", nil, nil)
	unauthorised, ok := err.(errors.UnauthorizedError)
	if !ok || unauthorised.Msg == "" || err.Error() != unauthorised.Msg || strings.Contains(err.Error(), "UNAUTHORISED") {
		t.Fatalf("a garbage token: %T %q", err, err)
	}
	if unauthorised.ClearTokens == nil {
		t.Fatal("ClearTokens is nil: the core's choice is lost")
	}
	switch err.(type) {
	case errors.TryRefreshTokenError, errors.TokenTheftDetectedError, errors.InvalidClaimError:
		t.Fatalf("%T matched the wrong case", err)
	case errors.UnauthorizedError:
	default:
		t.Fatalf("%T matched no case", err)
	}
	var viaAs errors.UnauthorizedError
	if !defaultErrors.As(err, &viaAs) || defaultErrors.As(err, &errors.TryRefreshTokenError{}) {
		t.Fatalf("errors.As on %T", err)
	}
	if !defaultErrors.Is(err, tessera.ErrUnauthorised) || defaultErrors.Is(err, tessera.ErrTryRefreshToken) {
		t.Fatalf("errors.Is on %T", err)
	}
	var core *tessera.Error
	if !defaultErrors.As(err, &core) || core.Code != "UNAUTHORISED" || core.Message != unauthorised.Msg || core.ClearTokens != *unauthorised.ClearTokens {
		t.Fatalf("the core's view: %+v", core)
	}

	// A reused refresh token: the theft payload names the session.
	created, err := session.CreateNewSessionWithoutRequestResponse("public", "user-1", nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	rt0 := *created.GetAllSessionTokensDangerously().RefreshToken
	refreshed, err := session.RefreshSessionWithoutRequestResponse(rt0, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := session.RefreshSessionWithoutRequestResponse(*refreshed.GetAllSessionTokensDangerously().RefreshToken, nil, nil); err != nil {
		t.Fatal(err)
	}
	_, err = session.RefreshSessionWithoutRequestResponse(rt0, nil, nil)
	theft, ok := err.(errors.TokenTheftDetectedError)
	if !ok || theft.Payload != (errors.TokenTheftDetectedErrorPayload{SessionHandle: created.GetHandle(), UserID: "user-1"}) || err.Error() != theft.Msg {
		t.Fatalf("theft: %T %+v", err, err)
	}
	if !defaultErrors.Is(err, tessera.ErrTokenTheftDetected) || !defaultErrors.As(err, &core) || core.Code != "TOKEN_THEFT_DETECTED" ||
		!strings.Contains(string(core.Payload), created.GetHandle()) || !core.ClearTokens {
		t.Fatalf("theft, the core's view: %+v", core)
	}

	invalid := errors.InvalidClaimError{Msg: "m", InvalidClaims: []claims.ClaimValidationError{{ID: "st-role"}}}
	if !defaultErrors.Is(invalid, tessera.ErrInvalidClaims) || !defaultErrors.As(invalid, &core) || core.Code != "INVALID_CLAIMS" || string(core.Payload) != `[{"id":"st-role"}]` {
		t.Fatalf("invalid claims, the core's view: %+v", core)
	}
	if !defaultErrors.Is(errors.TryRefreshTokenError{}, tessera.ErrTryRefreshToken) ||
		!defaultErrors.Is(errors.ClearDuplicateSessionCookiesError{}, tessera.ErrClearDuplicateSessionCookies) {
		t.Fatal("errors.Is misses a kind")
	}
}

// OverrideGlobalClaimValidators as the SuperTokens docs write it: called with the verified
// session and no global validators; its error answers the request; validators it returns are
// asserted (claims_test.go has failing ones).
func TestOverrideGlobalClaimValidators(t *testing.T) {
	srv := start(t, nil)
	var seen []string
	override := func(answer []claims.SessionClaimValidator, fail error) *sessmodels.VerifySessionOptions {
		return &sessmodels.VerifySessionOptions{
			OverrideGlobalClaimValidators: func(global []claims.SessionClaimValidator, s sessmodels.SessionContainer, userContext tessera.UserContext) ([]claims.SessionClaimValidator, error) {
				if len(global) != 0 || userContext == nil {
					t.Errorf("global %v, userContext %v", global, userContext)
				}
				seen = append(seen, s.GetUserID())
				return answer, fail
			},
		}
	}
	mux := http.NewServeMux()
	ok := func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(session.GetSessionFromRequestContext(r.Context()).GetUserID()))
	}
	mux.Handle("/none", session.VerifySession(override([]claims.SessionClaimValidator{}, nil), ok))
	mux.Handle("/fails", session.VerifySession(override(nil, errors.UnauthorizedError{Msg: "no"}), ok))
	validator := claims.SessionClaimValidator{ID: "st-role", Validate: func(map[string]interface{}, *map[string]interface{}) claims.ClaimValidationResult {
		return claims.ClaimValidationResult{IsValid: true}
	}}
	mux.Handle("/validators", session.VerifySession(override([]claims.SessionClaimValidator{validator}, nil), ok))
	app := httptest.NewServer(tessera.Middleware(mux))
	t.Cleanup(app.Close)

	token := do(t, srv, "POST", "/login").header.Get("st-access-token")
	if a := do(t, app, "GET", "/none", "Authorization", "Bearer "+token); a.status != 200 || a.body != "user-1" {
		t.Fatalf("empty override: %d %q", a.status, a.body)
	}
	expectMessage(t, do(t, app, "GET", "/fails", "Authorization", "Bearer "+token), 401, "unauthorised")
	if a := do(t, app, "GET", "/validators", "Authorization", "Bearer "+token); a.status != 200 || a.body != "user-1" {
		t.Fatalf("validators: %d %q", a.status, a.body)
	}
	if len(seen) != 3 || seen[0] != "user-1" {
		t.Fatalf("the override saw %v", seen)
	}
	s, err := session.GetSessionWithoutRequestResponse(token, nil, override([]claims.SessionClaimValidator{validator}, nil))
	if err != nil || s.GetUserID() != "user-1" {
		t.Fatalf("GetSessionWithoutRequestResponse with validators: %v", err)
	}
}
