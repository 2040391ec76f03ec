package session_test

import (
	"encoding/json"
	defaultErrors "errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync"
	"testing"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/claims"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/errors"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/sessmodels"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/tessera"
)

// roles is what a role claim's FetchValue answers, changed by the tests between requests.
type roles struct {
	mu      sync.Mutex
	value   []interface{}
	fetches int
}

func (r *roles) set(v ...interface{}) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.value = v
}

func (r *roles) fetch(userID string, tenantID string, _ *map[string]interface{}) (interface{}, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if userID != "user-1" || tenantID != "public" {
		return nil, defaultErrors.New("fetched for " + userID + " in " + tenantID)
	}
	r.fetches++
	return r.value, nil
}

// A route guarded by a PrimitiveArrayClaim includes("admin") validator, as the SuperTokens
// docs write it: a non-admin gets 403 with the failed claim and, as from supertokens-golang's
// getSessionFromRequest, no new token (nothing cleared either); an admin gets the route, with
// a new access token carrying the fetched value.
func TestRoleClaimGuardsARoute(t *testing.T) {
	srv := start(t, nil)
	var r roles
	roleClaim, roleValidators := claims.PrimitiveArrayClaim("st-role", r.fetch, nil)
	options := &sessmodels.VerifySessionOptions{
		OverrideGlobalClaimValidators: func(global []claims.SessionClaimValidator, s sessmodels.SessionContainer, userContext tessera.UserContext) ([]claims.SessionClaimValidator, error) {
			return append(global, roleValidators.Includes("admin", nil, nil)), nil
		},
	}
	app := httptest.NewServer(tessera.Middleware(session.VerifySession(options, func(w http.ResponseWriter, req *http.Request) {
		s := session.GetSessionFromRequestContext(req.Context())
		if v := s.GetClaimValue(roleClaim); !reflect.DeepEqual(v, []interface{}{"admin"}) {
			t.Errorf("claim value in the route: %v", v)
		}
		w.Write([]byte("admin area"))
	})))
	t.Cleanup(app.Close)

	r.set("user")
	token := do(t, srv, "POST", "/login").header.Get("st-access-token")
	a := do(t, app, "GET", "/", "Authorization", "Bearer "+token)
	want := `{"message":"invalid claim","claimValidationErrors":[{"id":"st-role","reason":{"message":"wrong value","expectedToInclude":"admin","actualValue":["user"]}}]}`
	var wantBody interface{}
	json.Unmarshal([]byte(want), &wantBody)
	if a.status != 403 || !reflect.DeepEqual(jsonBody(t, a), wantBody) {
		t.Fatalf("non-admin: %d %s", a.status, a.body)
	}
	if a.header.Get("st-access-token") != "" || a.header.Get("front-token") != "" || len(a.header.Values("Set-Cookie")) != 0 {
		t.Fatalf("the 403 writes tokens: %v", a.header)
	}
	// The client still has the token without the value: it is fetched again.
	if a := do(t, app, "GET", "/", "Authorization", "Bearer "+token); a.status != 403 || r.fetches != 2 {
		t.Fatalf("with the same token: %d %s, %d fetches", a.status, a.body, r.fetches)
	}

	r.set("admin")
	token = do(t, srv, "POST", "/login").header.Get("st-access-token")
	a = do(t, app, "GET", "/", "Authorization", "Bearer "+token)
	if a.status != 200 || a.body != "admin area" {
		t.Fatalf("admin: %d %q", a.status, a.body)
	}
	newToken := a.header.Get("st-access-token")
	if newToken == "" || a.header.Get("front-token") == "" || a.header.Get("front-token") == "remove" || len(a.header.Values("Set-Cookie")) != 0 {
		t.Fatalf("the 200 does not carry the new token alone: %v", a.header)
	}
	if entry, ok := tokenPayload(t, newToken)["st-role"].(map[string]interface{}); !ok || !reflect.DeepEqual(entry["v"], []interface{}{"admin"}) {
		t.Fatalf("new token's payload: %v", tokenPayload(t, newToken))
	}
	// The new token's value is fresh: it is validated, not fetched again.
	if a := do(t, app, "GET", "/", "Authorization", "Bearer "+newToken); a.status != 200 || r.fetches != 3 || a.header.Get("st-access-token") != "" {
		t.Fatalf("with the fetched value: %d %s, %d fetches, %v", a.status, a.body, r.fetches, a.header)
	}
}

