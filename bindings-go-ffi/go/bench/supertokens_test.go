package bench

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/supertokens/supertokens-golang/recipe/session"
	"github.com/supertokens/supertokens-golang/recipe/session/sessmodels"
	"github.com/supertokens/supertokens-golang/supertokens"
)

// supertokens-golang, verifying Tessera's token with Tessera's keys: its core is a stub that
// serves Tessera's JWKS. Its Init is global and once per process, so it happens on the
// first of these benchmarks only; this file sorts after the others, so within one run of
// the whole set they all run before it (bench-go.sh also runs them in a process of their
// own).

// coreStub answers what supertokens-golang asks its core for on the verify path and counts
// the requests, so that a call while timed shows up in the results.
type coreStub struct {
	srv   *httptest.Server
	calls atomic.Int64
}

func newCoreStub(jwks []byte) *coreStub {
	c := &coreStub{}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/.well-known/jwks.json":
			w.Write(jwks)
		case "/apiversion":
			w.Write([]byte(`{"versions":["3.1"]}`))
		default:
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"message":"not served by the bench stub"}`))
		}
	}))
	return c
}

type stFixture struct {
	core *coreStub
	app  http.Handler
}

var stSetup = sync.OnceValue(func() *stFixture {
	f := setup()
	core := newCoreStub(f.jwks)
	err := supertokens.Init(supertokens.TypeInput{
		Supertokens: &supertokens.ConnectionInfo{ConnectionURI: core.srv.URL},
		AppInfo:     supertokens.AppInfo{AppName: "bench", APIDomain: "http://localhost:3001", WebsiteDomain: "http://localhost:3000"},
		RecipeList:  []supertokens.Recipe{session.Init(nil)},
	})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/getJWT", session.VerifySession(nil, getJWT(func(r *http.Request) string {
		return session.GetSessionFromRequestContext(r.Context()).GetAccessToken()
	})))
	return &stFixture{core: core, app: supertokens.Middleware(mux)}
})

// timedCoreCalls reports how many requests the stub core answered while b was timed (the
// warm-up call before it fetches the JWKS).
func timedCoreCalls(b *testing.B, core *coreStub, run func()) {
	before := core.calls.Load()
	run()
	b.StopTimer()
	b.ReportMetric(float64(core.calls.Load()-before), "core-calls")
}

func BenchmarkSupertokensVerify(b *testing.B) {
	f, st := setup(), stSetup()
	off, on := false, true
	options := &sessmodels.VerifySessionOptions{AntiCsrfCheck: &off, SessionRequired: &on}
	if _, err := session.GetSessionWithoutRequestResponse(f.token, nil, options); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	timedCoreCalls(b, st.core, func() {
		for i := 0; i < b.N; i++ {
			if _, err := session.GetSessionWithoutRequestResponse(f.token, nil, options); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// warmUp sends one /getJWT request outside the timing, so that supertokens-golang fetches
// the JWKS before it.
func warmUp(b *testing.B, h http.Handler, token string) {
	r := httptest.NewRequest("GET", "/getJWT", nil)
	r.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		b.Fatalf("status %d: %s", w.Code, w.Body)
	}
}

func BenchmarkSupertokensGetJWTHandler(b *testing.B) {
	f, st := setup(), stSetup()
	warmUp(b, st.app, f.token)
	timedCoreCalls(b, st.core, func() { handlerBench(b, st.app, f.token) })
}

func BenchmarkSupertokensGetJWT(b *testing.B) {
	f, st := setup(), stSetup()
	warmUp(b, st.app, f.token)
	timedCoreCalls(b, st.core, func() { serve(b, st.app, f.token) })
}
