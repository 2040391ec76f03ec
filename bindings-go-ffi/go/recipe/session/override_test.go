package session_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/sessmodels"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/tessera"
)

// seen is what the docs-style override saw on its last call.
type seen struct {
	mu              sync.Mutex
	request         *http.Request
	userContext     map[string]interface{}
	disableAntiCsrf *bool
	calls           int
}

func (s *seen) record(disableAntiCsrf *bool, userContext tessera.UserContext) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	s.request = tessera.GetRequestFromUserContext(userContext)
	// A copy: the context is the caller's, which the attaching of the session adds to later.
	s.userContext = map[string]interface{}{}
	for k, v := range *userContext {
		s.userContext[k] = v
	}
	s.disableAntiCsrf = disableAntiCsrf
}

func (s *seen) last() seen {
	s.mu.Lock()
	defer s.mu.Unlock()
	return seen{request: s.request, userContext: s.userContext, disableAntiCsrf: s.disableAntiCsrf, calls: s.calls}
}

// docsOverride is the override of SuperTokens' docs (adding customKey to the access token
// payload), noting what it is called with; fail, when set, is returned instead.
func docsOverride(s *seen, fail error) *sessmodels.OverrideStruct {
	return &sessmodels.OverrideStruct{
		Functions: func(originalImplementation sessmodels.RecipeInterface) sessmodels.RecipeInterface {
			originalCreateNewSession := *originalImplementation.CreateNewSession
			(*originalImplementation.CreateNewSession) = func(userID string, accessTokenPayload map[string]interface{}, sessionDataInDatabase map[string]interface{}, disableAntiCsrf *bool, tenantId string, userContext tessera.UserContext) (sessmodels.SessionContainer, error) {
				s.record(disableAntiCsrf, userContext)
				if fail != nil {
					return nil, fail
				}
				if accessTokenPayload == nil {
					accessTokenPayload = map[string]interface{}{}
				}
				accessTokenPayload["customKey"] = "customValue"
				return originalCreateNewSession(userID, accessTokenPayload, sessionDataInDatabase, disableAntiCsrf, tenantId, userContext)
			}
			return originalImplementation
		},
	}
}

// initWith initialises Tessera on a private in-memory store with the session options.
func initWith(options *sessmodels.TypeInput) error {
	return tessera.Init(tessera.TypeInput{
		Supertokens: &tessera.ConnectionInfo{ConnectionURI: "sqlite::memory:"},
		AppInfo:     tessera.AppInfo{AppName: "test", APIDomain: "http://localhost:3001", WebsiteDomain: "http://localhost:3000"},
		RecipeList:  []tessera.Recipe{session.Init(options)},
	})
}

// serveLogin serves /login, which makes a session with a user context of its own, and /getJWT.
func serveLogin(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		uc := &map[string]interface{}{"from": "handler"}
		s, err := session.CreateNewSession(r, w, "public", "user-1", map[string]interface{}{"role": "admin"}, nil, uc)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		json.NewEncoder(w).Encode(map[string]interface{}{"payload": s.GetAccessTokenPayload()})
	})
	mux.Handle("/getJWT", session.VerifySession(nil, func(w http.ResponseWriter, r *http.Request) {
		s := session.GetSessionFromRequestContext(r.Context())
		json.NewEncoder(w).Encode(map[string]interface{}{"payload": s.GetAccessTokenPayload()})
	}))
	srv := httptest.NewServer(tessera.Middleware(mux))
	t.Cleanup(srv.Close)
	return srv
}

// tokenPayload decodes an access token's payload without verifying it.
func tokenPayload(t *testing.T, token string) map[string]interface{} {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("access token %q is not a JWT", token)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var payload map[string]interface{}
	if err := json.Unmarshal(raw, &payload); err != nil {
		t.Fatal(err)
	}
	return payload
}

