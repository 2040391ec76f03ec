package session

import (
	"encoding/json"
	"net/http"
	"sync"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/cffi"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/errs"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/httpx"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/state"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/claims"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/errors"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/sessmodels"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/supertokens"
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
	// holding says that what the session's methods would write to res is kept in held
	// instead, until releaseWrites: while getSession asserts the claims (see whileHeld).
	holding bool
	held    []*httpx.Mutations
}

// block is one session as users see it: its state, its SessionContainer and the closures
// in it (see closures.go), and the handle a verification made, all in one allocation.
type block struct {
	c   container
	s   sessmodels.TypeSessionContainer
	fns [numFuncs]funcval
	// own is the handle verification wrote here, freed when the block is unreachable; c.handle
	// points to it, or to the handle a merge made.
	own cffi.Session
}

// applyMutations writes a call's mutations to res, if there is a response.
func applyMutations(m *httpx.Mutations, res http.ResponseWriter) error {
	if res == nil {
		return nil
	}
	return m.ApplyHeaders(res)
}

// containerFrom applies a call's mutations to res and wraps its session (nil stays nil).
func containerFrom(rt *state.Runtime, handle *cffi.Session, m *httpx.Mutations, res http.ResponseWriter) (sessmodels.SessionContainer, error) {
	if err := applyMutations(m, res); err != nil {
		return nil, err
	}
	if handle == nil {
		return nil, nil
	}
	b := &block{c: container{rt: rt, handle: handle, res: res}}
	b.fill()
	return &b.s, nil
}

// containerOwning wraps own, an unmanaged session a verification wrote, in a SessionContainer
// that frees it when unreachable.
func containerOwning(rt *state.Runtime, own *cffi.Session, res http.ResponseWriter) sessmodels.SessionContainer {
	return &blockOwning(rt, own, res).s
}

// blockOwning is containerOwning's block.
func blockOwning(rt *state.Runtime, own *cffi.Session, res http.ResponseWriter) *block {
	b := &block{c: container{rt: rt, res: res}, own: *own}
	b.c.handle = &b.own
	cffi.FreeWhenUnreachable(b, &b.own)
	b.fill()
	return b
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

// sessionGone is the error of a session method whose session was revoked meanwhile: as in
// the SDKs, answering it clears the client's tokens.
func sessionGone() error {
	clear := true
	return errors.UnauthorizedError{Msg: "Session does not exist anymore.", ClearTokens: &clear}
}

// functions are the recipe's functions the session calls: after Override.Functions, or the
// defaults.
func (c *container) functions() *sessmodels.RecipeInterface {
	if impl := functionsOf(c.rt); impl != nil {
		return &impl.fns
	}
	return &defaultFunctions
}

// orEmpty is the user context the recipe's functions get from a session method called
// without one, as supertokens-golang's give them.
func orEmpty(userContext supertokens.UserContext) supertokens.UserContext {
	if userContext == nil {
		return emptyContext()
	}
	return userContext
}

func (c *container) information(userContext supertokens.UserContext) (*sessmodels.SessionInformation, error) {
	info, err := (*c.functions().GetSessionInformation)(c.current().SessionHandle, orEmpty(userContext))
	if err == nil && info == nil {
		err = sessionGone()
	}
	return info, err
}

// merge is MergeIntoAccessTokenPayloadWithContext: the core merges and regenerates the
// session's token, unless Override.Functions replaced RegenerateAccessToken (see
// mergeThroughRegenerate).
func (c *container) merge(update map[string]interface{}, userContext supertokens.UserContext) error {
	if impl := functionsOf(c.rt); impl != nil && impl.replaced.regenerateAccessToken {
		return c.mergeThroughRegenerate(impl, update, userContext)
	}
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
	return c.takeNewToken(handle, doc)
}

// write writes m, what a session method changed, to the response, if there is one, or keeps
// it while the writes are held (see whileHeld). The caller holds c.mu.
func (c *container) write(m *httpx.Mutations) error {
	switch {
	case c.res == nil:
		return nil
	case c.holding:
		c.held = append(c.held, m)
		return nil
	}
	return m.ApplyHeaders(c.res)
}

// isHolding says whether the writes are held already, by a caller that will release them.
func (c *container) isHolding() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.holding
}