// A VerifySession check of a BooleanClaim's IsTrue validator, on either transport, as
// supertokens-golang's getSessionFromRequest makes it (AssertClaimsWithContext before
// AttachToRequestResponseWithContext): the value ValidateClaims fetched is merged into the
// stored session either way; a failed check answers 403 INVALID_CLAIMS writing no token
// (no st-access-token, front-token or Set-Cookie), a passed one writes the new token.
func TestVerifySessionWritesTheFetchedClaimOnlyWhenTheCheckPasses(t *testing.T) {
	for _, transfer := range []string{"header", "cookie"} {
		t.Run(transfer, func(t *testing.T) {
			srv := start(t, nil)
			var mu sync.Mutex
			fetched := false
			claim, validators := claims.BooleanClaim("st-ev", func(string, string, *map[string]interface{}) (interface{}, error) {
				mu.Lock()
				defer mu.Unlock()
				return fetched, nil
			}, nil)
			options := &sessmodels.VerifySessionOptions{
				OverrideGlobalClaimValidators: func(global []claims.SessionClaimValidator, s sessmodels.SessionContainer, userContext tessera.UserContext) ([]claims.SessionClaimValidator, error) {
					return append(global, validators.IsTrue(nil, nil)), nil
				},
			}
			app := httptest.NewServer(tessera.Middleware(session.VerifySession(options, func(w http.ResponseWriter, req *http.Request) {
				w.Write([]byte("passed"))
			})))
			t.Cleanup(app.Close)
			// verify logs in on transfer and sends the new session's access token to app.
			verify := func() (answer, string) {
				login := do(t, srv, "POST", "/login", "st-auth-mode", transfer)
				if transfer == "cookie" {
					token := cookie(login, "sAccessToken").Value
					return do(t, app, "GET", "/", "Cookie", "sAccessToken="+token), token
				}
				token := login.header.Get("st-access-token")
				return do(t, app, "GET", "/", "Authorization", "Bearer "+token), token
			}
			// stored is the claim's value in the store, for the session of token.
			stored := func(token string) interface{} {
				t.Helper()
				handle, _ := tokenPayload(t, token)["sessionHandle"].(string)
				info, err := session.GetSessionInformation(handle)
				if err != nil || info == nil {
					t.Fatalf("GetSessionInformation(%q): %v, %v", handle, info, err)
				}
				return claim.GetValueFromPayload(info.CustomClaimsInAccessTokenPayload, nil)
			}

			a, token := verify()
			expectMessage(t, a, 403, "invalid claim")
			if a.header.Get("st-access-token") != "" || a.header.Get("front-token") != "" || len(a.header.Values("Set-Cookie")) != 0 {
				t.Fatalf("the 403 writes tokens: %v", a.header)
			}
			if v := stored(token); v != false {
				t.Fatalf("stored value after the failed check: %v", v)
			}

			mu.Lock()
			fetched = true
			mu.Unlock()
			a, _ = verify()
			if a.status != 200 || a.body != "passed" {
				t.Fatalf("passing check: %d %q", a.status, a.body)
			}
			newToken := a.header.Get("st-access-token")
			if transfer == "cookie" {
				if c := cookie(a, "sAccessToken"); c != nil {
					newToken = c.Value
				}
			}
			if newToken == "" || a.header.Get("front-token") == "" || a.header.Get("front-token") == "remove" {
				t.Fatalf("the passing check writes no new token: %v", a.header)
			}
			if v := claim.GetValueFromPayload(tokenPayload(t, newToken), nil); v != true {
				t.Fatalf("new token's payload: %v", tokenPayload(t, newToken))
			}
			if v := stored(newToken); v != true {
				t.Fatalf("stored value after the passing check: %v", v)
			}
		})
	}
}