func TestOverrideOfCreateNewSessionAddsToThePayloadInARequest(t *testing.T) {
	var s seen
	if err := initWith(&sessmodels.TypeInput{Override: docsOverride(&s, nil)}); err != nil {
		t.Fatalf("Init: %v", err)
	}
	srv := serveLogin(t)
	t.Run("header", func(t *testing.T) {
		login := do(t, srv, "POST", "/login")
		token := login.header.Get("st-access-token")
		if login.status != 200 || token == "" || login.header.Get("st-refresh-token") == "" || login.header.Get("front-token") == "" {
			t.Fatalf("login: %d %s %v", login.status, login.body, login.header)
		}
		if p := tokenPayload(t, token); p["customKey"] != "customValue" || p["role"] != "admin" {
			t.Fatalf("token payload: %v", p)
		}
		if p := jsonBody(t, login)["payload"].(map[string]interface{}); p["customKey"] != "customValue" {
			t.Fatalf("session's payload: %v", p)
		}
		got := do(t, srv, "GET", "/getJWT", "Authorization", "Bearer "+token)
		if got.status != 200 || jsonBody(t, got)["payload"].(map[string]interface{})["customKey"] != "customValue" {
			t.Fatalf("getJWT: %d %s", got.status, got.body)
		}
		// As supertokens-golang: the caller's user context as it is, without the request.
		last := s.last()
		if last.request != nil {
			t.Fatalf("the override saw the request in its user context: %v", last.request)
		}
		if last.userContext["from"] != "handler" || len(last.userContext) != 1 {
			t.Fatalf("the caller's user context was not passed as it is: %v", last.userContext)
		}
		if last.disableAntiCsrf == nil || !*last.disableAntiCsrf {
			t.Fatalf("disableAntiCsrf for headers: %v", last.disableAntiCsrf)
		}
	})
	t.Run("cookie", func(t *testing.T) {
		login := do(t, srv, "POST", "/login", "st-auth-mode", "cookie")
		at := cookie(login, "sAccessToken")
		if login.status != 200 || at == nil || at.Value == "" || cookie(login, "sRefreshToken") == nil {
			t.Fatalf("login: %d %s %v", login.status, login.body, login.header)
		}
		if p := tokenPayload(t, at.Value); p["customKey"] != "customValue" {
			t.Fatalf("token payload: %v", p)
		}
		if last := s.last(); last.disableAntiCsrf == nil || *last.disableAntiCsrf {
			t.Fatalf("disableAntiCsrf for cookies: %v", last.disableAntiCsrf)
		}
	})
}

func TestOverrideOfCreateNewSessionWithoutRequestResponse(t *testing.T) {
	var s seen
	if err := initWith(&sessmodels.TypeInput{Override: docsOverride(&s, nil), AntiCsrf: ptr("VIA_TOKEN")}); err != nil {
		t.Fatalf("Init: %v", err)
	}
	for _, disable := range []bool{false, true} {
		sess, err := session.CreateNewSessionWithoutRequestResponse("public", "user-2", nil, map[string]interface{}{"d": "x"}, &disable)
		if err != nil {
			t.Fatal(err)
		}
		tokens := sess.GetAllSessionTokensDangerously()
		if p := tokenPayload(t, tokens.AccessToken); p["customKey"] != "customValue" || p["sub"] != "user-2" {
			t.Fatalf("token payload: %v", p)
		}
		if (tokens.AntiCsrfToken == nil) != disable || tokens.RefreshToken == nil {
			t.Fatalf("disableAntiCsrf %v was not honoured: %+v", disable, tokens)
		}
		last := s.last()
		if last.request != nil || last.disableAntiCsrf == nil || *last.disableAntiCsrf != disable {
			t.Fatalf("override saw request %v, disableAntiCsrf %v", last.request, last.disableAntiCsrf)
		}
		if data, err := sess.GetSessionDataInDatabase(); err != nil || data["d"] != "x" {
			t.Fatalf("data: %v %v", data, err)
		}
	}
	// The caller's user context reaches the override.
	if _, err := session.CreateNewSessionWithoutRequestResponse("public", "user-2", nil, nil, nil, &map[string]interface{}{"k": "v"}); err != nil {
		t.Fatal(err)
	}
	if last := s.last(); last.userContext["k"] != "v" || last.calls != 3 {
		t.Fatalf("user context %v after %d calls", last.userContext, last.calls)
	}
}

