// Package jwtmodels holds the JWT recipe's types, in the shape of supertokens-golang's
// package of the same name.
package jwtmodels

// JsonWebKeys is one public key of the JWKS (an RSA key: modulus N and exponent E, base64url).
type JsonWebKeys struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	N   string `json:"n"`
	E   string `json:"e"`
	Alg string `json:"alg"`
	Use string `json:"use"`
}

// TypeInput is jwt.Init's configuration. JwtValiditySeconds is jwt.CreateJWT's validity when
// a call gives none (nil: 100 years). Override is refused by tessera.Init (NOT_SUPPORTED):
// the JWT functions and the JWKS endpoint are the core's and cannot be replaced.
type TypeInput struct {
	JwtValiditySeconds *uint64
	Override           *OverrideStruct
}

// TypeNormalisedInput is TypeInput with its defaults filled in, as supertokens-golang hands
// it to the API functions in APIOptions.
type TypeNormalisedInput struct {
	JwtValiditySeconds uint64
	Override           OverrideStruct
}

// OverrideStruct is TypeInput.Override, declared so that supertokens-golang code compiles;
// tessera.Init refuses it.
type OverrideStruct struct {
	Functions func(originalImplementation RecipeInterface) RecipeInterface
	APIs      func(originalImplementation APIInterface) APIInterface
}
