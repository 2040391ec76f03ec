// Package exampletest is what the router examples share in their tests: Init on a private
// store, a sign-in handler, and the checks every router must pass.
package exampletest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/supertokens"
)

// Init initialises Tessera on a private in-memory store.
func Init(t *testing.T) {
	t.Helper()
	err := supertokens.Init(supertokens.TypeInput{
		Supertokens: &supertokens.ConnectionInfo{ConnectionURI: "sqlite::memory:"},
		AppInfo:     supertokens.AppInfo{AppName: "example", APIDomain: "http://localhost:3001", WebsiteDomain: "http://localhost:3000"},
		RecipeList:  []supertokens.Recipe{session.Init(nil)},
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Login signs user-1 in: a session whose tokens go out on the transport the request asks for.
func Login(w http.ResponseWriter, r *http.Request) {
	if _, err := session.CreateNewSession(r, w, "public", "user-1", nil, nil); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Write([]byte(`{"status":"OK"}`))
}

// GetJWT answers the session's access token.
func GetJWT(w http.ResponseWriter, r *http.Request) {
	s := session.GetSessionFromRequestContext(r.Context())
	json.NewEncoder(w).Encode(map[string]string{"token": s.GetAccessToken()})
}

func call(t *testing.T, h http.Handler, method, path string, headers ...string) *http.Response {
	t.Helper()
	r := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Result()
}

// Check runs the seed flow on a router that serves POST /login and GET /getJWT behind
// supertokens.Middleware: sign in, read the token back, be refused without one, refresh.
func Check(t *testing.T, h http.Handler) {
	t.Helper()
	login := call(t, h, "POST", "/login")
	token, refresh := login.Header.Get("st-access-token"), login.Header.Get("st-refresh-token")
	if login.StatusCode != 200 || token == "" || refresh == "" {
		t.Fatalf("login: %d %v", login.StatusCode, login.Header)
	}
	got := call(t, h, "GET", "/getJWT", "Authorization", "Bearer "+token)
	var body map[string]string
	raw, _ := io.ReadAll(got.Body)
	if json.Unmarshal(raw, &body); got.StatusCode != 200 || body["token"] != token {
		t.Fatalf("getJWT: %d %s", got.StatusCode, raw)
	}
	denied := call(t, h, "GET", "/getJWT")
	raw, _ = io.ReadAll(denied.Body)
	if denied.StatusCode != 401 || string(raw) != `{"message":"unauthorised"}` {
		t.Fatalf("without a session: %d %s", denied.StatusCode, raw)
	}
	refreshed := call(t, h, "POST", "/auth/session/refresh", "Authorization", "Bearer "+refresh, "rid", "session")
	if refreshed.StatusCode != 200 || refreshed.Header.Get("st-refresh-token") == "" {
		t.Fatalf("refresh through the middleware: %d %v", refreshed.StatusCode, refreshed.Header)
	}
}
