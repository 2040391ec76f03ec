// Package session is the session recipe, in the shape of supertokens-golang's
// recipe/session: Init, VerifySession, GetSession, CreateNewSession, RefreshSession, the
// functions on stored sessions, and CreateJWT, GetJWKS and GetOpenIdDiscoveryConfiguration.
// Every decision is the core's; this package translates net/http requests and responses.
package session

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/cffi"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/errs"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/httpx"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/sesserr"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/state"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/claims"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/errors"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/sessmodels"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/supertokens"
)

// Init makes the session recipe for supertokens.TypeInput.RecipeList; config may be nil.
func Init(config *sessmodels.TypeInput) supertokens.Recipe {
	options := recipeOptions{}
	if config != nil {
		options.TypeInput = *config
	}
	return func() (string, interface{}) { return "session", options }
}

// recipeOptions are the options supertokens.Init reads: TypeInput as JSON for the core, and the
// hooks, which only Go can call.
type recipeOptions struct{ sessmodels.TypeInput }

// SessionErrorHandlers are the application's ErrorHandlers by the code of the error each
// answers, called as supertokens-golang calls them; nil when there are none, so that
// requests of applications without handlers do not look for them.
func (o recipeOptions) SessionErrorHandlers() map[string]state.SessionErrorHandler {
	h := o.ErrorHandlers
	if h == nil {
		return nil
	}
	out := map[string]state.SessionErrorHandler{}
	if f := h.OnUnauthorised; f != nil {
		out[errors.UnauthorizedErrorStr] = func(e *errs.Error, req *http.Request, res http.ResponseWriter) error {
			return f(e.Message, req, res)
		}
	}
	if f := h.OnTryRefreshToken; f != nil {
		out[errors.TryRefreshTokenErrorStr] = func(e *errs.Error, req *http.Request, res http.ResponseWriter) error {
			return f(e.Message, req, res)
		}
	}
	if f := h.OnTokenTheftDetected; f != nil {
		out[errors.TokenTheftDetectedErrorStr] = func(e *errs.Error, req *http.Request, res http.ResponseWriter) error {
			theft, _ := sesserr.Public(e).(errors.TokenTheftDetectedError)
			return f(theft.Payload.SessionHandle, theft.Payload.UserID, req, res)
		}
	}
	if f := h.OnInvalidClaim; f != nil {
		out[errors.InvalidClaimsErrorStr] = func(e *errs.Error, req *http.Request, res http.ResponseWriter) error {
			invalid, _ := sesserr.Public(e).(errors.InvalidClaimError)
			if invalid.InvalidClaims == nil {
				invalid.InvalidClaims = []claims.ClaimValidationError{}
			}
			return f(invalid.InvalidClaims, req, res)
		}
	}
	if f := h.OnClearDuplicateSessionCookies; f != nil {
		out[errors.ClearDuplicateSessionCookiesErrorStr] = func(e *errs.Error, req *http.Request, res http.ResponseWriter) error {
			return f(e.Message, req, res)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func (o recipeOptions) TokenTransferMethodHook() func(*http.Request, bool, *map[string]interface{}) string {
	get := o.GetTokenTransferMethod
	if get == nil {
		return nil
	}
	return func(req *http.Request, forCreateNewSession bool, userContext *map[string]interface{}) string {
		return string(get(req, forCreateNewSession, userContext))
	}
}

// VerifySession wraps a handler: it verifies the request's session, writes whatever the
// protocol asks on the response headers, and calls otherHandler with the session in the
// request context (nil when SessionRequired is false and there is none). On an error the
// handler is not called: supertokens.ErrorHandler answers session errors (with the recipe's
// ErrorHandlers, if any), and OnSuperTokensAPIError anything else, including the error an
// ErrorHandlers function returns.
//
// When the recipe's Override.APIs replaced APIInterface.VerifySession, that function gives
// the session (or the error), called with a new user context holding the request, as in
// supertokens-golang; when Override.Functions replaced a function the request may call,
// GetSession is called with such a context.
func VerifySession(options *sessmodels.VerifySessionOptions, otherHandler http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var s sessmodels.SessionContainer
		var err error
		var userContext supertokens.UserContext
		var impl *implementation
		if rt, rerr := state.Get(); rerr == nil {
			impl = recipeImplementation(rt)
		}
		switch {
		case impl != nil && impl.verifySession != nil:
			userContext = supertokens.MakeDefaultUserContextFromAPI(r)
			s, err = (*impl.verifySession)(options, impl.apiOptions(r, w, otherHandler), userContext)
		case impl != nil && (impl.replaced.beyondCreation || (options != nil && options.OverrideGlobalClaimValidators != nil)):
			// What the request may call gets the request in its user context, as in
			// supertokens-golang; the usual request makes no user context.
			userContext = supertokens.MakeDefaultUserContextFromAPI(r)
			s, err = getSession(r, w, options, true, userContext)
		default:
			s, err = getSession(r, w, options, true)
		}
		if err != nil {
			if herr := supertokens.ErrorHandler(err, r, w, userContext); herr != nil {
				if rt, rerr := state.Get(); rerr == nil {
					rt.OnAPIError(herr, r, w)
				} else {
					http.Error(w, herr.Error(), http.StatusInternalServerError)
				}
			}
			return
		}
		otherHandler(w, r.WithContext(context.WithValue(r.Context(), sessmodels.SessionContext, s)))
	}
}

// GetSessionFromRequestContext returns the session VerifySession put in ctx (under
// sessmodels.SessionContext, where an application's own VerifySession may put one too), or
// nil.
func GetSessionFromRequestContext(ctx context.Context) sessmodels.SessionContainer {
	s, _ := ctx.Value(sessmodels.SessionContext).(sessmodels.SessionContainer)
	return s
}

// sessionResult is the JSON of calls that make a session; the session's fields are read
// from its handle.
type sessionResult struct {
	Mutations *httpx.Mutations `json:"mutations"`
}

func marshal(v interface{}) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, errs.New(errs.InvalidInput.Code(), "%v", err)
	}
	return b, nil
}

