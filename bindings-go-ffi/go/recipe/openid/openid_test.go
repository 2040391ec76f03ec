package openid_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/jwt"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/jwt/jwtmodels"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/openid"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/openid/openidmodels"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/tessera"
)

func initWith(recipes ...tessera.Recipe) error {
	return tessera.Init(tessera.TypeInput{
		Supertokens: &tessera.ConnectionInfo{ConnectionURI: "sqlite::memory:"},
		AppInfo:     tessera.AppInfo{AppName: "test", APIDomain: "https://api.example.com", APIBasePath: &[]string{"/custom"}[0]},
		RecipeList:  append([]tessera.Recipe{session.Init(nil)}, recipes...),
	})
}

func claims(t *testing.T, jwt string) map[string]interface{} {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("%q is no JWT", jwt)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]interface{}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestTheDiscoveryConfigurationAndJWTsNameTheIssuer(t *testing.T) {
	jwtValidity, openidValidity := uint64(100), uint64(200)
	err := initWith(jwt.Init(&jwtmodels.TypeInput{JwtValiditySeconds: &jwtValidity}),
		openid.Init(&openidmodels.TypeInput{JwtValiditySeconds: &openidValidity}))
	if err != nil {
		t.Fatal(err)
	}
	conf, err := openid.GetOpenIdDiscoveryConfiguration()
	if err != nil || conf.OK == nil {
		t.Fatalf("GetOpenIdDiscoveryConfiguration: %+v, %v", conf, err)
	}
	if conf.OK.Issuer != "https://api.example.com/custom" || conf.OK.Jwks_uri != "https://api.example.com/custom/jwt/jwks.json" {
		t.Fatalf("configuration %+v", *conf.OK)
	}
	res, err := openid.CreateJWT(map[string]interface{}{"k": "v"}, nil, nil)
	if err != nil || res.OK == nil {
		t.Fatalf("CreateJWT: %+v, %v", res, err)
	}
	c := claims(t, res.OK.Jwt)
	if c["iss"] != conf.OK.Issuer || c["k"] != "v" || c["exp"].(float64)-c["iat"].(float64) != 200 {
		t.Fatalf("claims %v: want iss %s and openid.Init's validity", c, conf.OK.Issuer)
	}
	keys, err := openid.GetJWKS()
	if err != nil || keys.OK == nil || len(keys.OK.Keys) == 0 {
		t.Fatalf("GetJWKS: %+v, %v", keys, err)
	}
}

func TestInitRefusesWhatTesseraCannotHonour(t *testing.T) {
	issuer := "https://api.example.com/custom"
	for name, config := range map[string]*openidmodels.TypeInput{
		"Issuer":   {Issuer: &issuer},
		"Override": {Override: &openidmodels.OverrideStruct{JwtFeature: &jwtmodels.OverrideStruct{}}},
	} {
		err := initWith(openid.Init(config))
		if !errors.Is(err, tessera.ErrNotSupported) || !strings.Contains(err.Error(), name) {
			t.Errorf("Init with %s: %v", name, err)
		}
	}
	if err := initWith(openid.Init(nil)); err != nil {
		t.Fatalf("Init without options: %v", err)
	}
}
