package session_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/sessmodels"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/tessera"
)

// GetTokenTransferMethod is asked per request: here mobile clients (X-Client: mobile) use
// headers only and everyone else cookies only, whatever st-auth-mode says.
func TestGetTokenTransferMethodDecidesPerRequest(t *testing.T) {
	var mu sync.Mutex
	calls := map[string][]bool{}
	srv := start(t, &sessmodels.TypeInput{
		GetTokenTransferMethod: func(req *http.Request, forCreateNewSession bool, userContext tessera.UserContext) sessmodels.TokenTransferMethod {
			if userContext == nil {
				t.Errorf("%s: nil user context", req.URL.Path)
			}
			mu.Lock()
			calls[req.URL.Path] = append(calls[req.URL.Path], forCreateNewSession)
			mu.Unlock()
			if req.Header.Get("X-Client") == "mobile" {
				return sessmodels.HeaderTransferMethod
			}
			return sessmodels.CookieTransferMethod
		},
	})

	// st-auth-mode asks for the other transport each time; the function wins.
	mobile := do(t, srv, "POST", "/login", "X-Client", "mobile", "st-auth-mode", "cookie")
	token, refresh := mobile.header.Get("st-access-token"), mobile.header.Get("st-refresh-token")
	if mobile.status != 200 || token == "" || refresh == "" || cookie(mobile, "sAccessToken") != nil {
		t.Fatalf("mobile login: %d %v", mobile.status, mobile.header)
	}
	web := do(t, srv, "POST", "/login", "st-auth-mode", "header")
	webToken := cookie(web, "sAccessToken")
	if web.status != 200 || webToken == nil || web.header.Get("st-access-token") != "" {
		t.Fatalf("web login: %d %v", web.status, web.header)
	}

	// A mobile request's cookie is ignored, its header is read.
	expectMessage(t, do(t, srv, "GET", "/getJWT", "X-Client", "mobile", "Cookie", "sAccessToken="+token), 401, "unauthorised")
	if got := do(t, srv, "GET", "/getJWT", "X-Client", "mobile", "Authorization", "Bearer "+token); got.status != 200 || jsonBody(t, got)["token"] != token {
		t.Fatalf("mobile getJWT: %d %s", got.status, got.body)
	}
	// A web request's header is ignored, its cookie is read.
	expectMessage(t, do(t, srv, "GET", "/getJWT", "Authorization", "Bearer "+token), 401, "unauthorised")
	if got := do(t, srv, "GET", "/getJWT", "Cookie", "sAccessToken="+webToken.Value); got.status != 200 || jsonBody(t, got)["token"] != webToken.Value {
		t.Fatalf("web getJWT: %d %s", got.status, got.body)
	}

	// The refresh endpoint (served by Middleware) asks too: mobile refreshes by header.
	refreshed := do(t, srv, "POST", "/auth/session/refresh", "X-Client", "mobile", "Authorization", "Bearer "+refresh, "rid", "session")
	newToken := refreshed.header.Get("st-access-token")
	if refreshed.status != 200 || newToken == "" || newToken == token || cookie(refreshed, "sAccessToken") != nil {
		t.Fatalf("mobile refresh: %d %s %v", refreshed.status, refreshed.body, refreshed.header)
	}
	if got := do(t, srv, "GET", "/getJWT", "X-Client", "mobile", "Authorization", "Bearer "+newToken); got.status != 200 {
		t.Fatalf("refreshed token: %d %s", got.status, got.body)
	}

	mu.Lock()
	defer mu.Unlock()
	for path, want := range map[string]bool{"/login": true, "/getJWT": false, "/auth/session/refresh": false} {
		if len(calls[path]) == 0 {
			t.Errorf("%s: GetTokenTransferMethod was not called", path)
		}
		for _, got := range calls[path] {
			if got != want {
				t.Errorf("%s: forCreateNewSession %v, want %v", path, got, want)
			}
		}
	}
}

// A value that is not a transfer method is the application's mistake: a 500 through
// OnSuperTokensAPIError, never a silent fallback.
func TestGetTokenTransferMethodMustReturnAMethod(t *testing.T) {
	srv := start(t, &sessmodels.TypeInput{
		GetTokenTransferMethod: func(*http.Request, bool, tessera.UserContext) sessmodels.TokenTransferMethod {
			return "pigeon"
		},
	})
	if got := do(t, srv, "GET", "/getJWT", "Authorization", "Bearer x"); got.status != 500 {
		t.Fatalf("verify: %d %s", got.status, got.body)
	}
	if got := do(t, srv, "POST", "/login"); got.status != 500 {
		t.Fatalf("create: %d %s", got.status, got.body)
	}
}