func mutationsOf(doc []byte) (*httpx.Mutations, error) {
	var res sessionResult
	if err := json.Unmarshal(doc, &res); err != nil {
		return nil, errs.New(errs.Internal.Code(), "unreadable answer from tessera: %v", err)
	}
	return res.Mutations, nil
}

// verifyOptions are options as the ABI takes them (AntiCsrfCheck -1: the default).
func verifyOptions(options *sessmodels.VerifySessionOptions) cffi.VerifyOptions {
	o := cffi.VerifyOptions{SessionRequired: true, AntiCsrfCheck: -1}
	if options != nil {
		if options.SessionRequired != nil {
			o.SessionRequired = *options.SessionRequired
		}
		if options.AntiCsrfCheck != nil {
			o.AntiCsrfCheck = 0
			if *options.AntiCsrfCheck {
				o.AntiCsrfCheck = 1
			}
		}
		o.CheckDatabase = options.CheckDatabase != nil && *options.CheckDatabase
	}
	return o
}

// packBuffers are reused for packed requests: the core copies what it keeps.
var packBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

// GetSession verifies the request's session and writes what the protocol asks on res's
// headers. It returns nil without an error when options.SessionRequired is false and the
// request has no session. With Override.Functions, the claim validators are the recipe's
// GetGlobalClaimValidators (then the options' OverrideGlobalClaimValidators), and a replaced
// GetSession is given what the request carries, as supertokens-golang's
// getSessionFromRequest does; the session it returns is put on the request's transport, its
// tokens written on res if they changed.
func GetSession(req *http.Request, res http.ResponseWriter, options *sessmodels.VerifySessionOptions, userContext ...supertokens.UserContext) (sessmodels.SessionContainer, error) {
	return getSession(req, res, options, false, userContext...)
}

