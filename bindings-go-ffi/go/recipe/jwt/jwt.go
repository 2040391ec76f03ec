// Package jwt is the JWT recipe, in the shape of supertokens-golang's recipe/jwt: CreateJWT
// signs JWTs with the session authority's keys, GetJWKS returns the keys that verify them.
// The keys and the JWKS endpoint ({apiBasePath}/jwt/jwks.json, served by
// supertokens.Middleware) are the core's and exist in every app; Init is needed only for its
// options.
package jwt

import (
	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/errs"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/jwtfns"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/jwt/jwtmodels"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/supertokens"
)

// RECIPE_ID is the recipe's id, as in supertokens-golang.
const RECIPE_ID = "jwt"

// GetJWKSAPI is the JWKS endpoint's path below apiBasePath.
const GetJWKSAPI = "/jwt/jwks.json"

// Init makes the JWT recipe's entry for supertokens.TypeInput.RecipeList; config may be nil.
// supertokens.Init refuses an Override with a NOT_SUPPORTED error.
func Init(config *jwtmodels.TypeInput) supertokens.Recipe {
	var options recipeOptions
	if config != nil {
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
	override bool
}

// JWTValiditySeconds is read by supertokens.Init.
func (o recipeOptions) JWTValiditySeconds() (*uint64, error) {
	if o.override {
		return nil, errs.New(errs.NotSupported.Code(), "jwt.Init: Override is not supported by Tessera: the JWT functions and the JWKS endpoint are the core's")
	}
	return o.validity, nil
}

// CreateJWT signs payload into a JWT (RS256) verifiable with GetJWKS's keys. It carries iss
// (apiDomain + apiBasePath, unless payload sets one), iat and exp: validitySecondsPointer
// seconds after iat, or Init's JwtValiditySeconds, or 100 years. useStaticSigningKey nil or
// true signs with the static key, false with the current dynamic key (the one access tokens
// use, which rotates). userContext is accepted for supertokens-golang's signature and not
// read. A NOT_SUPPORTED error when the sessions are a SuperTokens core's (its keys sign).
func CreateJWT(payload map[string]interface{}, validitySecondsPointer *uint64, useStaticSigningKey *bool, userContext ...supertokens.UserContext) (jwtmodels.CreateJWTResponse, error) {
	return jwtfns.CreateJWT(RECIPE_ID, payload, validitySecondsPointer, useStaticSigningKey)
}

// GetJWKS returns the public keys the JWKS endpoint serves and how long they may be cached.
// userContext is not read.
func GetJWKS(userContext ...supertokens.UserContext) (jwtmodels.GetJWKSResponse, error) {
	return jwtfns.GetJWKS()
}