// A handler calling AssertClaims on the session VerifySession attached writes the new token
// of the fetched value with its 403, as supertokens-golang's does (its merge has the
// request's response then).
func TestAssertClaimsInAHandlerWritesTheNewTokenWithThe403(t *testing.T) {
	srv := start(t, nil)
	claim, validators := claims.BooleanClaim("st-ev", func(string, string, *map[string]interface{}) (interface{}, error) {
		return false, nil
	}, nil)
	app := httptest.NewServer(tessera.Middleware(session.VerifySession(nil, func(w http.ResponseWriter, req *http.Request) {
		s := session.GetSessionFromRequestContext(req.Context())
		err := s.AssertClaims([]claims.SessionClaimValidator{validators.IsTrue(nil, nil)})
		if !defaultErrors.Is(err, tessera.ErrInvalidClaims) {
			t.Errorf("AssertClaims: %v", err)
		}
		if herr := tessera.ErrorHandler(err, req, w); herr != nil {
			t.Errorf("ErrorHandler: %v", herr)
		}
	})))
	t.Cleanup(app.Close)

	token := do(t, srv, "POST", "/login").header.Get("st-access-token")
	a := do(t, app, "GET", "/", "Authorization", "Bearer "+token)
	expectMessage(t, a, 403, "invalid claim")
	newToken := a.header.Get("st-access-token")
	if newToken == "" || a.header.Get("front-token") == "" || a.header.Get("front-token") == "remove" || len(a.header.Values("Set-Cookie")) != 0 {
		t.Fatalf("the 403 does not carry the new token alone: %v", a.header)
	}
	if v := claim.GetValueFromPayload(tokenPayload(t, newToken), nil); v != false {
		t.Fatalf("new token's payload: %v", tokenPayload(t, newToken))
	}
}

