package supertokens_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/supertokens"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/tessera"
)

// supertokens-golang's options that do nothing in Tessera are accepted, so that its Init
// builds unchanged; NetworkInterceptor is never called (there are no core calls).
func TestInitAcceptsSupertokensGolangOnlyOptions(t *testing.T) {
	off := false
	err := supertokens.Init(supertokens.TypeInput{
		Supertokens: &supertokens.ConnectionInfo{
			ConnectionURI: "sqlite::memory:",
			NetworkInterceptor: func(r *http.Request, _ supertokens.UserContext) (*http.Request, error) {
				t.Error("NetworkInterceptor called")
				return r, nil
			},
			DisableCoreCallCache: true,
		},
		AppInfo:    supertokens.AppInfo{AppName: "test", APIDomain: "http://localhost:3001"},
		RecipeList: []supertokens.Recipe{session.Init(nil)},
		Debug:      true,
		Telemetry:  &off,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := session.CreateNewSessionWithoutRequestResponse("public", "user-1", nil, nil, nil); err != nil {
		t.Fatal(err)
	}
}

// As supertokens-golang's, Middleware(nil) serves the SDK's endpoints and answers every other
// request with an empty 200 rather than panicking.
func TestMiddlewareWithoutAHandler(t *testing.T) {
	err := supertokens.Init(supertokens.TypeInput{
		Supertokens: &supertokens.ConnectionInfo{ConnectionURI: "sqlite::memory:"},
		AppInfo:     supertokens.AppInfo{AppName: "test", APIDomain: "http://localhost:3001"},
		RecipeList:  []supertokens.Recipe{session.Init(nil)},
	})
	if err != nil {
		t.Fatal(err)
	}
	h := supertokens.Middleware(nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/not/an/api", nil))
	if rec.Code != 200 || rec.Body.Len() != 0 {
		t.Fatalf("a non-API path: %d %q", rec.Code, rec.Body.String())
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/auth/jwt/jwks.json", nil))
	if rec.Code != 200 || rec.Body.Len() == 0 {
		t.Fatalf("the JWKS: %d %q", rec.Code, rec.Body.String())
	}
}

// Package tessera is package supertokens under another name: the same types, so that values
// of one are values of the other, and the same engine behind both.
func TestTesseraIsSupertokens(t *testing.T) {
	var input tessera.TypeInput = supertokens.TypeInput{
		Supertokens: &tessera.ConnectionInfo{ConnectionURI: "sqlite::memory:"},
		AppInfo:     supertokens.AppInfo{AppName: "test", APIDomain: "http://localhost:3001"},
		RecipeList:  []tessera.Recipe{session.Init(nil)},
	}
	if err := tessera.Init(input); err != nil {
		t.Fatal(err)
	}
	var uc supertokens.UserContext = tessera.MakeDefaultUserContextFromAPI(httptest.NewRequest("GET", "/x", nil))
	if supertokens.GetRequestFromUserContext(uc) == nil {
		t.Fatal("the request is not where the other package puts it")
	}
	rec := httptest.NewRecorder()
	supertokens.Middleware(nil).ServeHTTP(rec, httptest.NewRequest("GET", "/auth/jwt/jwks.json", nil))
	if rec.Code != 200 {
		t.Fatalf("supertokens.Middleware after tessera.Init: %d", rec.Code)
	}
	if len(supertokens.GetAllCORSHeaders()) == 0 || len(tessera.GetAllCORSHeaders()) != len(supertokens.GetAllCORSHeaders()) {
		t.Fatal("CORS headers differ")
	}
}
