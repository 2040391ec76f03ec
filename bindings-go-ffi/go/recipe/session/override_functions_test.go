package session_test

import (
	"encoding/json"
	defaultErrors "errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/claims"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/errors"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/sessmodels"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/tessera"
)

// withFunctions is options (nil: none) with functions as its Override.Functions.
func withFunctions(options *sessmodels.TypeInput, functions func(sessmodels.RecipeInterface) sessmodels.RecipeInterface) *sessmodels.TypeInput {
	o := sessmodels.TypeInput{}
	if options != nil {
		o = *options
	}
	o.Override = &sessmodels.OverrideStruct{Functions: functions}
	return &o
}

// passThrough is an Override.Functions that replaces every function with one that notes its
// name in c (when not nil) and calls the original: new code for each, doing what it did.
func passThrough(c *calls) func(sessmodels.RecipeInterface) sessmodels.RecipeInterface {
	return func(o sessmodels.RecipeInterface) sessmodels.RecipeInterface {
		v := reflect.ValueOf(&o).Elem()
		for i := 0; i < v.NumField(); i++ {
			name := v.Type().Field(i).Name
			field := v.Field(i).Elem()
			original := reflect.ValueOf(field.Interface())
			field.Set(reflect.MakeFunc(original.Type(), func(args []reflect.Value) []reflect.Value {
				if c != nil {
					c.add(name)
				}
				return original.Call(args)
			}))
		}
		return o
	}
}

