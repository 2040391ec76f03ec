package session_test

import (
	"net/http/httptest"
	"testing"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session"
)

// BenchmarkGetSession is one verification of a known token through the whole Go path: the
// packed request, the cgo call, the session's fields and its container.
func BenchmarkGetSession(b *testing.B) {
	start(b, nil)
	s, err := session.CreateNewSessionWithoutRequestResponse("public", "user-1", nil, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	token := s.GetAccessToken()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := httptest.NewRequest("GET", "/getJWT", nil)
		r.Header.Set("Authorization", "Bearer "+token)
		if _, err := session.GetSession(r, httptest.NewRecorder(), nil); err != nil {
			b.Fatal(err)
		}
	}
}
