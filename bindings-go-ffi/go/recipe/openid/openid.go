// Package openid is the OpenID recipe, in the shape of supertokens-golang's recipe/openid:
// the discovery document (served by supertokens.Middleware at
// {apiBasePath}/.well-known/openid-configuration) and the JWT functions of recipe/jwt. All
// are the core's and exist in every app; Init is needed only for its options.
package openid

import (
	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/errs"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/jwtfns"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/jwt/jwtmodels"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/openid/openidmodels"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/supertokens"
)

// RECIPE_ID is the recipe's id, as in supertokens-golang.
const RECIPE_ID = "openid"

// GetDiscoveryConfigUrl is the discovery endpoint's path below apiBasePath.
const GetDiscoveryConfigUrl = "/.well-known/openid-configuration"

// Init makes the OpenID recipe's entry for supertokens.TypeInput.RecipeList; config may be nil.
// supertokens.Init refuses an Issuer or an Override with a NOT_SUPPORTED error.
func Init(config *openidmodels.TypeInput) supertokens.Recipe {
	var options recipeOptions
	if config != nil {
		options.issuer = config.Issuer != nil
		options.override = config.Override != nil
		if config.JwtValiditySeconds != nil {
			// Copied: a later change to the caller's variable must not change the default.
			v := *config.JwtValiditySeconds
			options.validity = &v
		}
	}
	return func() (string, interface{}) { return RECIPE_ID, options }
}

type recipeOptions struct {
	validity *uint64
	issuer   bool
	override bool
}

// JWTValiditySeconds is read by supertokens.Init.
func (o recipeOptions) JWTValiditySeconds() (*uint64, error) {
	if o.issuer {
		// The issuer is the iss of every access token and the base of the JWKS URL the
		// verifiers fetch; another one would have to change those too.
		return nil, errs.New(errs.NotSupported.Code(), "openid.Init: Issuer is not supported by Tessera: the issuer is apiDomain + apiBasePath")
	}
	if o.override {
		return nil, errs.New(errs.NotSupported.Code(), "openid.Init: Override is not supported by Tessera: the OpenID and JWT functions and their endpoints are the core's")
	}
	return o.validity, nil
}

// CreateJWT is jwt.CreateJWT with openid.Init's JwtValiditySeconds as the default validity.
func CreateJWT(payload map[string]interface{}, validitySecondsPointer *uint64, useStaticSigningKey *bool, userContext ...supertokens.UserContext) (jwtmodels.CreateJWTResponse, error) {
	return jwtfns.CreateJWT(RECIPE_ID, payload, validitySecondsPointer, useStaticSigningKey)
}

// GetJWKS is jwt.GetJWKS.
func GetJWKS(userContext ...supertokens.UserContext) (jwtmodels.GetJWKSResponse, error) {
	return jwtfns.GetJWKS()
}

// GetOpenIdDiscoveryConfiguration returns the issuer (apiDomain + apiBasePath, the iss of
// the session's access tokens) and the JWKS URL, as the discovery endpoint serves them.
// userContext is not read.
func GetOpenIdDiscoveryConfiguration(userContext ...supertokens.UserContext) (openidmodels.GetOpenIdDiscoveryConfigurationResponse, error) {
	return jwtfns.GetOpenIdDiscoveryConfiguration()
}
