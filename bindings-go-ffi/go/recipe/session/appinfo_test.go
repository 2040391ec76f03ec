package session_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/sessmodels"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/tessera"
)

// startApp is a cookie-only app with appInfo: Middleware and a /login route.
func startApp(t *testing.T, appInfo tessera.AppInfo) *httptest.Server {
	t.Helper()
	cookieOnly := func(*http.Request, bool, tessera.UserContext) sessmodels.TokenTransferMethod {
		return sessmodels.CookieTransferMethod
	}
	err := tessera.Init(tessera.TypeInput{
		Supertokens: &tessera.ConnectionInfo{ConnectionURI: "sqlite::memory:"},
		AppInfo:     appInfo,
		RecipeList:  []tessera.Recipe{session.Init(&sessmodels.TypeInput{GetTokenTransferMethod: cookieOnly})},
	})
	if err != nil {
		t.Fatalf("Init: %v", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		if _, err := session.CreateNewSession(r, w, "public", "user-1", nil, nil); err != nil {
			http.Error(w, err.Error(), 500)
		}
	})
	srv := httptest.NewServer(tessera.Middleware(mux))
	t.Cleanup(srv.Close)
	return srv
}

// The SuperTokens docs' serverless setup: the gateway strips its stage ("/dev") before the app
// sees a request, so routes match without it; the refresh cookie's path carries it.
func TestAPIGatewayPathIsOnTheRefreshCookieNotOnTheRoutes(t *testing.T) {
	gateway, base := "/dev", "/auth"
	srv := startApp(t, tessera.AppInfo{AppName: "test", APIDomain: "http://localhost:3001", WebsiteDomain: "http://localhost:3000",
		APIBasePath: &base, APIGatewayPath: &gateway})
	login := do(t, srv, "POST", "/login")
	refreshCookie := cookie(login, "sRefreshToken")
	if login.status != 200 || refreshCookie == nil || refreshCookie.Path != "/dev/auth/session/refresh" {
		t.Fatalf("login: %d %v", login.status, login.header)
	}
	if access := cookie(login, "sAccessToken"); access == nil || access.Path != "/" {
		t.Fatalf("access cookie: %v", login.header)
	}
	refreshed := do(t, srv, "POST", "/auth/session/refresh", "Cookie", "sRefreshToken="+refreshCookie.Value, "rid", "session")
	if rotated := cookie(refreshed, "sRefreshToken"); refreshed.status != 200 || rotated == nil || rotated.Path != "/dev/auth/session/refresh" {
		t.Fatalf("refresh: %d %s %v", refreshed.status, refreshed.body, refreshed.header)
	}
}

// Origin wins over WebsiteDomain and GetOrigin over both, as in supertokens-golang; GetOrigin
// is asked once without a request, and one that needs a request leaves the website unknown.
func TestOriginAndGetOriginDecideTheDefaultSameSite(t *testing.T) {
	sameSite := func(appInfo tessera.AppInfo) http.SameSite {
		t.Helper()
		srv := startApp(t, appInfo)
		access := cookie(do(t, srv, "POST", "/login"), "sAccessToken")
		if access == nil {
			t.Fatalf("%+v: no access cookie", appInfo)
		}
		return access.SameSite
	}
	base := tessera.AppInfo{AppName: "test", APIDomain: "https://api.example.com"}
	withSite := func(change func(*tessera.AppInfo)) tessera.AppInfo {
		a := base
		change(&a)
		return a
	}
	if got := sameSite(withSite(func(a *tessera.AppInfo) { a.WebsiteDomain = "https://example.com" })); got != http.SameSiteLaxMode {
		t.Fatalf("websiteDomain same site: %v", got)
	}
	if got := sameSite(withSite(func(a *tessera.AppInfo) { a.WebsiteDomain, a.Origin = "https://example.com", "https://other.org" })); got != http.SameSiteNoneMode {
		t.Fatalf("origin across sites: %v", got)
	}
	var asked []*http.Request
	getOrigin := func(r *http.Request, userContext tessera.UserContext) (string, error) {
		asked = append(asked, r)
		if userContext == nil {
			t.Error("nil user context")
		}
		return "https://other.org", nil
	}
	if got := sameSite(withSite(func(a *tessera.AppInfo) { a.Origin, a.GetOrigin = "https://example.com", getOrigin })); got != http.SameSiteNoneMode {
		t.Fatalf("GetOrigin across sites: %v", got)
	}
	if len(asked) != 1 || asked[0] != nil {
		t.Fatalf("GetOrigin asked %v, want once with nil", asked)
	}
	needsRequest := func(r *http.Request, _ tessera.UserContext) (string, error) { return r.Header.Get("Origin"), nil }
	failing := func(*http.Request, tessera.UserContext) (string, error) { return "", errors.New("no request") }
	for _, f := range []func(*http.Request, tessera.UserContext) (string, error){needsRequest, failing} {
		if got := sameSite(withSite(func(a *tessera.AppInfo) { a.GetOrigin = f })); got != http.SameSiteLaxMode {
			t.Fatalf("GetOrigin without an answer: %v", got)
		}
	}
}
