package session_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/claims"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/sessmodels"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/tessera"
)

// regenerateImplementation initialises Tessera on a fresh store with an Override.Functions
// built by wrap (nil: none) and returns the implementation it was given and the one it built:
// RegenerateAccessToken is reached as an application reaches it.
func regenerateImplementation(t *testing.T, wrap func(sessmodels.RecipeInterface) sessmodels.RecipeInterface) (original, built sessmodels.RecipeInterface) {
	t.Helper()
	start(t, withFunctions(nil, func(o sessmodels.RecipeInterface) sessmodels.RecipeInterface {
		original = o
		built = o
		if wrap != nil {
			built = wrap(o)
		}
		return built
	}))
	return original, built
}

// As supertokens-golang's RegenerateAccessToken over the SuperTokens core's regenerate: the
// payload is replaced (not merged), the new token keeps the old one's expiry and verifies.
func TestRegenerateAccessTokenReplacesThePayloadAndKeepsTheExpiry(t *testing.T) {
	original, _ := regenerateImplementation(t, nil)
	s, err := session.CreateNewSessionWithoutRequestResponse("public", "regen-user", map[string]interface{}{"a": 1}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	token := s.GetAccessToken()
	exp, ok := s.GetAccessTokenPayload()["exp"].(float64)
	if !ok {
		t.Fatalf("no exp in %v", s.GetAccessTokenPayload())
	}

	payload := map[string]interface{}{"c": 3}
	answer, err := (*original.RegenerateAccessToken)(token, &payload, &map[string]interface{}{})
	if err != nil || answer == nil {
		t.Fatalf("RegenerateAccessToken: %+v %v", answer, err)
	}
	if answer.Status != "OK" || answer.Session.Handle != s.GetHandle() || answer.Session.UserID != "regen-user" || answer.Session.TenantId != "public" {
		t.Fatalf("session: %+v", answer)
	}
	if !reflect.DeepEqual(answer.Session.UserDataInAccessToken, map[string]interface{}{"c": float64(3)}) {
		t.Fatalf("userDataInJWT: %v", answer.Session.UserDataInAccessToken)
	}
	if answer.AccessToken.Token == "" || answer.AccessToken.Token == token {
		t.Fatalf("no new token: %+v", answer.AccessToken)
	}
	if answer.AccessToken.Expiry != uint64(exp)*1000 {
		t.Fatalf("expiry %d, the original token's is %d", answer.AccessToken.Expiry, uint64(exp)*1000)
	}
	if got := tokenPayload(t, answer.AccessToken.Token)["exp"]; got != exp {
		t.Fatalf("exp %v, the original token's is %v", got, exp)
	}
	if answer.AccessToken.CreatedTime == 0 || answer.AccessToken.CreatedTime > answer.AccessToken.Expiry {
		t.Fatalf("createdTime %d", answer.AccessToken.CreatedTime)
	}

	verified, err := session.GetSessionWithoutRequestResponse(answer.AccessToken.Token, nil, &sessmodels.VerifySessionOptions{AntiCsrfCheck: ptr(false)})
	if err != nil || verified == nil || verified.GetHandle() != s.GetHandle() {
		t.Fatalf("GetSessionWithoutRequestResponse: %v %v", verified, err)
	}
	got := verified.GetAccessTokenPayload()
	if got["c"] != float64(3) {
		t.Fatalf("payload %v", got)
	}
	if _, has := got["a"]; has {
		t.Fatalf("replaced, not merged: %v", got)
	}
	// The stored payload was replaced too: the next refresh carries it.
	info, err := session.GetSessionInformation(s.GetHandle())
	if err != nil || !reflect.DeepEqual(info.CustomClaimsInAccessTokenPayload, map[string]interface{}{"c": float64(3)}) {
		t.Fatalf("GetSessionInformation: %+v %v", info, err)
	}

	// A nil payload is {}, as in supertokens-golang.
	answer, err = (*original.RegenerateAccessToken)(token, nil, &map[string]interface{}{})
	if err != nil || answer == nil || len(answer.Session.UserDataInAccessToken) != 0 {
		t.Fatalf("nil payload: %+v %v", answer, err)
	}
	if _, has := tokenPayload(t, answer.AccessToken.Token)["c"]; has {
		t.Fatalf("nil payload kept c: %v", tokenPayload(t, answer.AccessToken.Token))
	}
}

func TestRegenerateAccessTokenOfAGoneSessionIsNilAndOthersTokensAreRefused(t *testing.T) {
	original, _ := regenerateImplementation(t, nil)
	uc := &map[string]interface{}{}
	s, err := session.CreateNewSessionWithoutRequestResponse("public", "regen-user", map[string]interface{}{"a": 1}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	token := s.GetAccessToken()

	if got, err := (*original.RegenerateAccessToken)("garbage", nil, uc); got != nil || !errors.Is(err, tessera.ErrUnauthorised) {
		t.Fatalf("a garbage token: %+v %v", got, err)
	}
	protected := map[string]interface{}{"sub": "someone-else"}
	if got, err := (*original.RegenerateAccessToken)(token, &protected, uc); got != nil || !errors.Is(err, tessera.ErrInvalidInput) {
		t.Fatalf("a protected prop: %+v %v", got, err)
	}
	// The same header and signature over another payload.
	parts := strings.Split(token, ".")
	claims := tokenPayload(t, token)
	claims["a"] = 2
	body, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	forged := parts[0] + "." + base64.RawURLEncoding.EncodeToString(body) + "." + parts[2]
	if got, err := (*original.RegenerateAccessToken)(forged, nil, uc); got != nil || !errors.Is(err, tessera.ErrTryRefreshToken) {
		t.Fatalf("a forged token: %+v %v", got, err)
	}

	if revoked, err := session.RevokeSession(s.GetHandle()); !revoked || err != nil {
		t.Fatalf("RevokeSession: %v %v", revoked, err)
	}
	payload := map[string]interface{}{"c": 3}
	if got, err := (*original.RegenerateAccessToken)(token, &payload, uc); got != nil || err != nil {
		t.Fatalf("a revoked session: %+v %v", got, err)
	}
}

func TestRegenerateAccessTokenMayBeWrappedByAnOverride(t *testing.T) {
	var c calls
	original, built := regenerateImplementation(t, func(o sessmodels.RecipeInterface) sessmodels.RecipeInterface {
		oRegenerate := *o.RegenerateAccessToken
		regenerate := func(accessToken string, newAccessTokenPayload *map[string]interface{}, userContext tessera.UserContext) (*sessmodels.RegenerateAccessTokenResponse, error) {
			c.add(fmt.Sprintf("regenerate, context given %v", userContext != nil))
			payload := map[string]interface{}{"wrapped": true}
			for k, v := range *newAccessTokenPayload {
				payload[k] = v
			}
			answer, err := oRegenerate(accessToken, &payload, userContext)
			if answer != nil {
				answer.Session.UserID = "renamed"
			}
			return answer, err
		}
		o.RegenerateAccessToken = &regenerate
		return o
	})
	if reflect.ValueOf(*built.RegenerateAccessToken).Pointer() == reflect.ValueOf(*original.RegenerateAccessToken).Pointer() {
		t.Fatal("the override did not replace RegenerateAccessToken")
	}
	s, err := session.CreateNewSessionWithoutRequestResponse("public", "regen-user", map[string]interface{}{"a": 1}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	payload := map[string]interface{}{"c": 3}
	answer, err := (*built.RegenerateAccessToken)(s.GetAccessToken(), &payload, &map[string]interface{}{})
	if err != nil || answer == nil || answer.Session.UserID != "renamed" {
		t.Fatalf("RegenerateAccessToken: %+v %v", answer, err)
	}
	want := map[string]interface{}{"c": float64(3), "wrapped": true}
	if !reflect.DeepEqual(answer.Session.UserDataInAccessToken, want) {
		t.Fatalf("userDataInJWT: %v", answer.Session.UserDataInAccessToken)
	}
	if p := tokenPayload(t, answer.AccessToken.Token); p["wrapped"] != true || p["c"] != float64(3) {
		t.Fatalf("the new token carries %v", p)
	}
	if got := c.all(); !reflect.DeepEqual(got, []string{"regenerate, context given true"}) {
		t.Fatalf("the override saw %v", got)
	}
}

// ---- a session's MergeIntoAccessTokenPayload, as supertokens-golang's ----------------------------
// Once Override.Functions replaced RegenerateAccessToken, a session's merge hands it the merged
// custom payload and makes the token it returns the session's; otherwise the core merges alone.

// protectedProps are supertokens-golang's protectedProps: never in a custom payload.
var protectedProps = []string{"sub", "iat", "exp", "sessionHandle", "parentRefreshTokenHash1", "refreshTokenHash1", "antiCsrfToken", "rsub", "tId", "stt"}

// regenerateSeen is what a RegenerateAccessToken replacement was given.
type regenerateSeen struct {
	mu    sync.Mutex
	calls []regenerateCall
}

type regenerateCall struct {
	accessToken string
	payload     map[string]interface{}
	context     tessera.UserContext
}

func (r *regenerateSeen) add(c regenerateCall) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, c)
}

func (r *regenerateSeen) all() []regenerateCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]regenerateCall(nil), r.calls...)
}

