package session

import (
	"encoding/json"
	"net/http"
	"sync"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/cffi"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/errs"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/state"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/sessmodels"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/tessera"
)

// sessionJSON is the core's session shape (SessionState::to_json).
type sessionJSON struct {
	Token struct {
		Raw           string `json:"raw"`
		UserID        string `json:"userId"`
		RecipeUserID  string `json:"recipeUserId"`
		TenantID      string `json:"tenantId"`
		SessionHandle string `json:"sessionHandle"`
		ExpiryMs      uint64 `json:"expiryMs"`
		TimeCreatedMs uint64 `json:"timeCreatedMs"`
		// Decoded on first use: most requests never read the payload.
		Payload json.RawMessage `json:"payload"`
	} `json:"token"`
	FrontToken         string  `json:"frontToken"`
	RefreshToken       *string `json:"refreshToken"`
	AntiCsrfToken      *string `json:"antiCsrfToken"`
	AccessTokenUpdated bool    `json:"accessTokenUpdated"`
}

// container is the state behind a SessionContainer: the core's handle and its JSON, and the
// response that changes to the session are written to (nil outside a request).
type container struct {
	mu     sync.Mutex
	rt     *state.Runtime
	handle *cffi.Session
	data   *sessionJSON
	res    http.ResponseWriter
	// payload is data's access-token payload once decoded.
	payload map[string]interface{}
}

// containerFrom applies a call's mutations to res and wraps its session (nil stays nil).
func containerFrom(rt *state.Runtime, handle *cffi.Session, doc []byte, res http.ResponseWriter) (sessmodels.SessionContainer, error) {
	result, err := decode(doc)
	if err != nil {
		return nil, err
	}
	if res != nil {
		if err := result.Mutations.ApplyHeaders(res); err != nil {
			return nil, err
		}
	}
	if handle == nil || result.Session == nil {
		return nil, nil
	}
	c := &container{rt: rt, handle: handle, data: result.Session, res: res}
	return c.sessionContainer(), nil
}

func (c *container) current() *sessionJSON {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.data
}

func (c *container) accessTokenPayload() map[string]interface{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.payload == nil {
		payload := map[string]interface{}{}
		// The core wrote this JSON object; it cannot fail to decode.
		_ = json.Unmarshal(c.data.Token.Payload, &payload)
		c.payload = payload
	}
	return c.payload
}

func (c *container) information() (*sessmodels.SessionInformation, error) {
	info, err := GetSessionInformation(c.current().Token.SessionHandle)
	if err == nil && info == nil {
		err = errs.New(errs.Unauthorised.Code(), "session does not exist anymore")
	}
	return info, err
}

func (c *container) merge(update map[string]interface{}) error {
	in, err := marshal(map[string]interface{}{"update": update})
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	handle, doc, err := c.rt.Engine.MergeIntoAccessTokenPayload(c.handle, in)
	if err != nil {
		return err
	}
	result, err := decode(doc)
	if err != nil {
		return err
	}
	if c.res != nil {
		if err := result.Mutations.ApplyHeaders(c.res); err != nil {
			return err
		}
	}
	if handle != nil && result.Session != nil {
		c.handle, c.data, c.payload = handle, result.Session, nil
	}
	return nil
}

func (c *container) revoke() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	doc, err := c.rt.Engine.RevokeSession(c.handle)
	if err != nil {
		return err
	}
	if c.res == nil {
		return nil
	}
	result, err := decode([]byte(`{"mutations":` + string(doc) + `}`))
	if err != nil {
		return err
	}
	return result.Mutations.ApplyHeaders(c.res)
}

func (c *container) updateData(data map[string]interface{}) error {
	ok, err := UpdateSessionDataInDatabase(c.current().Token.SessionHandle, data)
	if err == nil && !ok {
		err = errs.New(errs.Unauthorised.Code(), "session does not exist anymore")
	}
	return err
}

func (c *container) sessionContainer() sessmodels.SessionContainer {
	s := &sessmodels.TypeSessionContainer{}
	s.GetAccessTokenWithContext = func(tessera.UserContext) string { return c.current().Token.Raw }
	s.GetUserIDWithContext = func(tessera.UserContext) string { return c.current().Token.UserID }
	s.GetRecipeUserIDWithContext = func(tessera.UserContext) string { return c.current().Token.RecipeUserID }
	s.GetTenantIdWithContext = func(tessera.UserContext) string { return c.current().Token.TenantID }
	s.GetHandleWithContext = func(tessera.UserContext) string { return c.current().Token.SessionHandle }
	s.GetAccessTokenPayloadWithContext = func(tessera.UserContext) map[string]interface{} {
		return c.accessTokenPayload()
	}
	s.GetTimeCreatedWithContext = func(tessera.UserContext) (uint64, error) {
		info, err := c.information()
		if err != nil {
			return 0, err
		}
		return info.TimeCreated, nil
	}
	s.GetExpiryWithContext = func(tessera.UserContext) (uint64, error) {
		info, err := c.information()
		if err != nil {
			return 0, err
		}
		return info.Expiry, nil
	}
	s.GetSessionDataInDatabaseWithContext = func(tessera.UserContext) (map[string]interface{}, error) {
		info, err := c.information()
		if err != nil {
			return nil, err
		}
		return info.SessionDataInDatabase, nil
	}
	s.UpdateSessionDataInDatabaseWithContext = func(data map[string]interface{}, _ tessera.UserContext) error {
		return c.updateData(data)
	}
	s.MergeIntoAccessTokenPayloadWithContext = func(update map[string]interface{}, _ tessera.UserContext) error {
		return c.merge(update)
	}
	s.RevokeSessionWithContext = func(tessera.UserContext) error { return c.revoke() }

	s.GetAccessToken = func() string { return s.GetAccessTokenWithContext(nil) }
	s.GetUserID = func() string { return s.GetUserIDWithContext(nil) }
	s.GetRecipeUserID = func() string { return s.GetRecipeUserIDWithContext(nil) }
	s.GetTenantId = func() string { return s.GetTenantIdWithContext(nil) }
	s.GetHandle = func() string { return s.GetHandleWithContext(nil) }
	s.GetAccessTokenPayload = func() map[string]interface{} { return s.GetAccessTokenPayloadWithContext(nil) }
	s.GetTimeCreated = func() (uint64, error) { return s.GetTimeCreatedWithContext(nil) }
	s.GetExpiry = func() (uint64, error) { return s.GetExpiryWithContext(nil) }
	s.GetSessionDataInDatabase = func() (map[string]interface{}, error) { return s.GetSessionDataInDatabaseWithContext(nil) }
	s.UpdateSessionDataInDatabase = func(d map[string]interface{}) error { return s.UpdateSessionDataInDatabaseWithContext(d, nil) }
	s.MergeIntoAccessTokenPayload = func(u map[string]interface{}) error { return s.MergeIntoAccessTokenPayloadWithContext(u, nil) }
	s.RevokeSession = func() error { return s.RevokeSessionWithContext(nil) }
	s.GetAllSessionTokensDangerously = func() sessmodels.SessionTokens {
		d := c.current()
		return sessmodels.SessionTokens{
			AccessToken:                   d.Token.Raw,
			RefreshToken:                  d.RefreshToken,
			AntiCsrfToken:                 d.AntiCsrfToken,
			FrontToken:                    d.FrontToken,
			AccessAndFrontendTokenUpdated: d.AccessTokenUpdated,
		}
	}
	return s
}