// whileHeld runs f with what the session's methods write to the response held back, after
// first (if any), then writes it all if f succeeded and drops it if f failed or panicked.
func (c *container) whileHeld(first *httpx.Mutations, f func() error) error {
	c.mu.Lock()
	c.holding = true
	if first != nil {
		c.held = append(c.held, first)
	}
	c.mu.Unlock()
	released := false
	defer func() {
		if !released {
			_ = c.releaseWrites(false)
		}
	}()
	err := f()
	released = true
	if rerr := c.releaseWrites(err == nil); err == nil {
		err = rerr
	}
	return err
}

// releaseWrites ends the holding of whileHeld: what was held is written to the response, in
// order, when apply, or else dropped.
func (c *container) releaseWrites(apply bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	held := c.held
	c.holding, c.held = false, nil
	if !apply {
		return nil
	}
	for _, m := range held {
		if err := c.write(m); err != nil {
			return err
		}
	}
	return nil
}

// takeNewToken writes the mutations of doc (the core's answer to a merge) to the response (see
// write) and makes handle, the session with the new access token, the container's, if there
// is one. The caller holds c.mu.
func (c *container) takeNewToken(handle *cffi.Session, doc []byte) error {
	m, err := mutationsOf(doc)
	if err != nil {
		return err
	}
	if err := c.write(m); err != nil {
		return err
	}
	if handle != nil {
		c.handle, c.payload = handle, nil
	}
	return nil
}

// mergedCustomPayload is the custom payload a merge of update makes, from the core: the
// session's own claims merged with update, whose protected props are ignored and whose nil
// values remove their keys. A key the core took from update keeps update's own value, as
// supertokens-golang hands it on (not its JSON copy: an int stays an int).
func (c *container) mergedCustomPayload(update map[string]interface{}) (map[string]interface{}, error) {
	in, err := marshal(map[string]interface{}{"update": update})
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	doc, err := c.handle.MergedCustomPayload(in)
	c.mu.Unlock()
	if err != nil {
		return nil, err
	}
	payload := map[string]interface{}{}
	if err := json.Unmarshal(doc, &payload); err != nil {
		return nil, errs.New(errs.Internal.Code(), "unreadable answer from tessera: %v", err)
	}
	for k, v := range update {
		if _, kept := payload[k]; kept {
			payload[k] = v
		}
	}
	return payload, nil
}

// mergeThroughRegenerate is supertokens-golang's MergeIntoAccessTokenPayloadWithContext, for
// an application whose Override.Functions replaced RegenerateAccessToken: the replacement
// gets the session's custom payload merged with update (mergedCustomPayload), and the token
// it returns becomes the session's, written to the response as the core's merge writes one.
// A nil answer (the session is gone) is UNAUTHORISED; one without a token (the
// given one had expired) writes nothing: the client gets the stored payload at its refresh.
func (c *container) mergeThroughRegenerate(impl *implementation, update map[string]interface{}, userContext supertokens.UserContext) error {
	payload, err := c.mergedCustomPayload(update)
	if err != nil {
		return err
	}
	answer, err := (*impl.fns.RegenerateAccessToken)(c.current().AccessToken, &payload, orEmpty(userContext))
	if err != nil {
		return err
	}
	if answer == nil {
		return sessionGone()
	}
	if answer.AccessToken.Token == "" {
		return nil
	}
	in, err := marshal(map[string]interface{}{"accessToken": answer.AccessToken.Token})
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	handle, doc, err := c.rt.Engine.AdoptAccessToken(c.handle, in)
	if err != nil {
		return err
	}
	return c.takeNewToken(handle, doc)
}