// getSession is GetSession, or with apiRules the verification of supertokens-golang's
// VerifySession API, which guards a route: an OPTIONS or TRACE request has no session, and a
// POST to the refresh path is refreshed (its claims unchecked). GetSession itself verifies
// what the request carries whatever its method and path, as supertokens-golang's.
func getSession(req *http.Request, res http.ResponseWriter, options *sessmodels.VerifySessionOptions, apiRules bool, userContext ...supertokens.UserContext) (sessmodels.SessionContainer, error) {
	rt, err := state.Get()
	if err != nil {
		return nil, err
	}
	impl := functionsOf(rt)
	if impl != nil && impl.replaced.getSession {
		if apiRules && refreshesHere(rt, req) {
			return RefreshSession(req, res, userContext...)
		}
		return impl.getSessionInRequest(rt, req, res, options, apiRules, contextOf(userContext))
	}
	o := verifyOptions(options)
	o.GetSessionRules = !apiRules
	if o.TransferMethod, err = state.TransferMethodCode(rt.TransferMethod(req, false, userContext)); err != nil {
		return nil, err
	}
	buf := packBuffers.Get().(*[]byte)
	*buf = httpx.Pack((*buf)[:0], req, rt.RequestHeaderKeys)
	var own cffi.Session
	found, mutations, err := rt.Engine.VerifyRequest(*buf, o, &own)
	if cap(*buf) <= 64<<10 {
		packBuffers.Put(buf)
	}
	if err != nil {
		return nil, err
	}
	m, err := decodeMutations(mutations)
	if err == nil && (!found || m == nil || res == nil) {
		err = applyMutations(m, res)
		m = nil
	}
	if err != nil {
		if found {
			own.Free()
		}
		return nil, err
	}
	if !found {
		return nil, nil
	}
	// A POST to the refresh path was refreshed, as supertokens-golang's VerifySession API
	// refreshes it: its claims are not checked, and its tokens are written at once.
	if apiRules && m != nil && refreshesHere(rt, req) {
		return containerOwning(rt, &own, res), applyMutations(m, res)
	}
	var uc supertokens.UserContext
	if len(userContext) > 0 {
		uc = userContext[0]
	}
	if m == nil {
		return checkClaims(impl, containerOwning(rt, &own, res), options, uc)
	}
	// The verification brought a new access token (a session the core updated): like a value
	// the claim check fetches, it is written once the claims passed, and a 403 carries none,
	// as supertokens-golang writes it when it attaches the session, after the claims.
	b := blockOwning(rt, &own, res)
	var s sessmodels.SessionContainer
	if err := b.c.whileHeld(m, func() (err error) {
		s, err = checkClaims(impl, &b.s, options, uc)
		return err
	}); err != nil {
		return nil, err
	}
	return s, nil
}

// refreshesHere says whether supertokens-golang's VerifySession API refreshes req: a POST to
// the refresh path.
func refreshesHere(rt *state.Runtime, req *http.Request) bool {
	if req.Method != http.MethodPost {
		return false
	}
	endpoint, _ := rt.Engine.APIEndpointOf(req.Method, req.URL.RequestURI())
	return endpoint == cffi.APIEndpointRefresh
}

// sessionRequestInput is what tessera_engine_session_request_input reads from a request.
type sessionRequestInput struct {
	AccessToken   *string `json:"accessToken"`
	AntiCsrfToken *string `json:"antiCsrfToken"`
	AntiCsrfCheck bool    `json:"antiCsrfCheck"`
	Transfer      *string `json:"transfer"`
}

