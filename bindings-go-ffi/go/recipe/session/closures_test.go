package session

import (
	"reflect"
	"runtime"
	"testing"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/sessmodels"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/tessera"
)

// The closures fill makes in a block must be the compiler's own, field for field. If this
// fails after a Go upgrade, sessions still work (makeClosures' closures), at 37 allocations
// more each: see closures.go.
func TestClosuresAreMadeInTheBlock(t *testing.T) {
	if !closureCodeOK {
		t.Fatal("closures.go's layout check failed on this toolchain: every session makes its 37 closures one by one")
	}
}

func TestMadeClosuresBehaveAsTheCompilers(t *testing.T) {
	err := tessera.Init(tessera.TypeInput{
		Supertokens: &tessera.ConnectionInfo{ConnectionURI: "sqlite::memory:"},
		AppInfo:     tessera.AppInfo{AppName: "test", APIDomain: "http://localhost:3001"},
		RecipeList:  []tessera.Recipe{Init(nil)},
	})
	if err != nil {
		t.Fatal(err)
	}
	created, err := CreateNewSessionWithoutRequestResponse("public", "user-1", map[string]interface{}{"role": "admin"}, map[string]interface{}{"d": "x"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	token := created.GetAccessToken()
	off := false
	verify := func(made bool) sessmodels.SessionContainer {
		t.Helper()
		saved := closureCodeOK
		closureCodeOK = made && saved
		defer func() { closureCodeOK = saved }()
		s, err := GetSessionWithoutRequestResponse(token, nil, &sessmodels.VerifySessionOptions{AntiCsrfCheck: &off})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	type view struct {
		Token, User, RecipeUser, Tenant, Handle string
		Payload, Data                           map[string]interface{}
		Tokens                                  sessmodels.SessionTokens
		Expiry, Created                         uint64
	}
	look := func(s sessmodels.SessionContainer) view {
		t.Helper()
		v := view{Token: s.GetAccessToken(), User: s.GetUserID(), RecipeUser: s.GetRecipeUserID(), Tenant: s.GetTenantId(),
			Handle: s.GetHandle(), Payload: s.GetAccessTokenPayload(), Tokens: s.GetAllSessionTokensDangerously()}
		var errs [3]error
		v.Data, errs[0] = s.GetSessionDataInDatabase()
		v.Expiry, errs[1] = s.GetExpiry()
		v.Created, errs[2] = s.GetTimeCreated()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		return v
	}
	made, compiled := verify(true), verify(false)
	if got, want := look(made), look(compiled); !reflect.DeepEqual(got, want) || got.Token != token || got.User != "user-1" {
		t.Fatalf("made closures: %+v\ncompiler's: %+v", got, want)
	}
	for _, s := range []sessmodels.SessionContainer{made, compiled} {
		s.GetUserIDWithContext = func(tessera.UserContext) string { return "replaced" }
		if s.GetUserID() != "replaced" {
			t.Fatal("GetUserID does not go through GetUserIDWithContext")
		}
	}

	// A function kept alone keeps its session, and so its handle, alive.
	get := verify(true).GetAllSessionTokensDangerously
	runtime.GC()
	runtime.GC()
	if tokens := get(); tokens.AccessToken != token || tokens.FrontToken == "" {
		t.Fatalf("after GC: %+v", tokens)
	}
}
