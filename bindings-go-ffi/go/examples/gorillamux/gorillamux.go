// Package gorillamuxexample shows Tessera with gorilla/mux: session.VerifySession around
// each protected handler, and supertokens.Middleware around the whole router.
package gorillamuxexample

import (
	"net/http"

	"github.com/gorilla/mux"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/supertokens"
)

// Router serves the application; login and getJWT are the application's handlers.
func Router(login, getJWT http.HandlerFunc) http.Handler {
	router := mux.NewRouter()
	router.HandleFunc("/login", login).Methods("POST")
	router.HandleFunc("/getJWT", session.VerifySession(nil, getJWT)).Methods("GET")
	// Around the router rather than router.Use: mux runs its middleware only on matched
	// routes, and /auth/session/refresh is not one of the application's.
	return supertokens.Middleware(router)
}