// getSessionInRequest is GetSession when Override.Functions replaced GetSession: the core
// reads the request, the replacement verifies what was read, and the session it returns is
// attached to the request.
func (impl *implementation) getSessionInRequest(rt *state.Runtime, req *http.Request, res http.ResponseWriter, options *sessmodels.VerifySessionOptions, apiRules bool, userContext supertokens.UserContext) (sessmodels.SessionContainer, error) {
	// As the verifySession API: preflight and TRACE requests carry no session.
	if apiRules && (req.Method == http.MethodOptions || req.Method == http.MethodTrace) {
		return nil, nil
	}
	method := rt.TransferMethod(req, false, []*map[string]interface{}{userContext})
	var antiCsrfCheck *bool
	if options != nil {
		antiCsrfCheck = options.AntiCsrfCheck
	}
	input, err := marshal(map[string]interface{}{
		"request":       httpx.FromHTTP(req, rt.RequestHeaders, rt.RequestHeaderKeys, method),
		"antiCsrfCheck": antiCsrfCheck,
	})
	if err != nil {
		return nil, err
	}
	doc, err := rt.Engine.SessionRequestInput(input)
	if err != nil {
		return nil, err
	}
	var in sessionRequestInput
	if err := json.Unmarshal(doc, &in); err != nil {
		return nil, errs.New(errs.Internal.Code(), "unreadable answer from tessera: %v", err)
	}
	passed := &sessmodels.VerifySessionOptions{AntiCsrfCheck: &in.AntiCsrfCheck}
	if options != nil {
		passed.SessionRequired, passed.CheckDatabase = options.SessionRequired, options.CheckDatabase
		passed.OverrideGlobalClaimValidators = options.OverrideGlobalClaimValidators
	}
	s, err := (*impl.fns.GetSession)(in.AccessToken, in.AntiCsrfToken, passed, userContext)
	if err != nil || s == nil {
		return nil, err
	}
	if s, err = checkClaims(impl, s, options, userContext); err != nil {
		return nil, err
	}
	var transfer string
	switch {
	case in.Transfer != nil:
		transfer = *in.Transfer
	case method == "cookie" || (method == "" && impl.config.TokenTransferMethod == sessmodels.CookieTransferMethod):
		// The replacement found a session without a token from the request: the transport
		// the application allows, header when it allows both, as supertokens-golang falls
		// back.
		transfer = "cookie"
	default:
		transfer = "header"
	}
	return s, attach(s, req, res, transfer, map[string]interface{}{"transfer": transfer}, userContext, false)
}

// attach puts s, returned by a replaced GetSession or RefreshSession, into req, whose response
// is res, on transfer. A session Tessera made is attached by the core (see
// tessera_session_attach_to_request; input is what it reads: for a refresh, the request
// too, for the refresh endpoint's answer); any other goes through its
// AttachToRequestResponseWithContext, as supertokens-golang attaches every session. One with
// neither attach function is left as it is, unless its tokens must be written (required: a
// refresh), which Tessera cannot do for it.
func attach(s sessmodels.SessionContainer, req *http.Request, res http.ResponseWriter, transfer string, input map[string]interface{}, userContext supertokens.UserContext, required bool) error {
	b := blockOf(s)
	if b != nil && ownAttach(s) {
		return b.c.attach(input, res)
	}
	info := sessmodels.RequestResponseInfo{Req: req, Res: res, TokenTransferMethod: sessmodels.TokenTransferMethod(transfer)}
	switch {
	case s.AttachToRequestResponseWithContext != nil:
		return s.AttachToRequestResponseWithContext(info, userContext)
	case s.AttachToRequestResponse != nil:
		return s.AttachToRequestResponse(info)
	case b != nil:
		return b.c.attach(input, res)
	case required || (s.GetAllSessionTokensDangerously != nil && s.GetAllSessionTokensDangerously().AccessAndFrontendTokenUpdated):
		return errs.New(errs.NotSupported.Code(), "the overridden recipe function returned a session Tessera did not make, without AttachToRequestResponse: its tokens cannot be written to the response")
	}
	return nil
}

// decodeMutations reads mutations JSON; nil (the usual case on the verify path) is none.
func decodeMutations(doc []byte) (*httpx.Mutations, error) {
	if doc == nil {
		return nil, nil
	}
	var m *httpx.Mutations
	if err := json.Unmarshal(doc, &m); err != nil {
		return nil, errs.New(errs.Internal.Code(), "unreadable answer from tessera: %v", err)
	}
	return m, nil
}

// CreateNewSession creates a session for recipeUserId in tenantId and writes its tokens on
// res, on the transport the request asks for (st-auth-mode). With Override.Functions it
// returns what the override's CreateNewSession returns, called as supertokens-golang calls it:
// with the caller's user context as it is (an empty one if none; the request is not in it),
// the session then attached to the response (see sessmodels.TypeSessionContainer).
func CreateNewSession(req *http.Request, res http.ResponseWriter, tenantId string, recipeUserId string, accessTokenPayload map[string]interface{}, sessionDataInDatabase map[string]interface{}, userContext ...supertokens.UserContext) (sessmodels.SessionContainer, error) {
	rt, err := state.Get()
	if err != nil {
		return nil, err
	}
	if impl := functionsOf(rt); impl != nil {
		return impl.createNewSession(rt, req, res, tenantId, recipeUserId, accessTokenPayload, sessionDataInDatabase, userContext)
	}
	return createInRequest(rt, req, res, rt.TransferMethod(req, true, userContext), tenantId, recipeUserId, accessTokenPayload, sessionDataInDatabase)
}

