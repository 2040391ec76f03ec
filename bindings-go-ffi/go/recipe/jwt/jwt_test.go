package jwt_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/jwt"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/jwt/jwtmodels"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/tessera"
)

func ptr[T any](v T) *T { return &v }

func initWith(recipes ...tessera.Recipe) error {
	return tessera.Init(tessera.TypeInput{
		Supertokens: &tessera.ConnectionInfo{ConnectionURI: "sqlite::memory:"},
		AppInfo:     tessera.AppInfo{AppName: "test", APIDomain: "http://localhost:3001"},
		RecipeList:  append([]tessera.Recipe{session.Init(nil)}, recipes...),
	})
}

// validity is exp - iat of a JWT's payload.
func validity(t *testing.T, res jwtmodels.CreateJWTResponse, err error) float64 {
	t.Helper()
	if err != nil || res.OK == nil {
		t.Fatalf("CreateJWT: %+v, %v", res, err)
	}
	parts := strings.Split(res.OK.Jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("%q is no JWT", res.OK.Jwt)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var p struct{ Iat, Exp float64 }
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatal(err)
	}
	return p.Exp - p.Iat
}

func TestInitsJwtValiditySecondsIsCreateJWTsDefault(t *testing.T) {
	n := uint64(600)
	if err := initWith(jwt.Init(&jwtmodels.TypeInput{JwtValiditySeconds: &n})); err != nil {
		t.Fatal(err)
	}
	n = 1 // Init copied the value.
	res, err := jwt.CreateJWT(map[string]interface{}{"a": 1}, nil, nil)
	if got := validity(t, res, err); got != 600 {
		t.Fatalf("jwt.CreateJWT's default validity is %v, want Init's 600", got)
	}
	res, err = jwt.CreateJWT(nil, ptr(uint64(60)), ptr(true))
	if got := validity(t, res, err); got != 60 {
		t.Fatalf("an explicit validity gave %v, want 60", got)
	}
	// As in supertokens-golang, the session recipe's JWT functions are its own.
	res, err = session.CreateJWT(nil, nil, nil)
	if got := validity(t, res, err); got != 3153600000 {
		t.Fatalf("session.CreateJWT's default validity is %v, want 100 years", got)
	}

	keys, err := jwt.GetJWKS()
	if err != nil || keys.OK == nil || len(keys.OK.Keys) == 0 {
		t.Fatalf("GetJWKS: %+v, %v", keys, err)
	}

	if err := initWith(jwt.Init(nil)); err != nil {
		t.Fatal(err)
	}
	res, err = jwt.CreateJWT(nil, nil, nil)
	if got := validity(t, res, err); got != 3153600000 {
		t.Fatalf("after an Init without JwtValiditySeconds the default is %v, want 100 years", got)
	}
}

func TestInitRefusesAnOverride(t *testing.T) {
	n := uint64(600)
	if err := initWith(jwt.Init(&jwtmodels.TypeInput{JwtValiditySeconds: &n})); err != nil {
		t.Fatal(err)
	}
	override := &jwtmodels.OverrideStruct{
		Functions: func(original jwtmodels.RecipeInterface) jwtmodels.RecipeInterface { return original },
	}
	err := initWith(jwt.Init(&jwtmodels.TypeInput{Override: override}))
	if !errors.Is(err, tessera.ErrNotSupported) || !strings.Contains(err.Error(), "Override") {
		t.Fatalf("Init with an Override: %v", err)
	}
	// A refused Init leaves the previous one in effect.
	res, err := jwt.CreateJWT(nil, nil, nil)
	if got := validity(t, res, err); got != 600 {
		t.Fatalf("after a refused Init the default is %v, want the previous Init's 600", got)
	}
}

func TestCreateJWTRefusesWhatIsNoJSON(t *testing.T) {
	if err := initWith(jwt.Init(nil)); err != nil {
		t.Fatal(err)
	}
	_, err := jwt.CreateJWT(map[string]interface{}{"c": make(chan int)}, nil, nil)
	if !errors.Is(err, tessera.ErrInvalidInput) {
		t.Fatalf("a payload that is no JSON: %v", err)
	}
	_, err = jwt.CreateJWT(nil, ptr(^uint64(0)), nil)
	if !errors.Is(err, tessera.ErrInvalidInput) {
		t.Fatalf("a validity past the end of time: %v", err)
	}
}
