package openidmodels

import (
	"net/http"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/supertokens"
)

// APIOptions is what supertokens-golang gives the OpenID recipe's API functions. Tessera
// serves the discovery endpoint in the core and never calls them; the type exists for
// OverrideStruct.APIs.
type APIOptions struct {
	RecipeImplementation RecipeInterface
	Config               TypeNormalisedInput
	RecipeID             string
	Req                  *http.Request
	Res                  http.ResponseWriter
	OtherHandler         http.HandlerFunc
}

// APIInterface is the OpenID recipe's endpoint, for OverrideStruct.APIs (which Tessera
// refuses).
type APIInterface struct {
	GetOpenIdDiscoveryConfigurationGET *func(options APIOptions, userContext supertokens.UserContext) (GetOpenIdDiscoveryConfigurationAPIResponse, error)
}

// GetOpenIdDiscoveryConfigurationAPIResponse is GetOpenIdDiscoveryConfigurationGET's
// answer, as in supertokens-golang.
type GetOpenIdDiscoveryConfigurationAPIResponse struct {
	OK *struct {
		Issuer   string
		Jwks_uri string
	}
	GeneralError *supertokens.GeneralErrorResponse
}