// createInRequest makes a session for req, whose GetTokenTransferMethod said transferMethod,
// and writes its tokens on res.
func createInRequest(rt *state.Runtime, req *http.Request, res http.ResponseWriter, transferMethod string, tenantId string, recipeUserId string, accessTokenPayload map[string]interface{}, sessionDataInDatabase map[string]interface{}) (sessmodels.SessionContainer, error) {
	input, err := marshal(map[string]interface{}{
		"request":               httpx.FromHTTP(req, rt.RequestHeaders, rt.RequestHeaderKeys, transferMethod),
		"tenantId":              tenantId,
		"recipeUserId":          recipeUserId,
		"accessTokenPayload":    accessTokenPayload,
		"sessionDataInDatabase": sessionDataInDatabase,
	})
	if err != nil {
		return nil, err
	}
	handle, doc, err := rt.Engine.CreateNewSession(input)
	if err != nil {
		return nil, err
	}
	return containerFromJSON(rt, handle, doc, res)
}

// CreateNewSessionWithoutRequestResponse creates a session outside a request; read its
// tokens with GetAllSessionTokensDangerously. With Override.Functions it returns what the
// override's CreateNewSession returns.
func CreateNewSessionWithoutRequestResponse(tenantId string, recipeUserId string, accessTokenPayload map[string]interface{}, sessionDataInDatabase map[string]interface{}, disableAntiCSRF *bool, userContext ...supertokens.UserContext) (sessmodels.SessionContainer, error) {
	rt, err := state.Get()
	if err != nil {
		return nil, err
	}
	if impl := functionsOf(rt); impl != nil {
		return impl.createNewSessionWithoutRequestResponse(tenantId, recipeUserId, accessTokenPayload, sessionDataInDatabase, disableAntiCSRF, userContext)
	}
	return createWithoutRequest(rt, tenantId, recipeUserId, accessTokenPayload, sessionDataInDatabase, disableAntiCSRF)
}

func createWithoutRequest(rt *state.Runtime, tenantId string, recipeUserId string, accessTokenPayload map[string]interface{}, sessionDataInDatabase map[string]interface{}, disableAntiCSRF *bool) (sessmodels.SessionContainer, error) {
	input, err := marshal(map[string]interface{}{
		"tenantId":              tenantId,
		"recipeUserId":          recipeUserId,
		"accessTokenPayload":    accessTokenPayload,
		"sessionDataInDatabase": sessionDataInDatabase,
		"disableAntiCsrf":       disableAntiCSRF != nil && *disableAntiCSRF,
	})
	if err != nil {
		return nil, err
	}
	handle, doc, err := rt.Engine.CreateNewSession(input)
	if err != nil {
		return nil, err
	}
	return containerFromJSON(rt, handle, doc, nil)
}

// GetSessionWithoutRequestResponse verifies an access token (and anti-CSRF token) given
// directly. The anti-CSRF check is on unless options.AntiCsrfCheck says otherwise. With
// Override.Functions it returns what the recipe's GetSession returns, after GetSession's
// claim validators.
func GetSessionWithoutRequestResponse(accessToken string, antiCSRFToken *string, options *sessmodels.VerifySessionOptions, userContext ...supertokens.UserContext) (sessmodels.SessionContainer, error) {
	rt, err := state.Get()
	if err != nil {
		return nil, err
	}
	impl := functionsOf(rt)
	if impl == nil {
		s, err := verifyToken(rt, accessToken, antiCSRFToken, options)
		if err != nil || s == nil {
			return nil, err
		}
		var uc supertokens.UserContext
		if len(userContext) > 0 {
			uc = userContext[0]
		}
		return checkClaims(nil, s, options, uc)
	}
	uc := contextOf(userContext)
	s, err := (*impl.fns.GetSession)(&accessToken, antiCSRFToken, options, uc)
	if err != nil || s == nil {
		return nil, err
	}
	return checkClaims(impl, s, options, uc)
}

