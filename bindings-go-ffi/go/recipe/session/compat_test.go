package session_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/claims"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/sessmodels"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/supertokens"
)

// The docs' hand-written VerifySession stores the session under sessmodels.SessionContext,
// where GetSessionFromRequestContext reads it; session.VerifySession stores it there too.
func TestSessionContextIsTheRequestContextKey(t *testing.T) {
	srv := start(t, nil)
	token := do(t, srv, "POST", "/login").header.Get("st-access-token")

	handWritten := func(otherHandler http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			s, err := session.GetSession(r, w, nil)
			if err != nil {
				t.Fatal(err)
			}
			otherHandler(w, r.WithContext(context.WithValue(r.Context(), sessmodels.SessionContext, s)))
		}
	}
	var got, stored sessmodels.SessionContainer
	req := httptest.NewRequest("GET", "/x", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	handWritten(func(w http.ResponseWriter, r *http.Request) {
		got = session.GetSessionFromRequestContext(r.Context())
	})(httptest.NewRecorder(), req)
	if got == nil || got.GetUserID() != "user-1" {
		t.Fatalf("GetSessionFromRequestContext after the docs' VerifySession: %v", got)
	}
	session.VerifySession(nil, func(w http.ResponseWriter, r *http.Request) {
		stored, _ = r.Context().Value(sessmodels.SessionContext).(sessmodels.SessionContainer)
	})(httptest.NewRecorder(), req)
	if stored == nil || stored.GetUserID() != "user-1" {
		t.Fatalf("session.VerifySession's session under sessmodels.SessionContext: %v", stored)
	}
}