// As supertokens-golang's "should use override functions in session container methods":
// a GetSessionInformation that adds to the session data is what the session's methods read.
func TestOverrideOfGetSessionInformationIsUsedBySessionContainerMethods(t *testing.T) {
	var c calls
	start(t, withFunctions(nil, func(originalImplementation sessmodels.RecipeInterface) sessmodels.RecipeInterface {
		oGetSessionInformation := *originalImplementation.GetSessionInformation
		*originalImplementation.GetSessionInformation = func(sessionHandle string, userContext tessera.UserContext) (*sessmodels.SessionInformation, error) {
			c.add(fmt.Sprintf("information of %s, context given %v", sessionHandle, userContext != nil))
			info, err := oGetSessionInformation(sessionHandle, userContext)
			if err != nil || info == nil {
				return info, err
			}
			info.SessionDataInDatabase = map[string]interface{}{"test": 1}
			info.TimeCreated, info.Expiry = 42, 43
			return info, nil
		}
		oUpdate := *originalImplementation.UpdateSessionDataInDatabase
		*originalImplementation.UpdateSessionDataInDatabase = func(sessionHandle string, newSessionData map[string]interface{}, userContext tessera.UserContext) (bool, error) {
			c.add("update of " + sessionHandle)
			newSessionData["updated"] = "by the override"
			return oUpdate(sessionHandle, newSessionData, userContext)
		}
		return originalImplementation
	}))
	res := httptest.NewRecorder()
	s, err := session.CreateNewSession(httptest.NewRequest("GET", "/", nil), res, "public", "testId", map[string]interface{}{}, map[string]interface{}{})
	if err != nil {
		t.Fatal(err)
	}
	data, err := s.GetSessionDataInDatabase()
	if err != nil || !reflect.DeepEqual(data, map[string]interface{}{"test": 1}) {
		t.Fatalf("GetSessionDataInDatabase: %v %v", data, err)
	}
	created, err := s.GetTimeCreated()
	expiry, err2 := s.GetExpiry()
	if created != 42 || expiry != 43 || err != nil || err2 != nil {
		t.Fatalf("GetTimeCreated %d %v, GetExpiry %d %v", created, err, expiry, err2)
	}
	if info, err := session.GetSessionInformation(s.GetHandle()); err != nil || info.SessionDataInDatabase["test"] != 1 {
		t.Fatalf("session.GetSessionInformation: %+v %v", info, err)
	}
	if err := s.UpdateSessionDataInDatabase(map[string]interface{}{"a": "b"}); err != nil {
		t.Fatal(err)
	}
	// The original beneath the override stored what the override passed on.
	stored, err := session.UpdateSessionDataInDatabase(s.GetHandle(), map[string]interface{}{"c": "d"})
	if !stored || err != nil {
		t.Fatalf("session.UpdateSessionDataInDatabase: %v %v", stored, err)
	}
	h := s.GetHandle()
	want := []string{
		"information of " + h + ", context given true",
		"information of " + h + ", context given true",
		"information of " + h + ", context given true",
		"information of " + h + ", context given true",
		"update of " + h,
		"update of " + h,
	}
	if got := c.all(); !reflect.DeepEqual(got, want) {
		t.Fatalf("the override saw\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// A session gone: the override gets nil from the original and passes it on.
	if _, err := session.RevokeSession(h); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetSessionDataInDatabase(); !defaultErrors.Is(err, tessera.ErrUnauthorised) {
		t.Fatalf("GetSessionDataInDatabase of a revoked session: %v", err)
	}
}

// A GetGlobalClaimValidators that requires a claim, as supertokens-golang's verifySession
// claim tests write it: a session without the claim's value is refused with 403 until the
// value can be fetched, then allowed, the fetched value in a new access token.
func TestOverrideOfGetGlobalClaimValidatorsGuardsVerifySession(t *testing.T) {
	var (
		mu      sync.Mutex
		value   interface{}
		fetches int
		seen    calls
	)
	_, trueValidators := claims.BooleanClaim("st-true", func(userID, tenantID string, _ *map[string]interface{}) (interface{}, error) {
		mu.Lock()
		defer mu.Unlock()
		fetches++
		return value, nil
	}, nil)
	srv := start(t, withFunctions(nil, func(originalImplementation sessmodels.RecipeInterface) sessmodels.RecipeInterface {
		oGetGlobalClaimValidators := *originalImplementation.GetGlobalClaimValidators
		*originalImplementation.GetGlobalClaimValidators = func(userId string, claimValidatorsAddedByOtherRecipes []claims.SessionClaimValidator, tenantId string, userContext tessera.UserContext) ([]claims.SessionClaimValidator, error) {
			req := tessera.GetRequestFromUserContext(userContext)
			seen.add(fmt.Sprintf("%s in %s, %d from other recipes, request %v", userId, tenantId, len(claimValidatorsAddedByOtherRecipes), req != nil && req.URL.Path == "/getJWT"))
			validators, err := oGetGlobalClaimValidators(userId, claimValidatorsAddedByOtherRecipes, tenantId, userContext)
			return append(validators, trueValidators.IsTrue(nil, nil)), err
		}
		return originalImplementation
	}))
	token := do(t, srv, "POST", "/login").header.Get("st-access-token")

	refused := do(t, srv, "GET", "/getJWT", "Authorization", "Bearer "+token)
	want := `{"message":"invalid claim","claimValidationErrors":[{"id":"st-true","reason":{"actualValue":null,"expectedValue":true,"message":"value does not exist"}}]}`
	if refused.status != 403 || !reflect.DeepEqual(jsonBody(t, refused), jsonOf(t, want)) {
		t.Fatalf("without the claim: %d %s", refused.status, refused.body)
	}
	if fetches != 1 {
		t.Fatalf("%d fetches", fetches)
	}
	mu.Lock()
	value = true
	mu.Unlock()
	allowed := do(t, srv, "GET", "/getJWT", "Authorization", "Bearer "+token)
	if allowed.status != 200 || jsonBody(t, allowed)["userId"] != "user-1" {
		t.Fatalf("after the value can be fetched: %d %s", allowed.status, allowed.body)
	}
	newToken := allowed.header.Get("st-access-token")
	if newToken == "" || tokenPayload(t, newToken)["st-true"] == nil {
		t.Fatalf("the fetched value is not in a new access token: %v", allowed.header)
	}
	// The new token carries the value: allowed without fetching it again.
	if a := do(t, srv, "GET", "/getJWT", "Authorization", "Bearer "+newToken); a.status != 200 || fetches != 2 {
		t.Fatalf("with the value: %d %s, %d fetches", a.status, a.body, fetches)
	}
	if got := seen.all(); len(got) != 3 || got[0] != "user-1 in public, 0 from other recipes, request true" {
		t.Fatalf("GetGlobalClaimValidators saw %q", got)
	}
	// OverrideGlobalClaimValidators gets the replacement's validators.
	var given []string
	route := session.VerifySession(&sessmodels.VerifySessionOptions{
		OverrideGlobalClaimValidators: func(global []claims.SessionClaimValidator, s sessmodels.SessionContainer, userContext tessera.UserContext) ([]claims.SessionClaimValidator, error) {
			for _, v := range global {
				given = append(given, v.ID)
			}
			return nil, nil
		},
	}, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("open")) })
	app := httptest.NewServer(tessera.Middleware(route))
	t.Cleanup(app.Close)
	if a := do(t, app, "GET", "/", "Authorization", "Bearer "+token); a.status != 200 || a.body != "open" || !reflect.DeepEqual(given, []string{"st-true"}) {
		t.Fatalf("with OverrideGlobalClaimValidators: %d %q, given %v", a.status, a.body, given)
	}
}

