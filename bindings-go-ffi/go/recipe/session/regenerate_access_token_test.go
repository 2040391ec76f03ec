package session_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/sessmodels"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/tessera"
)

// regenerateImplementation initialises Tessera on a fresh store with an Override.Functions
// built by wrap (nil: none) and returns the implementation it was given and the one it built:
// RegenerateAccessToken is reached as an application reaches it.
func regenerateImplementation(t *testing.T, wrap func(sessmodels.RecipeInterface) sessmodels.RecipeInterface) (original, built sessmodels.RecipeInterface) {
	t.Helper()
	start(t, withFunctions(nil, func(o sessmodels.RecipeInterface) sessmodels.RecipeInterface {
		original = o
		built = o
		if wrap != nil {
			built = wrap(o)
		}
		return built
	}))
	return original, built
}

// As supertokens-golang's RegenerateAccessToken over the SuperTokens core's regenerate: the
// payload is replaced (not merged), the new token keeps the old one's expiry and verifies.
func TestRegenerateAccessTokenReplacesThePayloadAndKeepsTheExpiry(t *testing.T) {
	original, _ := regenerateImplementation(t, nil)
	s, err := session.CreateNewSessionWithoutRequestResponse("public", "regen-user", map[string]interface{}{"a": 1}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	token := s.GetAccessToken()
	exp, ok := s.GetAccessTokenPayload()["exp"].(float64)
	if !ok {
		t.Fatalf("no exp in %v", s.GetAccessTokenPayload())
	}

	payload := map[string]interface{}{"c": 3}
	answer, err := (*original.RegenerateAccessToken)(token, &payload, &map[string]interface{}{})
	if err != nil || answer == nil {
		t.Fatalf("RegenerateAccessToken: %+v %v", answer, err)
	}
	if answer.Status != "OK" || answer.Session.Handle != s.GetHandle() || answer.Session.UserID != "regen-user" || answer.Session.TenantId != "public" {
		t.Fatalf("session: %+v", answer)
	}
	if !reflect.DeepEqual(answer.Session.UserDataInAccessToken, map[string]interface{}{"c": float64(3)}) {
		t.Fatalf("userDataInJWT: %v", answer.Session.UserDataInAccessToken)
	}
	if answer.AccessToken.Token == "" || answer.AccessToken.Token == token {
		t.Fatalf("no new token: %+v", answer.AccessToken)
	}
	if answer.AccessToken.Expiry != uint64(exp)*1000 {
		t.Fatalf("expiry %d, the original token's is %d", answer.AccessToken.Expiry, uint64(exp)*1000)
	}
	if got := tokenPayload(t, answer.AccessToken.Token)["exp"]; got != exp {
		t.Fatalf("exp %v, the original token's is %v", got, exp)
	}
	if answer.AccessToken.CreatedTime == 0 || answer.AccessToken.CreatedTime > answer.AccessToken.Expiry {
		t.Fatalf("createdTime %d", answer.AccessToken.CreatedTime)
	}

	verified, err := session.GetSessionWithoutRequestResponse(answer.AccessToken.Token, nil, &sessmodels.VerifySessionOptions{AntiCsrfCheck: ptr(false)})
	if err != nil || verified == nil || verified.GetHandle() != s.GetHandle() {
		t.Fatalf("GetSessionWithoutRequestResponse: %v %v", verified, err)
	}
	got := verified.GetAccessTokenPayload()
	if got["c"] != float64(3) {
		t.Fatalf("payload %v", got)
	}
	if _, has := got["a"]; has {
		t.Fatalf("replaced, not merged: %v", got)
	}
	// The stored payload was replaced too: the next refresh carries it.
	info, err := session.GetSessionInformation(s.GetHandle())
	if err != nil || !reflect.DeepEqual(info.CustomClaimsInAccessTokenPayload, map[string]interface{}{"c": float64(3)}) {
		t.Fatalf("GetSessionInformation: %+v %v", info, err)
	}

	// A nil payload is {}, as in supertokens-golang.
	answer, err = (*original.RegenerateAccessToken)(token, nil, &map[string]interface{}{})
	if err != nil || answer == nil || len(answer.Session.UserDataInAccessToken) != 0 {
		t.Fatalf("nil payload: %+v %v", answer, err)
	}
	if _, has := tokenPayload(t, answer.AccessToken.Token)["c"]; has {
		t.Fatalf("nil payload kept c: %v", tokenPayload(t, answer.AccessToken.Token))
	}
}

func TestRegenerateAccessTokenOfAGoneSessionIsNilAndOthersTokensAreRefused(t *testing.T) {
	original, _ := regenerateImplementation(t, nil)
	uc := &map[string]interface{}{}
	s, err := session.CreateNewSessionWithoutRequestResponse("public", "regen-user", map[string]interface{}{"a": 1}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	token := s.GetAccessToken()

	if got, err := (*original.RegenerateAccessToken)("garbage", nil, uc); got != nil || !errors.Is(err, tessera.ErrUnauthorised) {
		t.Fatalf("a garbage token: %+v %v", got, err)
	}
	protected := map[string]interface{}{"sub": "someone-else"}
	if got, err := (*original.RegenerateAccessToken)(token, &protected, uc); got != nil || !errors.Is(err, tessera.ErrInvalidInput) {
		t.Fatalf("a protected prop: %+v %v", got, err)
	}
	// The same header and signature over another payload.
	parts := strings.Split(token, ".")
	claims := tokenPayload(t, token)
	claims["a"] = 2
	body, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	forged := parts[0] + "." + base64.RawURLEncoding.EncodeToString(body) + "." + parts[2]
	if got, err := (*original.RegenerateAccessToken)(forged, nil, uc); got != nil || !errors.Is(err, tessera.ErrTryRefreshToken) {
		t.Fatalf("a forged token: %+v %v", got, err)
	}

	if revoked, err := session.RevokeSession(s.GetHandle()); !revoked || err != nil {
		t.Fatalf("RevokeSession: %v %v", revoked, err)
	}
	payload := map[string]interface{}{"c": 3}
	if got, err := (*original.RegenerateAccessToken)(token, &payload, uc); got != nil || err != nil {
		t.Fatalf("a revoked session: %+v %v", got, err)
	}
}

func TestRegenerateAccessTokenMayBeWrappedByAnOverride(t *testing.T) {
	var c calls
	original, built := regenerateImplementation(t, func(o sessmodels.RecipeInterface) sessmodels.RecipeInterface {
		oRegenerate := *o.RegenerateAccessToken
		regenerate := func(accessToken string, newAccessTokenPayload *map[string]interface{}, userContext tessera.UserContext) (*sessmodels.RegenerateAccessTokenResponse, error) {
			c.add(fmt.Sprintf("regenerate, context given %v", userContext != nil))
			payload := map[string]interface{}{"wrapped": true}
			for k, v := range *newAccessTokenPayload {
				payload[k] = v
			}
			answer, err := oRegenerate(accessToken, &payload, userContext)
			if answer != nil {
				answer.Session.UserID = "renamed"
			}
			return answer, err
		}
		o.RegenerateAccessToken = &regenerate
		return o
	})
	if reflect.ValueOf(*built.RegenerateAccessToken).Pointer() == reflect.ValueOf(*original.RegenerateAccessToken).Pointer() {
		t.Fatal("the override did not replace RegenerateAccessToken")
	}
	s, err := session.CreateNewSessionWithoutRequestResponse("public", "regen-user", map[string]interface{}{"a": 1}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	payload := map[string]interface{}{"c": 3}
	answer, err := (*built.RegenerateAccessToken)(s.GetAccessToken(), &payload, &map[string]interface{}{})
	if err != nil || answer == nil || answer.Session.UserID != "renamed" {
		t.Fatalf("RegenerateAccessToken: %+v %v", answer, err)
	}
	want := map[string]interface{}{"c": float64(3), "wrapped": true}
	if !reflect.DeepEqual(answer.Session.UserDataInAccessToken, want) {
		t.Fatalf("userDataInJWT: %v", answer.Session.UserDataInAccessToken)
	}
	if p := tokenPayload(t, answer.AccessToken.Token); p["wrapped"] != true || p["c"] != float64(3) {
		t.Fatalf("the new token carries %v", p)
	}
	if got := c.all(); !reflect.DeepEqual(got, []string{"regenerate, context given true"}) {
		t.Fatalf("the override saw %v", got)
	}
}
