// Package openidmodels holds the OpenID recipe's types, in the shape of supertokens-golang's
// package of the same name.
package openidmodels

import "github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/jwt/jwtmodels"

// TypeInput is openid.Init's configuration. JwtValiditySeconds is openid.CreateJWT's
// validity when a call gives none (nil: 100 years). tessera.Init refuses the others
// (NOT_SUPPORTED): Tessera's issuer is always apiDomain + apiBasePath, the iss of its access
// tokens, and the OpenID functions and endpoint are the core's.
type TypeInput struct {
	Issuer             *string
	JwtValiditySeconds *uint64
	Override           *OverrideStruct
}

// TypeNormalisedInput is TypeInput with its defaults filled in, for APIOptions. The issuer's
// domain and path are plain strings here (apiDomain and apiBasePath): Tessera has no
// supertokens-golang normalised-URL types.
type TypeNormalisedInput struct {
	IssuerDomain       string
	IssuerPath         string
	JwtValiditySeconds *uint64
	Override           OverrideStruct
}

// OverrideStruct is TypeInput.Override, declared so that supertokens-golang code compiles;
// tessera.Init refuses it.
type OverrideStruct struct {
	Functions  func(originalImplementation RecipeInterface) RecipeInterface
	APIs       func(originalImplementation APIInterface) APIInterface
	JwtFeature *jwtmodels.OverrideStruct
}