func TestOverrideErrorReachesTheCaller(t *testing.T) {
	var s seen
	refused := errors.New("sign-ups are closed")
	if err := initWith(&sessmodels.TypeInput{Override: docsOverride(&s, refused)}); err != nil {
		t.Fatalf("Init: %v", err)
	}
	res := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/login", nil)
	sess, err := session.CreateNewSession(req, res, "public", "user-1", nil, nil)
	if !errors.Is(err, refused) || sess != nil {
		t.Fatalf("request-level: %v %v", sess, err)
	}
	if len(res.Header()) != 0 {
		t.Fatalf("tokens written for a refused session: %v", res.Header())
	}
	sess, err = session.CreateNewSessionWithoutRequestResponse("public", "user-1", nil, nil, nil)
	if !errors.Is(err, refused) || sess != nil {
		t.Fatalf("without request: %v %v", sess, err)
	}
	if handles, err := session.GetAllSessionHandlesForUser("user-1", nil); err != nil || len(handles) != 0 {
		t.Fatalf("sessions made: %v %v", handles, err)
	}
}

func TestOverrideGetsAWorkingOriginalImplementation(t *testing.T) {
	var original sessmodels.RecipeInterface
	err := initWith(&sessmodels.TypeInput{Override: &sessmodels.OverrideStruct{
		Functions: func(o sessmodels.RecipeInterface) sessmodels.RecipeInterface {
			original = o
			return o
		},
	}})
	if err != nil {
		t.Fatalf("Init: %v", err)
	}
	v := func(p interface{}) bool { return p != nil }
	for name, f := range map[string]bool{
		"CreateNewSession": v(*original.CreateNewSession), "GetSession": v(*original.GetSession),
		"RefreshSession": v(*original.RefreshSession), "RegenerateAccessToken": v(*original.RegenerateAccessToken),
		"GetClaimValue": v(*original.GetClaimValue), "RemoveClaim": v(*original.RemoveClaim),
	} {
		if !f {
			t.Fatalf("%s is nil", name)
		}
	}
	uc := &map[string]interface{}{}
	s, err := (*original.CreateNewSession)("user-3", map[string]interface{}{"a": "b"}, nil, nil, "public", uc)
	if err != nil {
		t.Fatal(err)
	}
	tokens := s.GetAllSessionTokensDangerously()
	got, err := (*original.GetSession)(&tokens.AccessToken, tokens.AntiCsrfToken, nil, uc)
	if err != nil || got.GetUserID() != "user-3" || got.GetAccessTokenPayload()["a"] != "b" {
		t.Fatalf("GetSession: %v %v", got, err)
	}
	if got, err := (*original.GetSession)(nil, nil, &sessmodels.VerifySessionOptions{SessionRequired: ptr(false)}, uc); got != nil || err != nil {
		t.Fatalf("GetSession without a token, not required: %v %v", got, err)
	}
	if _, err := (*original.GetSession)(nil, nil, nil, uc); !errors.Is(err, tessera.ErrUnauthorised) {
		t.Fatalf("GetSession without a token: %v", err)
	}
	refreshed, err := (*original.RefreshSession)(*tokens.RefreshToken, tokens.AntiCsrfToken, false, uc)
	if err != nil || refreshed.GetHandle() != s.GetHandle() {
		t.Fatalf("RefreshSession: %v", err)
	}
	if ok, err := (*original.MergeIntoAccessTokenPayload)(s.GetHandle(), map[string]interface{}{"c": "d"}, uc); !ok || err != nil {
		t.Fatalf("MergeIntoAccessTokenPayload: %v %v", ok, err)
	}
	if ok, err := (*original.UpdateSessionDataInDatabase)(s.GetHandle(), map[string]interface{}{"e": "f"}, uc); !ok || err != nil {
		t.Fatalf("UpdateSessionDataInDatabase: %v %v", ok, err)
	}
	info, err := (*original.GetSessionInformation)(s.GetHandle(), uc)
	if err != nil || info == nil || info.UserId != "user-3" || info.SessionDataInDatabase["e"] != "f" || info.CustomClaimsInAccessTokenPayload["c"] != "d" {
		t.Fatalf("GetSessionInformation: %+v %v", info, err)
	}
	handles, err := (*original.GetAllSessionHandlesForUser)("user-3", "public", nil, uc)
	if err != nil || len(handles) != 1 {
		t.Fatalf("GetAllSessionHandlesForUser: %v %v", handles, err)
	}
	if handles, err := (*original.GetAllSessionHandlesForUser)("user-3", "other", nil, uc); err != nil || len(handles) != 0 {
		t.Fatalf("GetAllSessionHandlesForUser in another tenant: %v %v", handles, err)
	}
	if handles, err := (*original.GetAllSessionHandlesForUser)("user-3", "other", ptr(true), uc); err != nil || len(handles) != 1 {
		t.Fatalf("GetAllSessionHandlesForUser across tenants: %v %v", handles, err)
	}
	if ok, err := (*original.RevokeSession)(s.GetHandle(), uc); !ok || err != nil {
		t.Fatalf("RevokeSession: %v %v", ok, err)
	}
	s2, _ := (*original.CreateNewSession)("user-3", nil, nil, nil, "public", uc)
	if revoked, err := (*original.RevokeMultipleSessions)([]string{s2.GetHandle(), "no-such"}, uc); err != nil || len(revoked) != 1 {
		t.Fatalf("RevokeMultipleSessions: %v %v", revoked, err)
	}
	(*original.CreateNewSession)("user-3", nil, nil, nil, "public", uc)
	if revoked, err := (*original.RevokeAllSessionsForUser)("user-3", "public", nil, uc); err != nil || len(revoked) != 1 {
		t.Fatalf("RevokeAllSessionsForUser: %v %v", revoked, err)
	}
	// The session was revoked above: the core answers nil, as supertokens-golang's does.
	if got, err := (*original.RegenerateAccessToken)(tokens.AccessToken, nil, uc); got != nil || err != nil {
		t.Fatalf("RegenerateAccessToken of a revoked session: %+v %v", got, err)
	}
	// The session was revoked above: the claim is not even looked at.
	if got, err := (*original.GetClaimValue)(s.GetHandle(), nil, uc); err != nil || got.OK != nil || got.SessionDoesNotExistError == nil {
		t.Fatalf("GetClaimValue of a revoked session: %+v %v", got, err)
	}
	// An override that replaces nothing leaves request-level creation as it was.
	srv := serveLogin(t)
	login := do(t, srv, "POST", "/login", "st-auth-mode", "cookie")
	if c := cookie(login, "sAccessToken"); login.status != 200 || c == nil || tokenPayload(t, c.Value)["role"] != "admin" {
		t.Fatalf("login: %d %s %v", login.status, login.body, login.header)
	}
}