// recordingRegenerate is an Override.Functions whose RegenerateAccessToken records its input
// and hands the original that payload with "by": "override" added; answer, when not nil,
// changes the original's answer.
func recordingRegenerate(seen *regenerateSeen, answer func(*sessmodels.RegenerateAccessTokenResponse) *sessmodels.RegenerateAccessTokenResponse) func(sessmodels.RecipeInterface) sessmodels.RecipeInterface {
	return func(o sessmodels.RecipeInterface) sessmodels.RecipeInterface {
		oRegenerate := *o.RegenerateAccessToken
		regenerate := func(accessToken string, newAccessTokenPayload *map[string]interface{}, userContext tessera.UserContext) (*sessmodels.RegenerateAccessTokenResponse, error) {
			payload := map[string]interface{}{}
			for k, v := range *newAccessTokenPayload {
				payload[k] = v
			}
			seen.add(regenerateCall{accessToken: accessToken, payload: payload, context: userContext})
			passed := map[string]interface{}{"by": "override"}
			for k, v := range payload {
				passed[k] = v
			}
			got, err := oRegenerate(accessToken, &passed, userContext)
			if answer != nil && got != nil {
				got = answer(got)
			}
			return got, err
		}
		o.RegenerateAccessToken = &regenerate
		return o
	}
}

