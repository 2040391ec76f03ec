package jwtmodels

import (
	"net/http"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/supertokens"
)

// APIOptions is what supertokens-golang gives the JWT recipe's API functions. Tessera
// serves the JWKS endpoint in the core and never calls them; the type exists for
// OverrideStruct.APIs.
type APIOptions struct {
	RecipeImplementation RecipeInterface
	Config               TypeNormalisedInput
	RecipeID             string
	Req                  *http.Request
	Res                  http.ResponseWriter
	OtherHandler         http.HandlerFunc
}

// APIInterface is the JWT recipe's endpoint, for OverrideStruct.APIs (which Tessera
// refuses).
type APIInterface struct {
	GetJWKSGET *func(options APIOptions, userContext supertokens.UserContext) (GetJWKSAPIResponse, error)
}

// GetJWKSAPIResponse is GetJWKSGET's answer, as in supertokens-golang.
type GetJWKSAPIResponse struct {
	OK *struct {
		Keys []JsonWebKeys
	}
	GeneralError *supertokens.GeneralErrorResponse
}