func TestOverrideFunctionsLeftNilAreRefusedAtInit(t *testing.T) {
	start(t, nil) // Tessera stays initialised as it was when Init refuses.
	revokeOverride := &sessmodels.OverrideStruct{
		Functions: func(o sessmodels.RecipeInterface) sessmodels.RecipeInterface {
			originalRevoke := *o.RevokeSession
			*o.RevokeSession = func(sessionHandle string, userContext tessera.UserContext) (bool, error) {
				return originalRevoke(sessionHandle, userContext)
			}
			o.GetSessionInformation = nil
			return o
		},
	}
	// A replaced function is taken; one left nil would be a nil dereference on some request.
	err := initWith(&sessmodels.TypeInput{Override: revokeOverride})
	if !errors.Is(err, tessera.ErrInvalidConfig) || !strings.HasSuffix(err.Error(), "Override.Functions returned no GetSessionInformation") {
		t.Fatalf("Init with GetSessionInformation nil: %v", err)
	}
	// supertokens-golang would call a nil VerifySession on every protected route.
	var s seen
	apis := docsOverride(&s, nil)
	apis.APIs = func(o sessmodels.APIInterface) sessmodels.APIInterface {
		o.VerifySession = nil
		return o
	}
	err = initWith(&sessmodels.TypeInput{Override: apis})
	if !errors.Is(err, tessera.ErrInvalidConfig) || !strings.Contains(err.Error(), "Override.APIs returned no VerifySession") {
		t.Fatalf("Init with APIs without VerifySession: %v", err)
	}
	if s.last().calls != 0 {
		t.Fatal("a refused override was used")
	}
	if _, err := session.CreateNewSessionWithoutRequestResponse("public", "user-1", nil, nil, nil); err != nil || s.last().calls != 0 {
		t.Fatalf("after a refused Init: %v, %d override calls", err, s.last().calls)
	}
}