// verifyToken is the core's getSessionWithoutRequestResponse, claims aside.
func verifyToken(rt *state.Runtime, accessToken string, antiCSRFToken *string, options *sessmodels.VerifySessionOptions) (sessmodels.SessionContainer, error) {
	var own cffi.Session
	found, err := rt.Engine.VerifyToken(accessToken, antiCSRFToken, verifyOptions(options), &own)
	if err != nil || !found {
		return nil, err
	}
	return containerOwning(rt, &own, nil), nil
}

// RefreshSession refreshes the request's session (rotating the refresh token) and writes
// the new tokens on res. Middleware already serves the refresh endpoint; this is for
// applications that serve their own. When Override.Functions replaced RefreshSession, that
// function refreshes what the request carries, as supertokens-golang's
// refreshSessionInRequest has it do, and must return a session Tessera made.
func RefreshSession(req *http.Request, res http.ResponseWriter, userContext ...supertokens.UserContext) (sessmodels.SessionContainer, error) {
	rt, err := state.Get()
	if err != nil {
		return nil, err
	}
	request := rt.Request(req, false, userContext...)
	if impl := functionsOf(rt); impl != nil && impl.replaced.refreshSession {
		return impl.refreshInRequest(rt, req, request, res, contextOf(userContext))
	}
	input, err := marshal(map[string]interface{}{"request": request})
	if err != nil {
		return nil, err
	}
	handle, doc, err := rt.Engine.RefreshSession(input)
	if err != nil {
		return nil, err
	}
	return containerFromJSON(rt, handle, doc, res)
}

// refreshRequestInput is what tessera_engine_refresh_request_input reads from a request.
type refreshRequestInput struct {
	RefreshToken    string  `json:"refreshToken"`
	AntiCsrfToken   *string `json:"antiCsrfToken"`
	DisableAntiCsrf bool    `json:"disableAntiCsrf"`
	Transfer        string  `json:"transfer"`
}

// refreshInRequest is RefreshSession when Override.Functions replaced RefreshSession.
func (impl *implementation) refreshInRequest(rt *state.Runtime, req *http.Request, request httpx.Request, res http.ResponseWriter, userContext supertokens.UserContext) (sessmodels.SessionContainer, error) {
	input, err := marshal(map[string]interface{}{"request": request})
	if err != nil {
		return nil, err
	}
	doc, err := rt.Engine.RefreshRequestInput(input)
	if err != nil {
		return nil, err
	}
	var in refreshRequestInput
	if err := json.Unmarshal(doc, &in); err != nil {
		return nil, errs.New(errs.Internal.Code(), "unreadable answer from tessera: %v", err)
	}
	s, err := (*impl.fns.RefreshSession)(in.RefreshToken, in.AntiCsrfToken, in.DisableAntiCsrf, userContext)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return nil, errs.New(errs.Internal.Code(), "the overridden RefreshSession returned neither a session nor an error")
	}
	if err := attach(s, req, res, in.Transfer, map[string]interface{}{"transfer": in.Transfer, "request": request}, userContext, true); err != nil {
		return nil, err
	}
	return s, nil
}

// RefreshSessionWithoutRequestResponse refreshes a session from its refresh token. With
// Override.Functions it returns what the recipe's RefreshSession returns.
func RefreshSessionWithoutRequestResponse(refreshToken string, disableAntiCSRF *bool, antiCSRFToken *string, userContext ...supertokens.UserContext) (sessmodels.SessionContainer, error) {
	disable := disableAntiCSRF != nil && *disableAntiCSRF
	return (*recipeFunctions().RefreshSession)(refreshToken, antiCSRFToken, disable, contextOf(userContext))
}

func refreshWithoutRequest(refreshToken string, disableAntiCSRF bool, antiCSRFToken *string) (sessmodels.SessionContainer, error) {
	rt, err := state.Get()
	if err != nil {
		return nil, err
	}
	input, err := marshal(map[string]interface{}{
		"refreshToken":    refreshToken,
		"disableAntiCsrf": disableAntiCSRF,
		"antiCsrfToken":   antiCSRFToken,
	})
	if err != nil {
		return nil, err
	}
	handle, doc, err := rt.Engine.RefreshSession(input)
	if err != nil {
		return nil, err
	}
	return containerFromJSON(rt, handle, doc, nil)
}