func jsonOf(t *testing.T, doc string) interface{} {
	t.Helper()
	var v interface{}
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// The claim functions by session handle, as supertokens-golang's claim tests use them, on
// the defaults and through an override that notes what they call.
func TestClaimFunctionsBySessionHandle(t *testing.T) {
	for _, overridden := range []bool{false, true} {
		t.Run(fmt.Sprintf("override %v", overridden), func(t *testing.T) {
			var c calls
			var options *sessmodels.TypeInput
			if overridden {
				options = withFunctions(nil, passThrough(&c))
			}
			start(t, options)
			s, err := session.CreateNewSessionWithoutRequestResponse("public", "user-1", map[string]interface{}{"plan": "pro"}, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			h := s.GetHandle()
			var r roles
			r.set("editor")
			roleClaim, roleValidators := claims.PrimitiveArrayClaim("st-role", r.fetch, nil)
			value := func() interface{} {
				t.Helper()
				got, err := session.GetClaimValue(h, roleClaim)
				if err != nil || got.OK == nil || got.SessionDoesNotExistError != nil {
					t.Fatalf("GetClaimValue: %+v %v", got, err)
				}
				return got.OK.Value
			}
			if v := value(); v != nil {
				t.Fatalf("a claim never set: %v", v)
			}
			if ok, err := session.FetchAndSetClaim(h, roleClaim); !ok || err != nil || r.fetches != 1 {
				t.Fatalf("FetchAndSetClaim: %v %v, %d fetches", ok, err, r.fetches)
			}
			if v := value(); !reflect.DeepEqual(v, []interface{}{"editor"}) {
				t.Fatalf("after FetchAndSetClaim: %v", v)
			}
			if ok, err := session.SetClaimValue(h, roleClaim, []interface{}{"admin"}); !ok || err != nil {
				t.Fatalf("SetClaimValue: %v %v", ok, err)
			}
			if v := value(); !reflect.DeepEqual(v, []interface{}{"admin"}) {
				t.Fatalf("after SetClaimValue: %v", v)
			}
			failing := func(global []claims.SessionClaimValidator, info sessmodels.SessionInformation, userContext tessera.UserContext) []claims.SessionClaimValidator {
				if info.UserId != "user-1" || info.SessionHandle != h {
					t.Errorf("overrideGlobalClaimValidators got %+v", info)
				}
				return append(global, roleValidators.Includes("admin", nil, nil), roleValidators.Includes("owner", nil, ptr("must-own")))
			}
			validated, err := session.ValidateClaimsForSessionHandle(h, failing)
			if err != nil || validated.OK == nil || len(validated.OK.InvalidClaims) != 1 || validated.OK.InvalidClaims[0].ID != "must-own" {
				t.Fatalf("ValidateClaimsForSessionHandle: %+v %v", validated.OK, err)
			}
			if reason := validated.OK.InvalidClaims[0].Reason; !reflect.DeepEqual(reason, map[string]interface{}{"message": "wrong value", "expectedToInclude": "owner", "actualValue": []interface{}{"admin"}}) {
				t.Fatalf("reason %#v", reason)
			}
			if ok, err := session.RemoveClaim(h, roleClaim); !ok || err != nil {
				t.Fatalf("RemoveClaim: %v %v", ok, err)
			}
			if v := value(); v != nil {
				t.Fatalf("after RemoveClaim: %v", v)
			}
			// Validators that need the value fetch it and store it in the session.
			r.set("owner")
			validated, err = session.ValidateClaimsForSessionHandle(h, failing)
			if err != nil || validated.OK == nil || len(validated.OK.InvalidClaims) != 1 || validated.OK.InvalidClaims[0].ID != "st-role" || r.fetches != 2 {
				t.Fatalf("ValidateClaimsForSessionHandle with a refetch: %+v %v, %d fetches", validated.OK, err, r.fetches)
			}
			if v := value(); !reflect.DeepEqual(v, []interface{}{"owner"}) {
				t.Fatalf("the refetched value was not stored: %v", v)
			}
			if info, _ := session.GetSessionInformation(h); info.CustomClaimsInAccessTokenPayload["plan"] != "pro" {
				t.Fatalf("the rest of the payload: %v", info.CustomClaimsInAccessTokenPayload)
			}

			// A session that does not exist, as supertokens-golang's tests expect.
			for name, ok := range map[string]func() (bool, error){
				"FetchAndSetClaim": func() (bool, error) { return session.FetchAndSetClaim("nonExistantHandle", roleClaim) },
				"SetClaimValue":    func() (bool, error) { return session.SetClaimValue("nonExistantHandle", roleClaim, true) },
				"RemoveClaim":      func() (bool, error) { return session.RemoveClaim("nonExistantHandle", roleClaim) },
			} {
				if got, err := ok(); got || err != nil {
					t.Fatalf("%s of no session: %v %v", name, got, err)
				}
			}
			if got, err := session.GetClaimValue("nonExistantHandle", roleClaim); err != nil || got.OK != nil || got.SessionDoesNotExistError == nil {
				t.Fatalf("GetClaimValue of no session: %+v %v", got, err)
			}
			if got, err := session.ValidateClaimsForSessionHandle("nonExistantHandle", nil); err != nil || got.OK != nil || got.SessionDoesNotExistError == nil {
				t.Fatalf("ValidateClaimsForSessionHandle of no session: %+v %v", got, err)
			}
			if r.fetches != 2 {
				t.Fatalf("%d fetches", r.fetches)
			}
			invalid, err := session.ValidateClaimsInJWTPayload("public", "user-1", map[string]interface{}{}, func(global []claims.SessionClaimValidator, userID string, _ ...tessera.UserContext) []claims.SessionClaimValidator {
				return append(global, roleValidators.Includes("admin", nil, nil))
			})
			if err != nil || len(invalid) != 1 || invalid[0].ID != "st-role" || r.fetches != 2 {
				t.Fatalf("ValidateClaimsInJWTPayload: %v %v", invalid, err)
			}
			if overridden {
				// The defaults go through the recipe's functions, as supertokens-golang's do.
				for _, name := range []string{"FetchAndSetClaim", "GetSessionInformation", "MergeIntoAccessTokenPayload", "SetClaimValue",
					"GetClaimValue", "RemoveClaim", "GetGlobalClaimValidators", "ValidateClaims", "ValidateClaimsInJWTPayload"} {
					if !contains(c.all(), name) {
						t.Errorf("%s was not called through the override: %v", name, c.all())
					}
				}
			}
		})
	}
}

func contains(all []string, s string) bool {
	for _, x := range all {
		if x == s {
			return true
		}
	}
	return false
}

// A GetSession replacement on a protected route gets what the request carries, as
// supertokens-golang's getSessionFromRequest passes it, and the session it returns writes
// its changes on the request's transport.
func TestOverrideOfGetSessionOnAProtectedRoute(t *testing.T) {
	var c calls
	srv := start(t, withFunctions(&sessmodels.TypeInput{AntiCsrf: ptr("VIA_TOKEN")}, func(originalImplementation sessmodels.RecipeInterface) sessmodels.RecipeInterface {
		oGetSession := *originalImplementation.GetSession
		*originalImplementation.GetSession = func(accessToken *string, antiCSRFToken *string, options *sessmodels.VerifySessionOptions, userContext tessera.UserContext) (sessmodels.SessionContainer, error) {
			req := tessera.GetRequestFromUserContext(userContext)
			if req == nil {
				c.add(fmt.Sprintf("without a request: options %v", options))
				return oGetSession(accessToken, antiCSRFToken, options, userContext)
			}
			if req.Header.Get("X-Blocked") != "" {
				return nil, errors.UnauthorizedError{Msg: "blocked"}
			}
			if user := req.Header.Get("X-Service"); user != "" {
				// A session of the application's own making, with nothing to write.
				return &sessmodels.TypeSessionContainer{
					GetUserID:                      func() string { return user },
					GetAccessToken:                 func() string { return "service token" },
					GetAllSessionTokensDangerously: func() sessmodels.SessionTokens { return sessmodels.SessionTokens{} },
				}, nil
			}
			str := func(p *string) string {
				if p == nil {
					return "<nil>"
				}
				if len(*p) > 12 {
					return "token"
				}
				return *p
			}
			required := "<nil>"
			if options.SessionRequired != nil {
				required = fmt.Sprint(*options.SessionRequired)
			}
			c.add(fmt.Sprintf("%s: access %s, anti-csrf %s, check %v, required %s", req.URL.Path, str(accessToken), str(antiCSRFToken), *options.AntiCsrfCheck, required))
			return oGetSession(accessToken, antiCSRFToken, options, userContext)
		}
		return originalImplementation
	}))
	login := do(t, srv, "POST", "/login", "st-auth-mode", "cookie")
	at, csrf := cookie(login, "sAccessToken").Value, login.header.Get("anti-csrf")
	header := do(t, srv, "POST", "/login").header.Get("st-access-token")

	if a := do(t, srv, "GET", "/getJWT", "Cookie", "sAccessToken="+at); a.status != 200 || jsonBody(t, a)["token"] != at {
		t.Fatalf("GET with a cookie: %d %s", a.status, a.body)
	}
	if a := do(t, srv, "POST", "/getJWT", "Cookie", "sAccessToken="+at, "anti-csrf", csrf); a.status != 200 {
		t.Fatalf("POST with a cookie and its anti-CSRF token: %d %s", a.status, a.body)
	}
	expectMessage(t, do(t, srv, "POST", "/getJWT", "Cookie", "sAccessToken="+at, "anti-csrf", "wrong"), 401, "try refresh token")
	if a := do(t, srv, "GET", "/optional"); a.body != "no session" {
		t.Fatalf("optional: %d %q", a.status, a.body)
	}
	a := do(t, srv, "GET", "/getJWT")
	expectMessage(t, a, 401, "unauthorised")
	expectNothingCleared(t, a.header)
	blocked := do(t, srv, "GET", "/getJWT", "Authorization", "Bearer "+header, "X-Blocked", "1")
	expectMessage(t, blocked, 401, "unauthorised")
	expectCleared(t, blocked)
	service := do(t, srv, "GET", "/getJWT", "X-Service", "cron")
	if service.status != 200 || jsonBody(t, service)["userId"] != "cron" || len(service.header.Values("Set-Cookie")) != 0 {
		t.Fatalf("a session the replacement made: %d %s", service.status, service.body)
	}
	// The session the replacement returned is on the request's transport: a merge in the
	// route writes a new access token cookie, not a header.
	merged := do(t, srv, "GET", "/merge", "Cookie", "sAccessToken="+at)
	if c := cookie(merged, "sAccessToken"); merged.status != 200 || c == nil || c.Value != merged.body || merged.header.Get("st-access-token") != "" {
		t.Fatalf("merge in a cookie session: %d %q %v", merged.status, merged.body, merged.header)
	}
	merged = do(t, srv, "GET", "/merge", "Authorization", "Bearer "+header)
	if merged.status != 200 || merged.header.Get("st-access-token") != merged.body || len(merged.header.Values("Set-Cookie")) != 0 {
		t.Fatalf("merge in a header session: %d %q %v", merged.status, merged.body, merged.header)
	}
	want := []string{
		"/getJWT: access token, anti-csrf <nil>, check false, required <nil>",
		"/getJWT: access token, anti-csrf token, check true, required <nil>",
		"/getJWT: access token, anti-csrf wrong, check true, required <nil>",
		"/optional: access <nil>, anti-csrf <nil>, check false, required false",
		"/getJWT: access <nil>, anti-csrf <nil>, check false, required <nil>",
		"/merge: access token, anti-csrf <nil>, check false, required <nil>",
		"/merge: access token, anti-csrf <nil>, check false, required <nil>",
	}
	if got := c.all(); !reflect.DeepEqual(got, want) {
		t.Fatalf("the replacement saw\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// GetSessionWithoutRequestResponse calls it too, with the caller's options.
	if s, err := session.GetSessionWithoutRequestResponse(header, nil, &sessmodels.VerifySessionOptions{AntiCsrfCheck: ptr(false)}); err != nil || s.GetUserID() != "user-1" || !strings.HasPrefix(c.last(), "without a request: options &{") {
		t.Fatalf("GetSessionWithoutRequestResponse: %v, %q", err, c.last())
	}
}

// A RefreshSession replacement is what the refresh endpoint calls; its session's tokens are
// written on the transport the refresh token came on, its errors answered as the endpoint's.
func TestOverrideOfRefreshSessionIsCalledByTheRefreshEndpoint(t *testing.T) {
	var c calls
	// No grace period: the first refresh token reused is a theft.
	options := &sessmodels.TypeInput{RefreshTokenRotationGracePeriod: ptr(uint64(0))}
	srv := start(t, withFunctions(options, func(originalImplementation sessmodels.RecipeInterface) sessmodels.RecipeInterface {
		oRefreshSession := *originalImplementation.RefreshSession
		*originalImplementation.RefreshSession = func(refreshToken string, antiCSRFToken *string, disableAntiCSRF bool, userContext tessera.UserContext) (sessmodels.SessionContainer, error) {
			req := tessera.GetRequestFromUserContext(userContext)
			if req.Header.Get("X-Refuse") != "" {
				return nil, errors.UnauthorizedError{Msg: "refused"}
			}
			s, err := oRefreshSession(refreshToken, antiCSRFToken, disableAntiCSRF, userContext)
			if err != nil {
				c.add(fmt.Sprintf("failed: %T: %v", err, err))
				return nil, err
			}
			c.add(fmt.Sprintf("refreshed %s on %s, anti-CSRF disabled %v", s.GetUserID(), req.URL.Path, disableAntiCSRF))
			return s, nil
		}
		return originalImplementation
	}))
	login := do(t, srv, "POST", "/login", "st-auth-mode", "cookie")
	rt0 := cookie(login, "sRefreshToken").Value
	refreshed := do(t, srv, "POST", "/auth/session/refresh", "Cookie", "sRefreshToken="+rt0, "rid", "session")
	expectBody(t, refreshed, 200, `{}`)
	at1, rt1 := cookie(refreshed, "sAccessToken"), cookie(refreshed, "sRefreshToken")
	if at1 == nil || at1.Value == "" || rt1 == nil || rt1.Value == rt0 || refreshed.header.Get("front-token") == "" || refreshed.header.Get("st-access-token") != "" {
		t.Fatalf("refreshed in cookies: %v", refreshed.header)
	}
	if a := do(t, srv, "GET", "/getJWT", "Cookie", "sAccessToken="+at1.Value); a.status != 200 {
		t.Fatalf("the new access token: %d %s", a.status, a.body)
	}
	header := do(t, srv, "POST", "/login").header.Get("st-refresh-token")
	refreshed = do(t, srv, "POST", "/auth/session/refresh", "Authorization", "Bearer "+header)
	expectBody(t, refreshed, 200, `{}`)
	if refreshed.header.Get("st-access-token") == "" || refreshed.header.Get("st-refresh-token") == "" || len(refreshed.header.Values("Set-Cookie")) != 0 {
		t.Fatalf("refreshed in headers: %v", refreshed.header)
	}
	refused := do(t, srv, "POST", "/auth/session/refresh", "Cookie", "sRefreshToken="+rt1.Value, "rid", "session", "X-Refuse", "1")
	expectMessage(t, refused, 401, "unauthorised")
	expectCleared(t, refused)
	expectMessage(t, do(t, srv, "POST", "/auth/session/refresh", "Cookie", "sRefreshToken="+rt0, "rid", "session"), 401, "token theft detected")
	// Without a refresh token it is not called: the endpoint's own error.
	expectMessage(t, do(t, srv, "POST", "/auth/session/refresh", "rid", "session"), 401, "unauthorised")
	got := c.all()
	if len(got) != 3 || got[0] != "refreshed user-1 on /auth/session/refresh, anti-CSRF disabled false" ||
		got[1] != "refreshed user-1 on /auth/session/refresh, anti-CSRF disabled true" || !strings.HasPrefix(got[2], "failed: errors.TokenTheftDetectedError: ") {
		t.Fatalf("the replacement saw %q", got)
	}
	// RefreshSessionWithoutRequestResponse calls it too (without a request in the context).
	if _, err := session.RefreshSessionWithoutRequestResponse("garbage", nil, nil, tessera.MakeDefaultUserContextFromAPI(httptest.NewRequest("POST", "/x", nil))); err == nil || !strings.HasPrefix(c.last(), "failed: ") {
		t.Fatalf("RefreshSessionWithoutRequestResponse: %v, %q", err, c.last())
	}
}

// A RevokeSession replacement is called by sign-out and by SessionContainer.RevokeSession;
// the session's tokens are cleared from the response after it, whatever it answered.
func TestOverrideOfRevokeSessionIsCalledBySignOutAndTheContainer(t *testing.T) {
	var c calls
	srv := start(t, withFunctions(nil, func(originalImplementation sessmodels.RecipeInterface) sessmodels.RecipeInterface {
		oRevokeSession := *originalImplementation.RevokeSession
		*originalImplementation.RevokeSession = func(sessionHandle string, userContext tessera.UserContext) (bool, error) {
			req := tessera.GetRequestFromUserContext(userContext)
			if req != nil && req.Header.Get("X-Keep") != "" {
				c.add("kept")
				return false, nil
			}
			c.add("revoking")
			return oRevokeSession(sessionHandle, userContext)
		}
		return originalImplementation
	}))
	login := do(t, srv, "POST", "/login", "st-auth-mode", "cookie")
	at, rt := cookie(login, "sAccessToken").Value, cookie(login, "sRefreshToken").Value
	kept := do(t, srv, "POST", "/auth/signout", "Cookie", "sAccessToken="+at, "X-Keep", "1")
	expectBody(t, kept, 200, `{"status":"OK"}`)
	expectCleared(t, kept)
	if a := do(t, srv, "POST", "/auth/session/refresh", "Cookie", "sRefreshToken="+rt, "rid", "session"); a.status != 200 {
		t.Fatalf("the kept session does not refresh: %d %s", a.status, a.body)
	}
	out := do(t, srv, "POST", "/auth/signout", "Cookie", "sAccessToken="+at)
	expectBody(t, out, 200, `{"status":"OK"}`)
	expectCleared(t, out)
	handles, err := session.GetAllSessionHandlesForUser("user-1", nil)
	if err != nil || len(handles) != 0 {
		t.Fatalf("sessions after sign-out: %v %v", handles, err)
	}

	// The container's RevokeSession, in a route and without a request.
	mux := http.NewServeMux()
	mux.Handle("/revoke", session.VerifySession(nil, func(w http.ResponseWriter, r *http.Request) {
		if err := session.GetSessionFromRequestContext(r.Context()).RevokeSession(); err != nil {
			t.Errorf("RevokeSession: %v", err)
		}
	}))
	app := httptest.NewServer(tessera.Middleware(mux))
	t.Cleanup(app.Close)
	token := do(t, srv, "POST", "/login").header.Get("st-access-token")
	revoked := do(t, app, "GET", "/revoke", "Authorization", "Bearer "+token)
	if revoked.status != 200 || revoked.header.Get("st-access-token") != "" || revoked.header.Values("St-Access-Token") == nil || revoked.header.Get("front-token") != "remove" {
		t.Fatalf("revoked in a route: %d %v", revoked.status, revoked.header)
	}
	s, err := session.CreateNewSessionWithoutRequestResponse("public", "user-2", nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeSession(); err != nil {
		t.Fatal(err)
	}
	if ok, err := session.RevokeSession(s.GetHandle()); ok || err != nil {
		t.Fatalf("session.RevokeSession of a revoked session: %v %v", ok, err)
	}
	want := []string{"kept", "revoking", "revoking", "revoking", "revoking"}
	if got := c.all(); !reflect.DeepEqual(got, want) {
		t.Fatalf("the replacement was called %q, want %q", got, want)
	}
}

// The public functions on stored sessions call the recipe's functions with supertokens-golang's
// arguments: nil tenant is every tenant.
func TestStoredSessionFunctionsGoThroughTheOverride(t *testing.T) {
	var c calls
	start(t, withFunctions(nil, func(o sessmodels.RecipeInterface) sessmodels.RecipeInterface {
		oHandles, oRevokeAll := *o.GetAllSessionHandlesForUser, *o.RevokeAllSessionsForUser
		*o.GetAllSessionHandlesForUser = func(userID string, tenantId string, fetchAcrossAllTenants *bool, userContext tessera.UserContext) ([]string, error) {
			c.add(fmt.Sprintf("handles of %s in %s, across %v, context %v", userID, tenantId, *fetchAcrossAllTenants, (*userContext)["k"]))
			return oHandles(userID, tenantId, fetchAcrossAllTenants, userContext)
		}
		*o.RevokeAllSessionsForUser = func(userID string, tenantId string, revokeAcrossAllTenants *bool, userContext tessera.UserContext) ([]string, error) {
			c.add(fmt.Sprintf("revoke all of %s in %s, across %v", userID, tenantId, *revokeAcrossAllTenants))
			return oRevokeAll(userID, tenantId, revokeAcrossAllTenants, userContext)
		}
		oMerge, oMultiple := *o.MergeIntoAccessTokenPayload, *o.RevokeMultipleSessions
		*o.MergeIntoAccessTokenPayload = func(sessionHandle string, update map[string]interface{}, userContext tessera.UserContext) (bool, error) {
			c.add("merge")
			return oMerge(sessionHandle, update, userContext)
		}
		*o.RevokeMultipleSessions = func(sessionHandles []string, userContext tessera.UserContext) ([]string, error) {
			c.add(fmt.Sprintf("revoke %d", len(sessionHandles)))
			return oMultiple(sessionHandles, userContext)
		}
		return o
	}))
	for _, tenant := range []string{"public", "other"} {
		if _, err := session.CreateNewSessionWithoutRequestResponse(tenant, "user-1", nil, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	all, err := session.GetAllSessionHandlesForUser("user-1", nil, &map[string]interface{}{"k": "v"})
	other, err2 := session.GetAllSessionHandlesForUser("user-1", ptr("other"))
	if len(all) != 2 || len(other) != 1 || err != nil || err2 != nil {
		t.Fatalf("handles: %v %v / %v %v", all, err, other, err2)
	}
	if ok, err := session.MergeIntoAccessTokenPayload(all[0], map[string]interface{}{"a": 1}); !ok || err != nil {
		t.Fatalf("merge: %v %v", ok, err)
	}
	if revoked, err := session.RevokeMultipleSessions(other); len(revoked) != 1 || err != nil {
		t.Fatalf("revoke: %v %v", revoked, err)
	}
	if revoked, err := session.RevokeAllSessionsForUser("user-1", nil); len(revoked) != 1 || err != nil {
		t.Fatalf("revoke all: %v %v", revoked, err)
	}
	want := []string{
		"handles of user-1 in public, across true, context v",
		"handles of user-1 in other, across false, context <nil>",
		"merge", "revoke 1",
		"revoke all of user-1 in public, across true",
	}
	if got := c.all(); !reflect.DeepEqual(got, want) {
		t.Fatalf("the override saw\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// An override that replaces every function with one calling the original answers every
// endpoint and protected route as no override does, byte for byte but for token values.
func TestOverrideOfEveryFunctionByTheOriginalsAnswersAsNoOverride(t *testing.T) {
	for _, base := range []struct {
		name    string
		options sessmodels.TypeInput
	}{
		{"protocol's error answers", sessmodels.TypeInput{}},
		{"ErrorHandlers", sessmodels.TypeInput{ErrorHandlers: customHandlers(&calls{})}},
		{"anti-CSRF by custom header", sessmodels.TypeInput{AntiCsrf: ptr("VIA_CUSTOM_HEADER")}},
		{"anti-CSRF by token", sessmodels.TypeInput{AntiCsrf: ptr("VIA_TOKEN")}},
	} {
		t.Run(base.name, func(t *testing.T) {
			options := base.options
			options.RefreshTokenRotationGracePeriod = ptr(uint64(0))
			options.ExposeAccessTokenToFrontendInCookieBasedAuth = true
			options.OlderCookieDomain = ptr(".example.com")
			want := protocolScenarios(t, start(t, &options))
			var c calls
			got := protocolScenarios(t, start(t, withFunctions(&options, passThrough(&c))))
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("%s\nwant %s", got[i], want[i])
				}
			}
			// The request paths went through the replacements.
			for _, name := range []string{"CreateNewSession", "GetSession", "RefreshSession", "RevokeSession", "GetGlobalClaimValidators", "ValidateClaims"} {
				if !contains(c.all(), name) {
					t.Errorf("%s was not called", name)
				}
			}
		})
	}
}
