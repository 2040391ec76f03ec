package session_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/openid/openidmodels"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/sessmodels"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/tessera"
)

// jwtPart decodes the header (0) or the payload (1) of a JWT.
func jwtPart(t *testing.T, jwt string, i int) map[string]interface{} {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("%q is no JWT", jwt)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[i])
	if err != nil {
		t.Fatalf("part %d of %q: %v", i, jwt, err)
	}
	var m map[string]interface{}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("part %d of %q: %v", i, jwt, err)
	}
	return m
}

func createJWT(t *testing.T, payload map[string]interface{}, validity *uint64, useStatic *bool) string {
	t.Helper()
	res, err := session.CreateJWT(payload, validity, useStatic)
	if err != nil {
		t.Fatalf("CreateJWT: %v", err)
	}
	if res.OK == nil || res.UnsupportedAlgorithmError != nil {
		t.Fatalf("CreateJWT answered %+v", res)
	}
	return res.OK.Jwt
}

// From supertokens-node's sessionHandlingFuncsWithoutReq tests.
func TestShouldValidateAccessTokensCreatedByCreateJWT(t *testing.T) {
	start(t, nil)
	s, err := session.CreateNewSessionWithoutRequestResponse("public", "user-jwt", nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	payload := s.GetAccessTokenPayload()
	delete(payload, "exp")
	delete(payload, "iat")
	jwt := createJWT(t, payload, ptr(uint64(1234)), ptr(false))

	got, err := session.GetSessionWithoutRequestResponse(jwt, nil, nil)
	if err != nil {
		t.Fatalf("GetSessionWithoutRequestResponse on the JWT: %v", err)
	}
	if got == nil || got.GetUserID() != "user-jwt" || got.GetHandle() != s.GetHandle() {
		t.Fatalf("the JWT verified as another session: %+v", got)
	}
	p := got.GetAccessTokenPayload()
	exp, iat := p["exp"].(float64), p["iat"].(float64)
	if exp-iat != 1234 {
		t.Fatalf("exp - iat = %v, want 1234 (payload %v)", exp-iat, p)
	}
}

func TestCreateJWTDefaultsToTheStaticKeyAndAHundredYears(t *testing.T) {
	srv := start(t, nil)
	jwt := createJWT(t, map[string]interface{}{"sub": "someone"}, nil, nil)
	header, payload := jwtPart(t, jwt, 0), jwtPart(t, jwt, 1)
	kid, _ := header["kid"].(string)
	if kid == "" || header["typ"] != "JWT" || header["alg"] != "RS256" {
		t.Fatalf("header %v", header)
	}
	if _, ok := header["version"]; ok {
		t.Fatalf("a createJWT JWT is no access token, yet its header has a version: %v", header)
	}
	if payload["iss"] != "http://localhost:3001/auth" || payload["sub"] != "someone" {
		t.Fatalf("payload %v", payload)
	}
	if d := payload["exp"].(float64) - payload["iat"].(float64); d != 3153600000 {
		t.Fatalf("exp - iat = %v, want 100 years", d)
	}

	jwks, err := session.GetJWKS()
	if err != nil || jwks.OK == nil {
		t.Fatalf("GetJWKS: %+v, %v", jwks, err)
	}
	if jwks.OK.ValidityInSeconds <= 0 {
		t.Fatalf("ValidityInSeconds %d", jwks.OK.ValidityInSeconds)
	}
	found := false
	for _, k := range jwks.OK.Keys {
		if k.Kty != "RSA" || k.Alg != "RS256" || k.Use != "sig" || k.N == "" || k.E == "" {
			t.Fatalf("key %+v", k)
		}
		found = found || k.Kid == kid
	}
	if !found {
		t.Fatalf("kid %s is not among GetJWKS's keys %+v", kid, jwks.OK.Keys)
	}

	a := do(t, srv, "GET", "/auth/jwt/jwks.json")
	if a.status != 200 || !strings.Contains(a.body, `"kid":"`+kid+`"`) {
		t.Fatalf("the JWKS endpoint does not serve %s: %d %s", kid, a.status, a.body)
	}

	dynamic := jwtPart(t, createJWT(t, nil, nil, ptr(false)), 0)["kid"]
	if dynamic == kid {
		t.Fatalf("the default and useStaticSigningKey=false signed with the same key %s", kid)
	}
}

func TestGetOpenIdDiscoveryConfigurationIsWhatTheEndpointServes(t *testing.T) {
	srv := start(t, nil)
	res, err := session.GetOpenIdDiscoveryConfiguration()
	if err != nil || res.OK == nil {
		t.Fatalf("GetOpenIdDiscoveryConfiguration: %+v, %v", res, err)
	}
	if res.OK.Issuer != "http://localhost:3001/auth" || res.OK.Jwks_uri != "http://localhost:3001/auth/jwt/jwks.json" {
		t.Fatalf("configuration %+v", *res.OK)
	}
	a := do(t, srv, "GET", "/auth/.well-known/openid-configuration")
	if a.status != 200 || a.header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("endpoint: %d %v %s", a.status, a.header, a.body)
	}
	doc := jsonBody(t, a)
	if doc["issuer"] != res.OK.Issuer || doc["jwks_uri"] != res.OK.Jwks_uri {
		t.Fatalf("the endpoint serves %v, GetOpenIdDiscoveryConfiguration says %+v", doc, *res.OK)
	}
}

func TestTheOpenIdFeatureOverrideIsRefused(t *testing.T) {
	err := tessera.Init(tessera.TypeInput{
		Supertokens: &tessera.ConnectionInfo{ConnectionURI: "sqlite::memory:"},
		AppInfo:     tessera.AppInfo{AppName: "test", APIDomain: "http://localhost:3001"},
		RecipeList: []tessera.Recipe{session.Init(&sessmodels.TypeInput{
			Override: &sessmodels.OverrideStruct{OpenIdFeature: &openidmodels.OverrideStruct{}},
		})},
	})
	if !errors.Is(err, tessera.ErrNotSupported) || !strings.Contains(err.Error(), "OpenIdFeature") {
		t.Fatalf("Init with Override.OpenIdFeature: %v", err)
	}
}
