package session

import (
	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/jwtfns"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/jwt/jwtmodels"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/openid/openidmodels"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/supertokens"
)

// CreateJWT is jwt.CreateJWT, except that the default validity is always 100 years: as in
// supertokens-golang, the session recipe has its own JWT functions, which jwt.Init and
// openid.Init do not configure. A JWT of a session's access token payload (without exp and
// iat) passes GetSessionWithoutRequestResponse while it is valid.
func CreateJWT(payload map[string]interface{}, validitySecondsPointer *uint64, useStaticSigningKey *bool, userContext ...supertokens.UserContext) (jwtmodels.CreateJWTResponse, error) {
	return jwtfns.CreateJWT("session", payload, validitySecondsPointer, useStaticSigningKey)
}

// GetJWKS is jwt.GetJWKS: the keys that verify access tokens and CreateJWT's JWTs.
func GetJWKS(userContext ...supertokens.UserContext) (jwtmodels.GetJWKSResponse, error) {
	return jwtfns.GetJWKS()
}

// GetOpenIdDiscoveryConfiguration is openid.GetOpenIdDiscoveryConfiguration.
func GetOpenIdDiscoveryConfiguration(userContext ...supertokens.UserContext) (openidmodels.GetOpenIdDiscoveryConfigurationResponse, error) {
	return jwtfns.GetOpenIdDiscoveryConfiguration()
}