// revoke is RevokeSessionWithContext: the core revokes the session and clears its tokens in
// one call, unless Override.Functions is given, when the recipe's RevokeSession revokes it
// and the tokens are cleared after it (whatever it answered, as in supertokens-golang).
func (c *container) revoke(userContext supertokens.UserContext) error {
	impl := functionsOf(c.rt)
	if impl != nil {
		if _, err := (*impl.fns.RevokeSession)(c.current().SessionHandle, orEmpty(userContext)); err != nil {
			return err
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var doc []byte
	var err error
	if impl == nil {
		doc, err = c.rt.Engine.RevokeSession(c.handle)
	} else if c.res != nil {
		doc, err = c.rt.Engine.ClearTokens(c.handle)
	}
	if err != nil || c.res == nil {
		return err
	}
	m, err := decodeMutations(doc)
	if err != nil {
		return err
	}
	return c.write(m)
}

// attach puts the session into a request whose response is res: the core gives the session
// on the transport input names and what to write on res (tessera_session_attach_to_request).
func (c *container) attach(input map[string]interface{}, res http.ResponseWriter) error {
	in, err := marshal(input)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	handle, doc, err := c.rt.Engine.AttachToRequest(c.handle, in)
	if err != nil {
		return err
	}
	m, err := mutationsOf(doc)
	if err != nil {
		return err
	}
	if res != nil {
		if err := m.ApplyHeaders(res); err != nil {
			return err
		}
	}
	c.handle, c.res = handle, res
	return nil
}

// attachTo is AttachToRequestResponseWithContext: the core writes the session's tokens on
// info's transport when its access token was updated, and the session's later changes go to
// info.Res. As supertokens-golang's, it puts info.Req in userContext.
func (c *container) attachTo(info sessmodels.RequestResponseInfo, userContext supertokens.UserContext) error {
	if userContext != nil {
		supertokens.SetRequestInUserContextIfNotDefined(userContext, info.Req)
	}
	return c.attach(map[string]interface{}{"transfer": string(info.TokenTransferMethod)}, info.Res)
}

func (c *container) updateData(data map[string]interface{}, userContext supertokens.UserContext) error {
	ok, err := (*c.functions().UpdateSessionDataInDatabase)(c.current().SessionHandle, data, orEmpty(userContext))
	if err == nil && !ok {
		err = sessionGone()
	}
	return err
}

// makeClosures sets b.s's functions, each a closure over b and nothing else (closures.go
// relies on it); the plain ones go through the WithContext ones, so that replacing one of
// those changes both, as in supertokens-golang.
//
//go:noinline
func (b *block) makeClosures() {
	b.s.GetAccessTokenWithContext = func(supertokens.UserContext) string { return b.c.current().AccessToken }
	b.s.GetUserIDWithContext = func(supertokens.UserContext) string { return b.c.current().UserID }
	b.s.GetRecipeUserIDWithContext = func(supertokens.UserContext) string { return b.c.current().RecipeUserID }
	b.s.GetTenantIdWithContext = func(supertokens.UserContext) string { return b.c.current().TenantID }
	b.s.GetHandleWithContext = func(supertokens.UserContext) string { return b.c.current().SessionHandle }
	b.s.GetAccessTokenPayloadWithContext = func(supertokens.UserContext) map[string]interface{} {
		return b.c.accessTokenPayload()
	}
	b.s.GetTimeCreatedWithContext = func(ctx supertokens.UserContext) (uint64, error) {
		info, err := b.c.information(ctx)
		if err != nil {
			return 0, err
		}
		return info.TimeCreated, nil
	}
	b.s.GetExpiryWithContext = func(ctx supertokens.UserContext) (uint64, error) {
		info, err := b.c.information(ctx)
		if err != nil {
			return 0, err
		}
		return info.Expiry, nil
	}
	b.s.GetSessionDataInDatabaseWithContext = func(ctx supertokens.UserContext) (map[string]interface{}, error) {
		info, err := b.c.information(ctx)
		if err != nil {
			return nil, err
		}
		return info.SessionDataInDatabase, nil
	}
	b.s.UpdateSessionDataInDatabaseWithContext = func(data map[string]interface{}, ctx supertokens.UserContext) error {
		return b.c.updateData(data, ctx)
	}
	b.s.MergeIntoAccessTokenPayloadWithContext = func(update map[string]interface{}, ctx supertokens.UserContext) error {
		return b.c.merge(update, ctx)
	}
	b.s.RevokeSessionWithContext = func(ctx supertokens.UserContext) error { return b.c.revoke(ctx) }
	b.s.AssertClaimsWithContext = func(validators []claims.SessionClaimValidator, ctx supertokens.UserContext) error {
		return b.assertClaims(validators, ctx)
	}
	b.s.FetchAndSetClaimWithContext = func(claim *claims.TypeSessionClaim, ctx supertokens.UserContext) error {
		update, err := claim.Build(b.s.GetUserIDWithContext(ctx), b.s.GetTenantIdWithContext(ctx), nil, ctx)
		if err != nil {
			return err
		}
		return b.s.MergeIntoAccessTokenPayloadWithContext(update, ctx)
	}
	b.s.SetClaimValueWithContext = func(claim *claims.TypeSessionClaim, value interface{}, ctx supertokens.UserContext) error {
		return b.s.MergeIntoAccessTokenPayloadWithContext(claim.AddToPayload_internal(map[string]interface{}{}, value, ctx), ctx)
	}
	b.s.GetClaimValueWithContext = func(claim *claims.TypeSessionClaim, ctx supertokens.UserContext) interface{} {
		return claim.GetValueFromPayload(b.s.GetAccessTokenPayloadWithContext(ctx), ctx)
	}
	b.s.RemoveClaimWithContext = func(claim *claims.TypeSessionClaim, ctx supertokens.UserContext) error {
		return b.s.MergeIntoAccessTokenPayloadWithContext(claim.RemoveFromPayloadByMerge_internal(map[string]interface{}{}, ctx), ctx)
	}

	b.s.AttachToRequestResponseWithContext = func(info sessmodels.RequestResponseInfo, ctx supertokens.UserContext) error {
		return b.c.attachTo(info, ctx)
	}

	b.s.GetAccessToken = func() string { return b.s.GetAccessTokenWithContext(nil) }
	b.s.GetUserID = func() string { return b.s.GetUserIDWithContext(nil) }
	b.s.GetRecipeUserID = func() string { return b.s.GetRecipeUserIDWithContext(nil) }
	b.s.GetTenantId = func() string { return b.s.GetTenantIdWithContext(nil) }
	b.s.GetHandle = func() string { return b.s.GetHandleWithContext(nil) }
	b.s.GetAccessTokenPayload = func() map[string]interface{} { return b.s.GetAccessTokenPayloadWithContext(nil) }
	b.s.GetTimeCreated = func() (uint64, error) { return b.s.GetTimeCreatedWithContext(nil) }
	b.s.GetExpiry = func() (uint64, error) { return b.s.GetExpiryWithContext(nil) }
	b.s.GetSessionDataInDatabase = func() (map[string]interface{}, error) { return b.s.GetSessionDataInDatabaseWithContext(nil) }
	b.s.UpdateSessionDataInDatabase = func(d map[string]interface{}) error { return b.s.UpdateSessionDataInDatabaseWithContext(d, nil) }
	b.s.MergeIntoAccessTokenPayload = func(u map[string]interface{}) error { return b.s.MergeIntoAccessTokenPayloadWithContext(u, nil) }
	b.s.RevokeSession = func() error { return b.s.RevokeSessionWithContext(nil) }
	b.s.GetAllSessionTokensDangerously = func() sessmodels.SessionTokens { return b.c.tokens() }
	b.s.AssertClaims = func(v []claims.SessionClaimValidator) error { return b.s.AssertClaimsWithContext(v, emptyContext()) }
	b.s.FetchAndSetClaim = func(c *claims.TypeSessionClaim) error { return b.s.FetchAndSetClaimWithContext(c, emptyContext()) }
	b.s.SetClaimValue = func(c *claims.TypeSessionClaim, v interface{}) error {
		return b.s.SetClaimValueWithContext(c, v, emptyContext())
	}
	b.s.GetClaimValue = func(c *claims.TypeSessionClaim) interface{} { return b.s.GetClaimValueWithContext(c, emptyContext()) }
	b.s.RemoveClaim = func(c *claims.TypeSessionClaim) error { return b.s.RemoveClaimWithContext(c, emptyContext()) }
	b.s.AttachToRequestResponse = func(info sessmodels.RequestResponseInfo) error {
		return b.s.AttachToRequestResponseWithContext(info, emptyContext())
	}
}