// mergeApp serves POST /login (a session for user-1 with {"a": 1}) and GET /merge:
// VerifySession, then MergeIntoAccessTokenPayload(update), then {"payload", "token"}; errors go
// to tessera.ErrorHandler.
func mergeApp(t *testing.T, update map[string]interface{}) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		if _, err := session.CreateNewSession(r, w, "public", "user-1", map[string]interface{}{"a": 1}, nil); err != nil {
			if herr := tessera.ErrorHandler(err, r, w); herr != nil {
				http.Error(w, herr.Error(), 500)
			}
		}
	})
	mux.Handle("/merge", session.VerifySession(nil, func(w http.ResponseWriter, r *http.Request) {
		s := session.GetSessionFromRequestContext(r.Context())
		if err := s.MergeIntoAccessTokenPayload(update); err != nil {
			if herr := tessera.ErrorHandler(err, r, w); herr != nil {
				http.Error(w, herr.Error(), 500)
			}
			return
		}
		json.NewEncoder(w).Encode(map[string]interface{}{"payload": s.GetAccessTokenPayload(), "token": s.GetAccessToken()})
	}))
	app := httptest.NewServer(tessera.Middleware(mux))
	t.Cleanup(app.Close)
	return app
}

func TestMergeInARouteGoesThroughAReplacedRegenerateAccessToken(t *testing.T) {
	var seen regenerateSeen
	start(t, withFunctions(nil, recordingRegenerate(&seen, nil)))
	app := mergeApp(t, map[string]interface{}{"role": "admin"})
	access := do(t, app, "POST", "/login", "st-auth-mode", "header").header.Get("st-access-token")
	if access == "" {
		t.Fatal("no access token at login")
	}

	merged := do(t, app, "GET", "/merge", "Authorization", "Bearer "+access)
	if merged.status != 200 {
		t.Fatalf("merge: %d %s", merged.status, merged.body)
	}
	// The replacement got the session's token and its custom payload merged with the update.
	calls := seen.all()
	if len(calls) != 1 {
		t.Fatalf("RegenerateAccessToken called %d times", len(calls))
	}
	if calls[0].accessToken != access || calls[0].context == nil {
		t.Fatalf("RegenerateAccessToken given %q, context %v", calls[0].accessToken, calls[0].context)
	}
	want := map[string]interface{}{"role": "admin"}
	for k, v := range tokenPayload(t, access) {
		if !contains(protectedProps, k) {
			want[k] = v
		}
	}
	if want["a"] != float64(1) || want["iss"] == nil {
		t.Fatalf("custom claims of the login token: %v", want)
	}
	if !reflect.DeepEqual(calls[0].payload, want) {
		t.Fatalf("RegenerateAccessToken given %v, want %v", calls[0].payload, want)
	}
	for _, k := range protectedProps {
		if _, has := calls[0].payload[k]; has {
			t.Fatalf("protected %s given: %v", k, calls[0].payload)
		}
	}

	// The token it returned is the session's, on the response.
	token := merged.header.Get("st-access-token")
	if token == "" || token == access || merged.header.Get("front-token") == "" {
		t.Fatalf("merge wrote %v", merged.header)
	}
	body := jsonBody(t, merged)
	payload, _ := body["payload"].(map[string]interface{})
	if body["token"] != token || payload["role"] != "admin" || payload["by"] != "override" {
		t.Fatalf("the session after the merge: %s", merged.body)
	}
	verified, err := session.GetSessionWithoutRequestResponse(token, nil, &sessmodels.VerifySessionOptions{AntiCsrfCheck: ptr(false)})
	if err != nil || verified == nil {
		t.Fatalf("the new token: %v %v", verified, err)
	}
	if p := verified.GetAccessTokenPayload(); p["role"] != "admin" || p["by"] != "override" || p["a"] != float64(1) {
		t.Fatalf("the new token carries %v", p)
	}

	// A session gone in between: the merge answers 401, as supertokens-golang's does.
	if revoked, err := session.RevokeSession(verified.GetHandle()); !revoked || err != nil {
		t.Fatalf("RevokeSession: %v %v", revoked, err)
	}
	gone := do(t, app, "GET", "/merge", "Authorization", "Bearer "+token)
	expectMessage(t, gone, 401, "unauthorised")
	if n := len(seen.all()); n != 2 {
		t.Fatalf("RegenerateAccessToken called %d times, want 2", n)
	}
}