// GetSessionWithoutRequestResponse asserts the validators the override returns: a
// BooleanClaim without a value is fetched and merged into the session; a failing
// validator is an INVALID_CLAIMS error naming every failure.
func TestGetSessionWithoutRequestResponseAssertsClaims(t *testing.T) {
	start(t, nil)
	created, err := session.CreateNewSessionWithoutRequestResponse("public", "user-1", nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	token := created.GetAccessToken()
	fetches := 0
	verified, verifiedValidators := claims.BooleanClaim("st-ev", func(userID, tenantID string, _ *map[string]interface{}) (interface{}, error) {
		fetches++
		return true, nil
	}, ptr(int64(300)))
	with := func(v ...claims.SessionClaimValidator) *sessmodels.VerifySessionOptions {
		return &sessmodels.VerifySessionOptions{
			OverrideGlobalClaimValidators: func([]claims.SessionClaimValidator, sessmodels.SessionContainer, tessera.UserContext) ([]claims.SessionClaimValidator, error) {
				return v, nil
			},
		}
	}

	s, err := session.GetSessionWithoutRequestResponse(token, nil, with(verifiedValidators.IsTrue(nil, nil)))
	if err != nil || fetches != 1 || s.GetClaimValue(verified) != true {
		t.Fatalf("IsTrue: %v, %d fetches, value %v", err, fetches, s.GetClaimValue(verified))
	}
	if s.GetAccessToken() == token || s.GetAllSessionTokensDangerously().AccessAndFrontendTokenUpdated != true {
		t.Fatal("the fetched value is not in a new access token")
	}

	_, roleValidators := claims.PrimitiveArrayClaim("st-role", func(string, string, *map[string]interface{}) (interface{}, error) {
		return nil, nil
	}, nil)
	_, err = session.GetSessionWithoutRequestResponse(s.GetAccessToken(), nil,
		with(verifiedValidators.IsFalse(nil, ptr("must-not-be-verified")), roleValidators.IncludesAny([]interface{}{"a", "b"}, nil, nil)))
	var invalid errors.InvalidClaimError
	if !defaultErrors.Is(err, tessera.ErrInvalidClaims) || !defaultErrors.As(err, &invalid) {
		t.Fatalf("failing validators: %v", err)
	}
	want := []claims.ClaimValidationError{
		{ID: "must-not-be-verified", Reason: map[string]interface{}{"message": "wrong value", "expectedValue": false, "actualValue": true}},
		// Worded as supertokens-golang words a missing value.
		{ID: "st-role", Reason: map[string]interface{}{"message": "value does not exist", "expectedToInclude": []interface{}{"a", "b"}, "actualValue": nil}},
	}
	if !reflect.DeepEqual(invalid.InvalidClaims, want) || fetches != 1 {
		t.Fatalf("invalid claims %#v (%d fetches), want %#v", invalid.InvalidClaims, fetches, want)
	}
}

// SetClaimValue, GetClaimValue, RemoveClaim and FetchAndSetClaim write the claim's entry in
// the access token payload; AssertClaims takes validators directly.
func TestClaimValuesAreSetReadAndRemoved(t *testing.T) {
	start(t, nil)
	s, err := session.CreateNewSessionWithoutRequestResponse("public", "user-1", map[string]interface{}{"plan": "pro"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var r roles
	r.set("editor")
	claim, validators := claims.PrimitiveArrayClaim("st-role", r.fetch, nil)
	if v := s.GetClaimValue(claim); v != nil {
		t.Fatalf("a claim never set: %v", v)
	}
	if err := s.SetClaimValue(claim, []interface{}{"admin"}); err != nil {
		t.Fatal(err)
	}
	entry, _ := s.GetAccessTokenPayload()["st-role"].(map[string]interface{})
	if !reflect.DeepEqual(s.GetClaimValue(claim), []interface{}{"admin"}) || entry["t"] == nil || s.GetAccessTokenPayload()["plan"] != "pro" {
		t.Fatalf("after SetClaimValue: %v", s.GetAccessTokenPayload())
	}
	if err := s.AssertClaims([]claims.SessionClaimValidator{validators.Includes("admin", nil, nil)}); err != nil || r.fetches != 0 {
		t.Fatalf("AssertClaims on a set value: %v, %d fetches", err, r.fetches)
	}
	if err := s.RemoveClaim(claim); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.GetAccessTokenPayload()["st-role"]; ok || s.GetClaimValue(claim) != nil {
		t.Fatalf("after RemoveClaim: %v", s.GetAccessTokenPayload())
	}
	if err := s.FetchAndSetClaimWithContext(claim, &map[string]interface{}{}); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s.GetClaimValue(claim), []interface{}{"editor"}) || r.fetches != 1 {
		t.Fatalf("after FetchAndSetClaim: %v", s.GetAccessTokenPayload())
	}
	err = s.AssertClaimsWithContext([]claims.SessionClaimValidator{validators.ExcludesAll([]interface{}{"editor"}, nil, nil)}, nil)
	var invalid errors.InvalidClaimError
	if !defaultErrors.As(err, &invalid) || len(invalid.InvalidClaims) != 1 || invalid.InvalidClaims[0].ID != "st-role" {
		t.Fatalf("ExcludesAll: %v", err)
	}
}

// A session whose stored payload changed (a merge by handle) gets a new access token from a
// checkDatabase verification; with a claim check after it, that token is written only when
// the check passes, as supertokens-golang attaches it after the claims.
func TestVerifySessionWritesTheDatabaseUpdatedTokenOnlyWhenTheClaimsPass(t *testing.T) {
	srv := start(t, nil)
	var mu sync.Mutex
	pass := false
	options := &sessmodels.VerifySessionOptions{
		CheckDatabase: ptr(true),
		OverrideGlobalClaimValidators: func(global []claims.SessionClaimValidator, s sessmodels.SessionContainer, userContext tessera.UserContext) ([]claims.SessionClaimValidator, error) {
			mu.Lock()
			defer mu.Unlock()
			if pass {
				return global, nil
			}
			_, validators := claims.BooleanClaim("st-test", func(string, string, *map[string]interface{}) (interface{}, error) { return false, nil }, nil)
			return append(global, validators.IsTrue(nil, nil)), nil
		},
	}
	app := httptest.NewServer(session.VerifySession(options, func(w http.ResponseWriter, req *http.Request) {
		w.Write([]byte("passed"))
	}))
	t.Cleanup(app.Close)
	login := do(t, srv, "POST", "/login", "st-auth-mode", "header")
	token := login.header.Get("st-access-token")
	handle, _ := tokenPayload(t, token)["sessionHandle"].(string)
	if ok, err := session.MergeIntoAccessTokenPayload(handle, map[string]interface{}{"plan": "pro"}); err != nil || !ok {
		t.Fatalf("MergeIntoAccessTokenPayload: %v %v", ok, err)
	}

	a := do(t, app, "GET", "/", "Authorization", "Bearer "+token)
	expectMessage(t, a, 403, "invalid claim")
	if a.header.Get("st-access-token") != "" || a.header.Get("front-token") != "" {
		t.Fatalf("the 403 writes the updated token: %v", a.header)
	}

	mu.Lock()
	pass = true
	mu.Unlock()
	a = do(t, app, "GET", "/", "Authorization", "Bearer "+token)
	if a.status != 200 || a.body != "passed" {
		t.Fatalf("passing check: %d %q", a.status, a.body)
	}
	updated := a.header.Get("st-access-token")
	if updated == "" || a.header.Get("front-token") == "" {
		t.Fatalf("the passing check writes no updated token: %v", a.header)
	}
	payload := tokenPayload(t, updated)
	if payload["plan"] != "pro" {
		t.Fatalf("updated token's payload: %v", payload)
	}
}

// VerifySession on a POST to the refresh path refreshes the session, as supertokens-golang's
// VerifySession API does, without checking its claims (its refresh does not).
func TestVerifySessionOnTheRefreshPathRefreshesWithoutClaimChecks(t *testing.T) {
	srv := start(t, nil)
	options := &sessmodels.VerifySessionOptions{
		OverrideGlobalClaimValidators: func(global []claims.SessionClaimValidator, s sessmodels.SessionContainer, userContext tessera.UserContext) ([]claims.SessionClaimValidator, error) {
			_, validators := claims.BooleanClaim("st-never", func(string, string, *map[string]interface{}) (interface{}, error) { return false, nil }, nil)
			return append(global, validators.IsTrue(nil, nil)), nil
		},
	}
	// No Middleware: the refresh path reaches the application's VerifySession.
	app := httptest.NewServer(session.VerifySession(options, func(w http.ResponseWriter, req *http.Request) {
		w.Write([]byte("user " + session.GetSessionFromRequestContext(req.Context()).GetUserID()))
	}))
	t.Cleanup(app.Close)
	login := do(t, srv, "POST", "/login", "st-auth-mode", "header")
	a := do(t, app, "POST", "/auth/session/refresh", "Authorization", "Bearer "+login.header.Get("st-refresh-token"))
	if a.status != 200 || a.body != "user user-1" {
		t.Fatalf("refresh through VerifySession: %d %q %v", a.status, a.body, a.header)
	}
	if a.header.Get("st-access-token") == "" || a.header.Get("st-refresh-token") == "" || a.header.Get("front-token") == "" {
		t.Fatalf("refresh through VerifySession writes no new tokens: %v", a.header)
	}
	// Elsewhere the same claim check answers 403.
	a = do(t, app, "POST", "/other", "Authorization", "Bearer "+login.header.Get("st-access-token"))
	expectMessage(t, a, 403, "invalid claim")
}