func TestTheResponseIsOnlyUsedDuringTheRequestLevelCall(t *testing.T) {
	var kept tessera.UserContext
	var original func(string, map[string]interface{}, map[string]interface{}, *bool, string, tessera.UserContext) (sessmodels.SessionContainer, error)
	freshContext := false
	err := initWith(&sessmodels.TypeInput{Override: &sessmodels.OverrideStruct{
		Functions: func(o sessmodels.RecipeInterface) sessmodels.RecipeInterface {
			original = *o.CreateNewSession
			*o.CreateNewSession = func(userID string, accessTokenPayload map[string]interface{}, sessionDataInDatabase map[string]interface{}, disableAntiCsrf *bool, tenantId string, userContext tessera.UserContext) (sessmodels.SessionContainer, error) {
				kept = userContext
				if freshContext {
					// A context without the request: the session is made without one.
					userContext = &map[string]interface{}{}
				}
				return original(userID, accessTokenPayload, sessionDataInDatabase, disableAntiCsrf, tenantId, userContext)
			}
			return o
		},
	}})
	if err != nil {
		t.Fatalf("Init: %v", err)
	}
	res := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/login", nil)
	if _, err := session.CreateNewSession(req, res, "public", "user-1", nil, nil); err != nil || res.Header().Get("st-access-token") == "" {
		t.Fatalf("login: %v %v", err, res.Header())
	}
	// The same context after the call: it still holds the request, but not the call's response.
	before := res.Header().Clone()
	s, err := original("user-1", nil, nil, nil, "public", kept)
	if err != nil || s.GetAllSessionTokensDangerously().AccessToken == "" {
		t.Fatalf("create with a kept context: %v", err)
	}
	if tessera.GetRequestFromUserContext(kept) != req || len(res.Header()) != len(before) || res.Header().Get("st-access-token") != before.Get("st-access-token") {
		t.Fatalf("the response was written after its call: %v", res.Header())
	}
	// An override handing the original a context of its own gets a session made without the
	// request, which is then attached to the response through its
	// AttachToRequestResponseWithContext, as supertokens-golang attaches every session.
	freshContext = true
	res = httptest.NewRecorder()
	s, err = session.CreateNewSession(req, res, "public", "user-1", nil, nil)
	if err != nil || s == nil || res.Header().Get("st-access-token") != s.GetAccessToken() || res.Header().Get("st-refresh-token") == "" {
		t.Fatalf("login with a context of the override's: %v %v", err, res.Header())
	}
}