func TestMergeThroughARegenerateAccessTokenReplacement(t *testing.T) {
	var seen regenerateSeen
	withToken := true
	start(t, withFunctions(nil, recordingRegenerate(&seen, func(got *sessmodels.RegenerateAccessTokenResponse) *sessmodels.RegenerateAccessTokenResponse {
		if !withToken {
			got.AccessToken = sessmodels.CreateOrRefreshAPIResponseToken{}
		}
		return got
	})))
	s, err := session.CreateNewSessionWithoutRequestResponse("public", "user-1", map[string]interface{}{"a": 1, "b": 2}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	iss := s.GetAccessTokenPayload()["iss"]

	// A nil value removes its key; the user context reaches the replacement.
	ctx := &map[string]interface{}{"mine": true}
	if err := s.MergeIntoAccessTokenPayloadWithContext(map[string]interface{}{"a": nil, "c": 3}, ctx); err != nil {
		t.Fatal(err)
	}
	calls := seen.all()
	if want := map[string]interface{}{"iss": iss, "b": float64(2), "c": 3}; len(calls) != 1 || !reflect.DeepEqual(calls[0].payload, want) {
		t.Fatalf("RegenerateAccessToken given %+v, want %v", calls, want)
	}
	if calls[0].context != ctx {
		t.Fatalf("the user context given: %v", calls[0].context)
	}
	p := s.GetAccessTokenPayload()
	if _, has := p["a"]; has || p["c"] != float64(3) || p["by"] != "override" {
		t.Fatalf("payload after the merge: %v", p)
	}
	if !s.GetAllSessionTokensDangerously().AccessAndFrontendTokenUpdated {
		t.Fatal("the access token was not marked updated")
	}

	// An answer without a token (the one given had expired) writes nothing.
	withToken = false
	before := s.GetAccessToken()
	if err := s.MergeIntoAccessTokenPayload(map[string]interface{}{"d": 4}); err != nil {
		t.Fatal(err)
	}
	if s.GetAccessToken() != before {
		t.Fatal("a token was adopted from an answer without one")
	}
	info, err := session.GetSessionInformation(s.GetHandle())
	if err != nil || info.CustomClaimsInAccessTokenPayload["d"] != float64(4) {
		t.Fatalf("the store after the merge: %+v %v", info, err)
	}
}

func TestMergeRefusesATokenOfAnotherSession(t *testing.T) {
	start(t, withFunctions(nil, func(o sessmodels.RecipeInterface) sessmodels.RecipeInterface {
		oRegenerate := *o.RegenerateAccessToken
		regenerate := func(accessToken string, newAccessTokenPayload *map[string]interface{}, userContext tessera.UserContext) (*sessmodels.RegenerateAccessTokenResponse, error) {
			other, err := session.CreateNewSessionWithoutRequestResponse("public", "someone-else", nil, nil, nil)
			if err != nil {
				return nil, err
			}
			return oRegenerate(other.GetAccessToken(), newAccessTokenPayload, userContext)
		}
		o.RegenerateAccessToken = &regenerate
		return o
	}))
	s, err := session.CreateNewSessionWithoutRequestResponse("public", "user-1", nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.MergeIntoAccessTokenPayload(map[string]interface{}{"role": "admin"}); !errors.Is(err, tessera.ErrInvalidInput) {
		t.Fatalf("merge adopting another session's token: %v", err)
	}
	if _, has := s.GetAccessTokenPayload()["role"]; has {
		t.Fatalf("payload %v", s.GetAccessTokenPayload())
	}
}

// Without a replaced RegenerateAccessToken the core merges; with one, the core makes the payload
// the replacement gets. Either way an update's protected prop is left out, by the core.
func TestMergeWithoutAReplacedRegenerateAccessTokenIsTheCores(t *testing.T) {
	leaveAlone := func(o sessmodels.RecipeInterface) sessmodels.RecipeInterface {
		oInfo := *o.GetSessionInformation
		info := func(sessionHandle string, userContext tessera.UserContext) (*sessmodels.SessionInformation, error) {
			return oInfo(sessionHandle, userContext)
		}
		o.GetSessionInformation = &info
		return o
	}
	var seen regenerateSeen
	for _, c := range []struct {
		name    string
		options *sessmodels.TypeInput
		status  int
	}{
		{"no override", nil, 200},
		{"an override leaving RegenerateAccessToken alone", withFunctions(nil, leaveAlone), 200},
		{"a replaced RegenerateAccessToken", withFunctions(nil, recordingRegenerate(&seen, nil)), 200},
	} {
		t.Run(c.name, func(t *testing.T) {
			start(t, c.options)
			app := mergeApp(t, map[string]interface{}{"role": "admin", "sub": "someone-else"})
			access := do(t, app, "POST", "/login", "st-auth-mode", "header").header.Get("st-access-token")
			merged := do(t, app, "GET", "/merge", "Authorization", "Bearer "+access)
			if merged.status != c.status {
				t.Fatalf("merge: %d %s, want %d", merged.status, merged.body, c.status)
			}
			token := merged.header.Get("st-access-token")
			if token == "" || token == access {
				t.Fatalf("merge wrote %v", merged.header)
			}
			if p := tokenPayload(t, token); p["role"] != "admin" || p["sub"] != "user-1" {
				t.Fatalf("the new token carries %v", p)
			}
		})
	}
	calls := seen.all()
	if len(calls) != 1 {
		t.Fatalf("the replacement was called %d times, want 1", len(calls))
	}
	if _, has := calls[0].payload["sub"]; has || calls[0].payload["role"] != "admin" {
		t.Fatalf("the replacement was given %v", calls[0].payload)
	}
}

// As supertokens-golang's AssertClaims: the protected props of ValidateClaims' update (its
// default answers with the whole payload) are left out before the merge hands it on.
func TestAssertClaimsHandsAReplacedRegenerateAccessTokenNoProtectedProps(t *testing.T) {
	var seen regenerateSeen
	record := recordingRegenerate(&seen, nil)
	start(t, withFunctions(nil, func(o sessmodels.RecipeInterface) sessmodels.RecipeInterface {
		o = record(o)
		validate := func(userID string, accessTokenPayload map[string]interface{}, _ []claims.SessionClaimValidator, _ tessera.UserContext) (sessmodels.ValidateClaimsResult, error) {
			update := map[string]interface{}{"checked": true}
			for k, v := range accessTokenPayload {
				update[k] = v
			}
			return sessmodels.ValidateClaimsResult{AccessTokenPayloadUpdate: update}, nil
		}
		o.ValidateClaims = &validate
		return o
	}))
	s, err := session.CreateNewSessionWithoutRequestResponse("public", "user-1", map[string]interface{}{"a": 1}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AssertClaims(nil); err != nil {
		t.Fatalf("AssertClaims: %v", err)
	}
	calls := seen.all()
	if len(calls) != 1 || calls[0].payload["checked"] != true || calls[0].payload["a"] != float64(1) {
		t.Fatalf("RegenerateAccessToken given %+v", calls)
	}
	for _, k := range protectedProps {
		if _, has := calls[0].payload[k]; has {
			t.Fatalf("protected %s given: %v", k, calls[0].payload)
		}
	}
	if p := s.GetAccessTokenPayload(); p["checked"] != true || p["sub"] != "user-1" {
		t.Fatalf("payload after AssertClaims: %v", p)
	}
}
