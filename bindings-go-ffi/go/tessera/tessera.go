// Package tessera is package supertokens under Tessera's own name: the same types (aliases)
// and functions, so that code may say tessera.Init or supertokens.Init alike, plus what
// Tessera adds, the Error type and the Err* sentinels of the core's error kinds. The
// documentation is supertokens': go doc github.com/tessera-session/tessera/bindings-go-ffi/go/supertokens.
package tessera

import (
	"net/http"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/supertokens"
)

// The types of package supertokens, under the same names.
type (
	// UserContext is supertokens.UserContext.
	UserContext = supertokens.UserContext
	// ConnectionInfo is supertokens.ConnectionInfo.
	ConnectionInfo = supertokens.ConnectionInfo
	// AppInfo is supertokens.AppInfo.
	AppInfo = supertokens.AppInfo
	// Recipe is supertokens.Recipe.
	Recipe = supertokens.Recipe
	// TypeInput is supertokens.TypeInput.
	TypeInput = supertokens.TypeInput
	// GeneralErrorResponse is supertokens.GeneralErrorResponse.
	GeneralErrorResponse = supertokens.GeneralErrorResponse
)

// Init is supertokens.Init.
func Init(config TypeInput) error { return supertokens.Init(config) }

// Middleware is supertokens.Middleware.
func Middleware(theirHandler http.Handler) http.Handler { return supertokens.Middleware(theirHandler) }

// ErrorHandler is supertokens.ErrorHandler.
func ErrorHandler(err error, req *http.Request, res http.ResponseWriter, userContext ...UserContext) error {
	return supertokens.ErrorHandler(err, req, res, userContext...)
}

// GetAllCORSHeaders is supertokens.GetAllCORSHeaders.
func GetAllCORSHeaders() []string { return supertokens.GetAllCORSHeaders() }

// MakeDefaultUserContextFromAPI is supertokens.MakeDefaultUserContextFromAPI.
func MakeDefaultUserContextFromAPI(r *http.Request) UserContext {
	return supertokens.MakeDefaultUserContextFromAPI(r)
}

// SetRequestInUserContextIfNotDefined is supertokens.SetRequestInUserContextIfNotDefined.
func SetRequestInUserContextIfNotDefined(userContext UserContext, r *http.Request) UserContext {
	return supertokens.SetRequestInUserContextIfNotDefined(userContext, r)
}

// GetRequestFromUserContext is supertokens.GetRequestFromUserContext.
func GetRequestFromUserContext(userContext UserContext) *http.Request {
	return supertokens.GetRequestFromUserContext(userContext)
}
