package openidmodels

import (
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/jwt/jwtmodels"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/supertokens"
)

// RecipeInterface is the OpenID recipe's functions, supertokens-golang's struct of pointers
// to functions, for OverrideStruct.Functions (which Tessera refuses).
type RecipeInterface struct {
	GetOpenIdDiscoveryConfiguration *func(userContext supertokens.UserContext) (GetOpenIdDiscoveryConfigurationResponse, error)
	CreateJWT                       *func(payload map[string]interface{}, validitySeconds *uint64, useStaticSigningKey *bool, userContext supertokens.UserContext) (jwtmodels.CreateJWTResponse, error)
	GetJWKS                         *func(userContext supertokens.UserContext) (jwtmodels.GetJWKSResponse, error)
}

// GetOpenIdDiscoveryConfigurationResponse is GetOpenIdDiscoveryConfiguration's answer: the
// issuer (apiDomain + apiBasePath) and the URL of the JWKS, with supertokens-golang's field
// names. The endpoint serves the whole document, OAuth2 endpoints included.
type GetOpenIdDiscoveryConfigurationResponse struct {
	OK *struct {
		Issuer   string
		Jwks_uri string
	}
}
