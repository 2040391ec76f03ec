// Package chiexample shows Tessera with chi v5: supertokens.Middleware on the router, and
// session.VerifySession around each protected handler.
package chiexample

import (
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/supertokens"
)

// Router serves the application; login and getJWT are the application's handlers.
func Router(login, getJWT http.HandlerFunc) http.Handler {
	r := chi.NewRouter()
	r.Use(supertokens.Middleware)
	r.Post("/login", login)
	r.Get("/getJWT", session.VerifySession(nil, getJWT))
	return r
}
