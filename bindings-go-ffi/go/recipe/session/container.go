package session

import (
	"encoding/json"
	"net/http"
	"sync"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/cffi"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/errs"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/httpx"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/state"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/sessmodels"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/tessera"
)

// container is the state behind a SessionContainer: the core's handle (with its fields in
// Go memory) and the response that changes to the session are written to (nil outside a
// request).
type container struct {
	mu     sync.Mutex
	rt     *state.Runtime
	handle *cffi.Session
	res    http.ResponseWriter
	// payload is the handle's access-token payload once decoded: most requests never read it.
	payload map[string]interface{}
}

// containerFrom applies a call's mutations to res and wraps its session (nil stays nil).
func containerFrom(rt *state.Runtime, handle *cffi.Session, m *httpx.Mutations, res http.ResponseWriter) (sessmodels.SessionContainer, error) {
	if res != nil {
		if err := m.ApplyHeaders(res); err != nil {
			return nil, err
		}
	}
	if handle == nil {
		return nil, nil
	}
	// One allocation for the state and the struct users see.
	b := &struct {
		c container
		s sessmodels.TypeSessionContainer
	}{c: container{rt: rt, handle: handle, res: res}}
	b.c.fill(&b.s)
	return &b.s, nil
}

// containerFromJSON is containerFrom for the calls that answer {"session", "mutations"}.
func containerFromJSON(rt *state.Runtime, handle *cffi.Session, doc []byte, res http.ResponseWriter) (sessmodels.SessionContainer, error) {
	m, err := mutationsOf(doc)
	if err != nil {
		return nil, err
	}
	return containerFrom(rt, handle, m, res)
}

func (c *container) current() *cffi.SessionFields {
	c.mu.Lock()
	defer c.mu.Unlock()
	return &c.handle.Fields
}

func (c *container) accessTokenPayload() map[string]interface{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.payload == nil {
		payload := map[string]interface{}{}
		// The core wrote this JSON object from a live handle; it cannot fail.
		if doc, err := c.handle.AccessTokenPayload(); err == nil {
			_ = json.Unmarshal(doc, &payload)
		}
		c.payload = payload
	}
	return c.payload
}

func (c *container) tokens() sessmodels.SessionTokens {
	c.mu.Lock()
	h := c.handle
	c.mu.Unlock()
	f := &h.Fields
	// The front token is built on demand by the core; a live handle cannot fail to give it.
	front, _ := h.FrontToken()
	out := sessmodels.SessionTokens{AccessToken: f.AccessToken, FrontToken: front, AccessAndFrontendTokenUpdated: f.AccessTokenUpdated}
	if f.HasRefreshToken {
		rt := f.RefreshToken
		out.RefreshToken = &rt
	}
	if f.HasAntiCsrfToken {
		csrf := f.AntiCsrfToken
		out.AntiCsrfToken = &csrf
	}
	return out
}

func (c *container) information() (*sessmodels.SessionInformation, error) {
	info, err := GetSessionInformation(c.current().SessionHandle)
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
	m, err := mutationsOf(doc)
	if err != nil {
		return err
	}
	if c.res != nil {
		if err := m.ApplyHeaders(c.res); err != nil {
			return err
		}
	}
	if handle != nil {
		c.handle, c.payload = handle, nil
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
	m, err := decodeMutations(doc)
	if err != nil {
		return err
	}
	return m.ApplyHeaders(c.res)
}

func (c *container) updateData(data map[string]interface{}) error {
	ok, err := UpdateSessionDataInDatabase(c.current().SessionHandle, data)
	if err == nil && !ok {
		err = errs.New(errs.Unauthorised.Code(), "session does not exist anymore")
	}
	return err
}

// fill sets s's functions to work on c; the plain ones go through the WithContext ones, so
// that replacing one of those changes both, as in supertokens-golang.
func (c *container) fill(s *sessmodels.TypeSessionContainer) {
	s.GetAccessTokenWithContext = func(tessera.UserContext) string { return c.current().AccessToken }
	s.GetUserIDWithContext = func(tessera.UserContext) string { return c.current().UserID }
	s.GetRecipeUserIDWithContext = func(tessera.UserContext) string { return c.current().RecipeUserID }
	s.GetTenantIdWithContext = func(tessera.UserContext) string { return c.current().TenantID }
	s.GetHandleWithContext = func(tessera.UserContext) string { return c.current().SessionHandle }
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
	s.GetAllSessionTokensDangerously = c.tokens
}
