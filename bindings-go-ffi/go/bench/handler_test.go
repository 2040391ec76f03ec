package bench

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// The /getJWT handlers called directly, without a connection or a client: what Tessera adds
// to one request on the server (Middleware, VerifySession, the SessionContainer), which the
// net/http benchmarks blur with the client's and the network's work on a small machine.

// discard is a ResponseWriter that keeps nothing.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

func handlerBench(b *testing.B, h http.Handler, token string) {
	r := httptest.NewRequest("GET", "/getJWT", nil)
	r.Header.Set("Authorization", "Bearer "+token)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h.ServeHTTP(&discard{h: http.Header{}}, r)
	}
}

func BenchmarkGetJWTHandlerBare(b *testing.B) {
	f := setup()
	mux := http.NewServeMux()
	mux.Handle("/getJWT", getJWT(func(*http.Request) string { return f.token }))
	handlerBench(b, mux, f.token)
}

func BenchmarkGetJWTHandlerTessera(b *testing.B) {
	f := setup()
	handlerBench(b, f.app, f.token)
}
