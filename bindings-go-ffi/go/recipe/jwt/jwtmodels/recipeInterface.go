package jwtmodels

import "github.com/tessera-session/tessera/bindings-go-ffi/go/supertokens"

// RecipeInterface is the JWT recipe's functions, supertokens-golang's struct of pointers to
// functions, for OverrideStruct.Functions (which Tessera refuses).
type RecipeInterface struct {
	CreateJWT *func(payload map[string]interface{}, validitySeconds *uint64, useStaticSigningKey *bool, userContext supertokens.UserContext) (CreateJWTResponse, error)
	GetJWKS   *func(userContext supertokens.UserContext) (GetJWKSResponse, error)
}

// CreateJWTResponse is CreateJWT's answer: OK with the signed JWT. Tessera signs only RS256,
// the algorithm the SDKs ask for, so it never answers UnsupportedAlgorithmError; the field
// is kept for code that checks it.
type CreateJWTResponse struct {
	OK *struct {
		Jwt string
	}
	UnsupportedAlgorithmError *struct{}
}

// GetJWKSResponse is GetJWKS's answer: the public keys that verify the session authority's
// tokens and CreateJWT's JWTs, and how long they may be cached (the max-age of the JWKS
// endpoint's Cache-Control).
type GetJWKSResponse struct {
	OK *struct {
		Keys              []JsonWebKeys
		ValidityInSeconds int
	}
}
