// Package jwtfns is the JWT and OpenID functions behind recipe/session, recipe/jwt and
// recipe/openid, which supertokens-golang exposes from all three: one implementation, over
// the core's keys and documents.
package jwtfns

import (
	"encoding/json"
	"math"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/errs"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/state"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/jwt/jwtmodels"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/openid/openidmodels"
)

// CreateJWT signs payload as createJWT does. Without validitySeconds, the default is the one
// the Init of recipeID set, else the core's (100 years); without useStaticSigningKey, the
// static key, as in supertokens-golang.
func CreateJWT(recipeID string, payload map[string]interface{}, validitySeconds *uint64, useStaticSigningKey *bool) (jwtmodels.CreateJWTResponse, error) {
	rt, err := state.Get()
	if err != nil {
		return jwtmodels.CreateJWTResponse{}, err
	}
	if validitySeconds == nil {
		if v, ok := rt.JWTValiditySeconds[recipeID]; ok {
			validitySeconds = &v
		}
	}
	doc, err := json.Marshal(payload)
	if err != nil {
		return jwtmodels.CreateJWTResponse{}, errs.New(errs.InvalidInput.Code(), "payload: %v", err)
	}
	jwt, err := rt.Engine.CreateJWT(doc, validitySeconds, useStaticSigningKey == nil || *useStaticSigningKey)
	if err != nil {
		return jwtmodels.CreateJWTResponse{}, err
	}
	return jwtmodels.CreateJWTResponse{OK: &struct{ Jwt string }{Jwt: jwt}}, nil
}

// GetJWKS returns the keys the JWKS endpoint serves and its max-age.
func GetJWKS() (jwtmodels.GetJWKSResponse, error) {
	rt, err := state.Get()
	if err != nil {
		return jwtmodels.GetJWKSResponse{}, err
	}
	doc, maxAge, err := rt.Engine.JWKS()
	if err != nil {
		return jwtmodels.GetJWKSResponse{}, err
	}
	var jwks struct {
		Keys []jwtmodels.JsonWebKeys `json:"keys"`
	}
	if err := json.Unmarshal(doc, &jwks); err != nil {
		return jwtmodels.GetJWKSResponse{}, errs.New(errs.Internal.Code(), "unreadable answer from tessera: %v", err)
	}
	if jwks.Keys == nil {
		jwks.Keys = []jwtmodels.JsonWebKeys{}
	}
	// ValidityInSeconds is an int, 32 bits on some platforms.
	validity := math.MaxInt32
	if maxAge < uint64(validity) {
		validity = int(maxAge)
	}
	return jwtmodels.GetJWKSResponse{OK: &struct {
		Keys              []jwtmodels.JsonWebKeys
		ValidityInSeconds int
	}{Keys: jwks.Keys, ValidityInSeconds: validity}}, nil
}

// GetOpenIdDiscoveryConfiguration returns the issuer and JWKS URL of the document the
// discovery endpoint serves.
func GetOpenIdDiscoveryConfiguration() (openidmodels.GetOpenIdDiscoveryConfigurationResponse, error) {
	rt, err := state.Get()
	if err != nil {
		return openidmodels.GetOpenIdDiscoveryConfigurationResponse{}, err
	}
	doc, err := rt.Engine.OpenIDDiscoveryConfiguration()
	if err != nil {
		return openidmodels.GetOpenIdDiscoveryConfigurationResponse{}, err
	}
	var config struct {
		Issuer  string `json:"issuer"`
		JwksURI string `json:"jwks_uri"`
	}
	if err := json.Unmarshal(doc, &config); err != nil {
		return openidmodels.GetOpenIdDiscoveryConfigurationResponse{}, errs.New(errs.Internal.Code(), "unreadable answer from tessera: %v", err)
	}
	return openidmodels.GetOpenIdDiscoveryConfigurationResponse{OK: &struct {
		Issuer   string
		Jwks_uri string
	}{Issuer: config.Issuer, Jwks_uri: config.JwksURI}}, nil
}