// A session's AttachToRequestResponse writes its tokens on the transport it is given, and the
// WithContext one puts the request in the user context, as supertokens-golang's do.
func TestAttachToRequestResponseWritesTheTokens(t *testing.T) {
	start(t, nil)
	s, err := session.CreateNewSessionWithoutRequestResponse("public", "user-1", nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("POST", "/login", nil)
	rec := httptest.NewRecorder()
	uc := &map[string]interface{}{}
	if err := s.AttachToRequestResponseWithContext(sessmodels.RequestResponseInfo{Res: rec, Req: req, TokenTransferMethod: sessmodels.CookieTransferMethod}, uc); err != nil {
		t.Fatal(err)
	}
	res := rec.Result()
	var access string
	for _, c := range res.Cookies() {
		if c.Name == "sAccessToken" {
			access = c.Value
		}
	}
	if access != s.GetAccessToken() || res.Header.Get("front-token") == "" || res.Header.Get("st-access-token") != "" {
		t.Fatalf("attached as cookies: %v", res.Header)
	}
	if supertokens.GetRequestFromUserContext(uc) != req {
		t.Fatal("the request is not in the user context")
	}
	rec = httptest.NewRecorder()
	if err := s.AttachToRequestResponse(sessmodels.RequestResponseInfo{Res: rec, Req: req, TokenTransferMethod: sessmodels.HeaderTransferMethod}); err != nil {
		t.Fatal(err)
	}
	if rec.Header().Get("st-access-token") != s.GetAccessToken() || rec.Header().Get("st-refresh-token") == "" || len(rec.Result().Cookies()) != 0 {
		t.Fatalf("attached as headers: %v", rec.Header())
	}
}

// A CreateNewSession override returning a session of its own (the docs' user-context page)
// has it attached through its AttachToRequestResponse, given the request, its response and
// the transport the request asked for.
func TestCreateNewSessionAttachesAnOverridesSession(t *testing.T) {
	var infos []sessmodels.RequestResponseInfo
	err := initWith(withFunctions(nil, func(o sessmodels.RecipeInterface) sessmodels.RecipeInterface {
		original := *o.CreateNewSession
		*o.CreateNewSession = func(userID string, accessTokenPayload, sessionDataInDatabase map[string]interface{}, disableAntiCsrf *bool, tenantId string, userContext supertokens.UserContext) (sessmodels.SessionContainer, error) {
			if _, isSignUp := (*userContext)["isSignUp"]; isSignUp {
				return &sessmodels.TypeSessionContainer{
					GetUserID:                      func() string { return "" },
					GetAllSessionTokensDangerously: func() sessmodels.SessionTokens { return sessmodels.SessionTokens{} },
					AssertClaims:                   func([]claims.SessionClaimValidator) error { return nil },
					AttachToRequestResponse: func(info sessmodels.RequestResponseInfo) error {
						infos = append(infos, info)
						return nil
					},
				}, nil
			}
			return original(userID, accessTokenPayload, sessionDataInDatabase, disableAntiCsrf, tenantId, userContext)
		}
		return o
	}))
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("POST", "/signup", nil)
	req.Header.Set("st-auth-mode", "cookie")
	rec := httptest.NewRecorder()
	if _, err := session.CreateNewSession(req, rec, "public", "user-1", nil, nil, &map[string]interface{}{"isSignUp": true}); err != nil {
		t.Fatal(err)
	}
	if len(infos) != 1 || infos[0].Req != req || infos[0].Res != rec || infos[0].TokenTransferMethod != sessmodels.CookieTransferMethod {
		t.Fatalf("attached with %+v", infos)
	}
	if len(rec.Header()) != 0 {
		t.Fatalf("Tessera wrote tokens for a session it did not make: %v", rec.Header())
	}
}

// As supertokens-golang's, a request-level CreateNewSession hands the recipe's CreateNewSession
// the caller's user context as it is (an empty one if none), without the request in it; the
// session's attaching puts the request there afterwards.
func TestCreateNewSessionHandsTheUserContextOnAsItIs(t *testing.T) {
	type call struct {
		request     *http.Request
		userContext supertokens.UserContext
		keys        int
	}
	var calls []call
	err := initWith(withFunctions(nil, func(o sessmodels.RecipeInterface) sessmodels.RecipeInterface {
		original := *o.CreateNewSession
		*o.CreateNewSession = func(userID string, accessTokenPayload, sessionDataInDatabase map[string]interface{}, disableAntiCsrf *bool, tenantId string, userContext supertokens.UserContext) (sessmodels.SessionContainer, error) {
			calls = append(calls, call{supertokens.GetRequestFromUserContext(userContext), userContext, len(*userContext)})
			return original(userID, accessTokenPayload, sessionDataInDatabase, disableAntiCsrf, tenantId, userContext)
		}
		return o
	}))
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("POST", "/login", nil)
	rec := httptest.NewRecorder()
	if _, err := session.CreateNewSession(req, rec, "public", "user-1", nil, nil); err != nil || rec.Header().Get("st-access-token") == "" {
		t.Fatalf("login: %v %v", err, rec.Header())
	}
	uc := &map[string]interface{}{"isSignUp": true}
	rec = httptest.NewRecorder()
	if _, err := session.CreateNewSession(req, rec, "public", "user-1", nil, nil, uc); err != nil || rec.Header().Get("st-access-token") == "" {
		t.Fatalf("login with a user context: %v %v", err, rec.Header())
	}
	if len(calls) != 2 || calls[0].request != nil || calls[0].keys != 0 || calls[1].request != nil || calls[1].userContext != uc || calls[1].keys != 1 {
		t.Fatalf("the override saw %+v", calls)
	}
	if supertokens.GetRequestFromUserContext(uc) != req {
		t.Fatal("attaching the session did not put the request in the caller's user context")
	}
}

// APIOptions.Config is supertokens-golang's normalised configuration, with the values the
// core uses: defaults applied, cookie attributes and status codes as it writes them.
func TestAPIOptionsConfigIsTheNormalisedConfiguration(t *testing.T) {
	var config sessmodels.TypeNormalisedInput
	capture := func(o sessmodels.APIInterface) sessmodels.APIInterface {
		original := *o.VerifySession
		*o.VerifySession = func(verifySessionOptions *sessmodels.VerifySessionOptions, options sessmodels.APIOptions, userContext supertokens.UserContext) (sessmodels.SessionContainer, error) {
			config = options.Config
			return original(verifySessionOptions, options, userContext)
		}
		return o
	}
	verify := func(t *testing.T, appInfo supertokens.AppInfo, options *sessmodels.TypeInput) *httptest.ResponseRecorder {
		t.Helper()
		err := supertokens.Init(supertokens.TypeInput{
			Supertokens: &supertokens.ConnectionInfo{ConnectionURI: "sqlite::memory:"},
			AppInfo:     appInfo,
			RecipeList:  []supertokens.Recipe{session.Init(withAPIs(options, capture))},
		})
		if err != nil {
			t.Fatal(err)
		}
		config = sessmodels.TypeNormalisedInput{}
		rec := httptest.NewRecorder()
		session.VerifySession(nil, func(http.ResponseWriter, *http.Request) {})(rec, httptest.NewRequest("GET", "/x", nil))
		return rec
	}

	t.Run("cross-site", func(t *testing.T) {
		rec := verify(t, supertokens.AppInfo{AppName: "a", APIDomain: "https://api.example.com", WebsiteDomain: "https://example.org"},
			&sessmodels.TypeInput{CookieDomain: ptr(".example.com"), SessionExpiredStatusCode: ptr(440)})
		sameSite, err := config.GetCookieSameSite(nil, &map[string]interface{}{})
		if rec.Code != 440 || !config.CookieSecure || err != nil || sameSite != "none" || config.SessionExpiredStatusCode != 440 ||
			config.InvalidClaimStatusCode != 403 || config.CookieDomain == nil || *config.CookieDomain != ".example.com" ||
			config.RefreshTokenPath.GetAsStringDangerous() != "/auth/session/refresh" ||
			config.AntiCsrfFunctionOrString.StrValue != "VIA_CUSTOM_HEADER" || !config.UseDynamicAccessTokenSigningKey ||
			config.JWKSRefreshIntervalSec != 14400 || config.Override.APIs == nil {
			t.Fatalf("answered %d; config %+v, SameSite %q", rec.Code, config, sameSite)
		}
		if m := config.GetTokenTransferMethod(nil, true, &map[string]interface{}{}); m != sessmodels.AnyTransferMethod {
			t.Fatalf("GetTokenTransferMethod: %q", m)
		}
		// The error handlers the application did not give answer as the protocol does.
		rec = httptest.NewRecorder()
		if err := config.ErrorHandlers.OnUnauthorised("no session", httptest.NewRequest("GET", "/x", nil), rec); err != nil || rec.Code != 440 {
			t.Fatalf("OnUnauthorised: %v, %d", err, rec.Code)
		}
		rec = httptest.NewRecorder()
		if err := config.ErrorHandlers.OnInvalidClaim(nil, httptest.NewRequest("GET", "/x", nil), rec); err != nil || rec.Code != 403 {
			t.Fatalf("OnInvalidClaim: %v, %d", err, rec.Code)
		}
	})
	t.Run("local", func(t *testing.T) {
		var seen string
		verify(t, supertokens.AppInfo{AppName: "a", APIDomain: "http://localhost:3001"}, &sessmodels.TypeInput{
			AntiCsrf: ptr("VIA_TOKEN"), TokenTransferMethod: sessmodels.HeaderTransferMethod,
			ErrorHandlers: &sessmodels.ErrorHandlers{OnTryRefreshToken: func(message string, _ *http.Request, _ http.ResponseWriter) error {
				seen = message
				return nil
			}},
		})
		sameSite, _ := config.GetCookieSameSite(nil, &map[string]interface{}{})
		if config.CookieSecure || sameSite != "lax" || config.CookieDomain != nil || config.SessionExpiredStatusCode != 401 ||
			config.AntiCsrfFunctionOrString.StrValue != "VIA_TOKEN" {
			t.Fatalf("config %+v, SameSite %q", config, sameSite)
		}
		if m := config.GetTokenTransferMethod(nil, false, &map[string]interface{}{}); m != sessmodels.HeaderTransferMethod {
			t.Fatalf("GetTokenTransferMethod: %q", m)
		}
		if err := config.ErrorHandlers.OnTryRefreshToken("stale", nil, nil); err != nil || seen != "stale" {
			t.Fatalf("the application's OnTryRefreshToken: %v, %q", err, seen)
		}
	})
}