func manage(op string, input interface{}, out interface{}) error {
	rt, err := state.Get()
	if err != nil {
		return err
	}
	in, err := marshal(input)
	if err != nil {
		return err
	}
	doc, err := rt.Engine.ManageSessions(op, in)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(doc, out); err != nil {
		return errs.New(errs.Internal.Code(), "unreadable answer from tessera: %v", err)
	}
	return nil
}

// The functions on stored sessions call the recipe's functions of the same names (the
// application's, with Override.Functions) with the caller's user context or a new one, as
// supertokens-golang's do; the defaults are the core's operations below.

// RevokeSession revokes one session; it reports whether the session existed.
func RevokeSession(sessionHandle string, userContext ...supertokens.UserContext) (bool, error) {
	return (*recipeFunctions().RevokeSession)(sessionHandle, contextOf(userContext))
}

// RevokeMultipleSessions revokes sessions; it returns the handles of those that existed.
func RevokeMultipleSessions(sessionHandles []string, userContext ...supertokens.UserContext) ([]string, error) {
	return (*recipeFunctions().RevokeMultipleSessions)(sessionHandles, contextOf(userContext))
}

// RevokeAllSessionsForUser revokes a user's sessions in one tenant (all tenants when
// tenantId is nil) and returns their handles. The recipe's function is given the tenant
// "public" and revokeAcrossAllTenants true for nil, the tenant and false otherwise.
func RevokeAllSessionsForUser(userID string, tenantId *string, userContext ...supertokens.UserContext) ([]string, error) {
	tenant, all := tenantArguments(tenantId)
	return (*recipeFunctions().RevokeAllSessionsForUser)(userID, tenant, all, contextOf(userContext))
}

// GetAllSessionHandlesForUser lists a user's live sessions in one tenant (all tenants when
// tenantId is nil), calling the recipe's function as RevokeAllSessionsForUser does.
func GetAllSessionHandlesForUser(userID string, tenantId *string, userContext ...supertokens.UserContext) ([]string, error) {
	tenant, all := tenantArguments(tenantId)
	return (*recipeFunctions().GetAllSessionHandlesForUser)(userID, tenant, all, contextOf(userContext))
}

// GetSessionInformation returns a stored session, or nil when there is no such live session.
func GetSessionInformation(sessionHandle string, userContext ...supertokens.UserContext) (*sessmodels.SessionInformation, error) {
	return (*recipeFunctions().GetSessionInformation)(sessionHandle, contextOf(userContext))
}

// UpdateSessionDataInDatabase replaces a session's data; it reports whether the session exists.
func UpdateSessionDataInDatabase(sessionHandle string, newSessionData map[string]interface{}, userContext ...supertokens.UserContext) (bool, error) {
	return (*recipeFunctions().UpdateSessionDataInDatabase)(sessionHandle, newSessionData, contextOf(userContext))
}

// MergeIntoAccessTokenPayload merges an update into a stored session's access-token
// payload (a nil value removes the key); tokens carry it from the next refresh on. It
// reports whether the session exists.
func MergeIntoAccessTokenPayload(sessionHandle string, accessTokenPayloadUpdate map[string]interface{}, userContext ...supertokens.UserContext) (bool, error) {
	return (*recipeFunctions().MergeIntoAccessTokenPayload)(sessionHandle, accessTokenPayloadUpdate, contextOf(userContext))
}

func revokeMultipleSessions(sessionHandles []string) ([]string, error) {
	var out []string
	err := manage("revoke", map[string]interface{}{"sessionHandles": sessionHandles}, &out)
	return out, err
}

func revokeAllSessionsForUser(userID string, tenantId *string) ([]string, error) {
	var out []string
	err := manage("revokeAllForUser", map[string]interface{}{"userId": userID, "tenantId": tenantId}, &out)
	return out, err
}

func getAllSessionHandlesForUser(userID string, tenantId *string) ([]string, error) {
	var out []string
	err := manage("handlesForUser", map[string]interface{}{"userId": userID, "tenantId": tenantId}, &out)
	return out, err
}

