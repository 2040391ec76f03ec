package bench

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/cffi"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/httpx"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/sessmodels"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/tessera"
)

// fixture is one Tessera engine, one of its access tokens and its public keys.
type fixture struct {
	token string
	jwks  []byte
	keys  map[string]*rsa.PublicKey
	app   http.Handler
}

var setup = sync.OnceValue(func() *fixture {
	err := tessera.Init(tessera.TypeInput{
		Supertokens: &tessera.ConnectionInfo{ConnectionURI: "sqlite::memory:"},
		AppInfo:     tessera.AppInfo{AppName: "bench", APIDomain: "http://localhost:3001", WebsiteDomain: "http://localhost:3000"},
		RecipeList:  []tessera.Recipe{session.Init(nil)},
	})
	if err != nil {
		panic(err)
	}
	s, err := session.CreateNewSessionWithoutRequestResponse("public", "user-1", nil, nil, nil)
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/getJWT", session.VerifySession(nil, getJWT(func(r *http.Request) string {
		return session.GetSessionFromRequestContext(r.Context()).GetAccessToken()
	})))
	app := tessera.Middleware(mux)
	w := httptest.NewRecorder()
	app.ServeHTTP(w, httptest.NewRequest("GET", "/auth/jwt/jwks.json", nil))
	f := &fixture{token: s.GetAccessToken(), jwks: w.Body.Bytes(), keys: map[string]*rsa.PublicKey{}, app: app}
	var doc struct {
		Keys []struct{ Kid, N, E string } `json:"keys"`
	}
	if err := json.Unmarshal(f.jwks, &doc); err != nil || len(doc.Keys) == 0 {
		panic("no JWKS: " + string(f.jwks))
	}
	for _, k := range doc.Keys {
		n, _ := base64.RawURLEncoding.DecodeString(k.N)
		e, _ := base64.RawURLEncoding.DecodeString(k.E)
		f.keys[k.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	}
	return f
})

func getJWT(token func(*http.Request) string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"token": token(r)})
	}
}

func kidOf(token string) string {
	header, _ := base64.RawURLEncoding.DecodeString(strings.SplitN(token, ".", 2)[0])
	var h struct{ Kid string }
	json.Unmarshal(header, &h)
	return h.Kid
}

func BenchmarkEmptyCgoCall(b *testing.B) {
	for i := 0; i < b.N; i++ {
		cffi.LibraryABIVersion()
	}
}

// The floor: Go's RSA PKCS#1 v1.5 verify of the token's signature and nothing else.
func BenchmarkGoCryptoRSAVerify(b *testing.B) {
	f := setup()
	key := f.keys[kidOf(f.token)]
	dot := strings.LastIndexByte(f.token, '.')
	sig, _ := base64.RawURLEncoding.DecodeString(f.token[dot+1:])
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sum := sha256.Sum256([]byte(f.token[:dot]))
		if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, sum[:], sig); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTesseraVerify(b *testing.B) {
	f := setup()
	off := false
	options := &sessmodels.VerifySessionOptions{AntiCsrfCheck: &off}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := session.GetSessionWithoutRequestResponse(f.token, nil, options); err != nil {
			b.Fatal(err)
		}
	}
}

// A repeated token through session.GetSession on a net/http request: the packed request,
// one cgo call, the core's verified-token cache, the SessionContainer.
func BenchmarkTesseraVerifyRepeated(b *testing.B) {
	f := setup()
	r := httptest.NewRequest("GET", "/getJWT", nil)
	r.Header.Set("Authorization", "Bearer "+f.token)
	w := httptest.NewRecorder()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s, err := session.GetSession(r, w, nil)
		if err != nil || s.GetAccessToken() != f.token {
			b.Fatal(err)
		}
	}
}

// The whole verification of a token never seen before, as the first request with a token
// meets it: the cgo call, parsing, the RSA signature and the claims, freeing the handle, with the core's
// verified-token cache off (an engine trusting the fixture's JWKS).
func BenchmarkTesseraVerifyUncached(b *testing.B) {
	f := setup()
	engine, err := cffi.NewEngineWithJWKS([]byte(`{"appInfo":{"appName":"bench","apiDomain":"http://localhost:3001"},"session":{"verifiedTokenCacheSize":0}}`), f.jwks)
	if err != nil {
		b.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/getJWT", nil)
	r.Header.Set("Authorization", "Bearer "+f.token)
	packed := httpx.Pack(nil, r, []string{"Cookie", "Authorization", "Anti-Csrf", "Rid", "St-Auth-Mode"})
	options := cffi.VerifyOptions{SessionRequired: true, AntiCsrfCheck: -1}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var s cffi.Session
		if found, _, err := engine.VerifyRequest(packed, options, &s); err != nil || !found {
			b.Fatal(err)
		}
		s.Free()
	}
}

func BenchmarkGolangJWTVerify(b *testing.B) {
	f := setup()
	parser := jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}), jwt.WithExpirationRequired())
	keyfunc := func(t *jwt.Token) (interface{}, error) { return f.keys[t.Header["kid"].(string)], nil }
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := parser.Parse(f.token, keyfunc); err != nil {
			b.Fatal(err)
		}
	}
}

func serve(b *testing.B, h http.Handler, header string) {
	b.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	client := srv.Client()
	client.Transport.(*http.Transport).MaxIdleConnsPerHost = 64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("GET", srv.URL+"/getJWT", nil)
			if header != "" {
				req.Header.Set("Authorization", "Bearer "+header)
			}
			res, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != 200 {
				b.Fatalf("status %d", res.StatusCode)
			}
		}
	})
}

func BenchmarkGetJWTBare(b *testing.B) {
	f := setup()
	mux := http.NewServeMux()
	mux.Handle("/getJWT", getJWT(func(*http.Request) string { return f.token }))
	serve(b, mux, f.token)
}

func BenchmarkGetJWTTessera(b *testing.B) {
	f := setup()
	serve(b, f.app, f.token)
}