// regenerateJSON is the core's regenerate answer; AccessToken is nil when the token given had
// expired.
type regenerateJSON struct {
	Session struct {
		Handle        string                 `json:"handle"`
		UserID        string                 `json:"userId"`
		TenantID      string                 `json:"tenantId"`
		UserDataInJWT map[string]interface{} `json:"userDataInJWT"`
	} `json:"session"`
	AccessToken *sessmodels.CreateOrRefreshAPIResponseToken `json:"accessToken"`
}

// regenerateAccessToken answers as supertokens-golang's regenerateAccessTokenHelper: a nil
// payload is {}, a session that is gone is nil, and an expired token leaves AccessToken zero.
func regenerateAccessToken(accessToken string, newAccessTokenPayload *map[string]interface{}) (*sessmodels.RegenerateAccessTokenResponse, error) {
	rt, err := state.Get()
	if err != nil {
		return nil, err
	}
	payload := map[string]interface{}{}
	if newAccessTokenPayload != nil && *newAccessTokenPayload != nil {
		payload = *newAccessTokenPayload
	}
	in, err := marshal(map[string]interface{}{"accessToken": accessToken, "payload": payload})
	if err != nil {
		return nil, err
	}
	doc, err := rt.Engine.RegenerateAccessToken(in)
	if err != nil {
		return nil, err
	}
	var answer *regenerateJSON
	if err := json.Unmarshal(doc, &answer); err != nil {
		return nil, errs.New(errs.Internal.Code(), "unreadable answer from tessera: %v", err)
	}
	if answer == nil {
		return nil, nil
	}
	out := &sessmodels.RegenerateAccessTokenResponse{
		Status: "OK",
		Session: sessmodels.SessionStruct{
			Handle:                answer.Session.Handle,
			UserID:                answer.Session.UserID,
			UserDataInAccessToken: answer.Session.UserDataInJWT,
			TenantId:              answer.Session.TenantID,
		},
	}
	if answer.AccessToken != nil {
		out.AccessToken = *answer.AccessToken
	}
	return out, nil
}

type informationJSON struct {
	Session struct {
		Handle       string `json:"handle"`
		UserID       string `json:"userId"`
		RecipeUserID string `json:"recipeUserId"`
		TenantID     string `json:"tenantId"`
	} `json:"session"`
	SessionDataInDatabase            map[string]interface{} `json:"sessionDataInDatabase"`
	CustomClaimsInAccessTokenPayload map[string]interface{} `json:"customClaimsInAccessTokenPayload"`
	ExpiryMs                         uint64                 `json:"expiryMs"`
	TimeCreatedMs                    uint64                 `json:"timeCreatedMs"`
}

func getSessionInformation(sessionHandle string) (*sessmodels.SessionInformation, error) {
	var info *informationJSON
	if err := manage("information", map[string]interface{}{"sessionHandle": sessionHandle}, &info); err != nil || info == nil {
		return nil, err
	}
	return &sessmodels.SessionInformation{
		SessionHandle:                    info.Session.Handle,
		UserId:                           info.Session.UserID,
		RecipeUserId:                     info.Session.RecipeUserID,
		TenantId:                         info.Session.TenantID,
		SessionDataInDatabase:            info.SessionDataInDatabase,
		CustomClaimsInAccessTokenPayload: info.CustomClaimsInAccessTokenPayload,
		Expiry:                           info.ExpiryMs,
		TimeCreated:                      info.TimeCreatedMs,
	}, nil
}

func updateSessionDataInDatabase(sessionHandle string, newSessionData map[string]interface{}) (bool, error) {
	var ok bool
	err := manage("updateData", map[string]interface{}{"sessionHandle": sessionHandle, "data": newSessionData}, &ok)
	return ok, err
}

func mergeIntoAccessTokenPayload(sessionHandle string, accessTokenPayloadUpdate map[string]interface{}) (bool, error) {
	var ok bool
	err := manage("mergePayload", map[string]interface{}{"sessionHandle": sessionHandle, "update": accessTokenPayloadUpdate}, &ok)
	return ok, err
}
