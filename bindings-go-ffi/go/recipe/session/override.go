package session

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"sync"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/errs"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/httpx"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/state"
	sesserrors "github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/errors"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/sessmodels"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/supertokens"
)

// implementation is the recipe after the application's Override; supertokens.Init keeps it in
// state.Runtime.SessionRecipe.
type implementation struct {
	// fns are the recipe's functions, after Override.Functions if there is one.
	fns sessmodels.RecipeInterface
	// functions: Override.Functions was given, and the recipe's functions call fns, as
	// supertokens-golang's do; without it they take their direct paths.
	functions bool
	// replaced says which of fns Override.Functions replaced: the request paths call those
	// and keep their direct paths for the others.
	replaced replacedFunctions
	// apis are the endpoints after Override.APIs, or the originals when only functions were
	// replaced (the core's endpoints would not call them); nil: the core serves the endpoints.
	apis *sessmodels.APIInterface
	// verifySession is apis.VerifySession when the override replaced it, which
	// session.VerifySession then calls; nil keeps VerifySession's direct path.
	verifySession *func(verifySessionOptions *sessmodels.VerifySessionOptions, options sessmodels.APIOptions, userContext supertokens.UserContext) (sessmodels.SessionContainer, error)
	// config is session.Init's input; normalised is APIOptions.Config, set by Normalise.
	config     sessmodels.TypeInput
	normalised sessmodels.TypeNormalisedInput
}

// replacedFunctions are the functions whose replacement changes a request path.
type replacedFunctions struct {
	getSession, refreshSession, getGlobalClaimValidators, validateClaims bool
	// regenerateAccessToken: a session's MergeIntoAccessTokenPayload hands the merged payload
	// to it, as supertokens-golang's does, rather than merging in the core.
	regenerateAccessToken bool
	// beyondCreation: a function other than CreateNewSession, which the core's own refresh
	// and sign-out endpoints would not call.
	beyondCreation bool
}

func (r *replacedFunctions) mark(name string) {
	switch name {
	case "GetSession":
		r.getSession = true
	case "RefreshSession":
		r.refreshSession = true
	case "GetGlobalClaimValidators":
		r.getGlobalClaimValidators = true
	case "ValidateClaims":
		r.validateClaims = true
	case "RegenerateAccessToken":
		r.regenerateAccessToken = true
	}
	if name != "CreateNewSession" {
		r.beyondCreation = true
	}
}

// SessionRecipe is called by supertokens.Init: it calls Override.Functions, then Override.APIs,
// once each with the recipe's own implementation, and returns what the recipe's functions,
// the endpoints and VerifySession are to call, or nil without an override. A function left
// nil is an INVALID_CONFIG error here rather than a nil dereference on some later request.
func (o recipeOptions) SessionRecipe() (interface{}, error) {
	ov := o.Override
	if ov != nil && ov.OpenIdFeature != nil {
		return nil, errs.New(errs.NotSupported.Code(), "session.Init: Override.OpenIdFeature is not supported by Tessera: the JWT and OpenID functions and their endpoints are the core's")
	}
	if ov == nil || (ov.Functions == nil && ov.APIs == nil) {
		return nil, nil
	}
	impl := &implementation{config: o.TypeInput, fns: originalImplementation()}
	if ov.Functions != nil {
		before := functionCode(impl.fns)
		impl.fns = ov.Functions(impl.fns)
		after := functionCode(impl.fns)
		var missing []string
		for i, name := range recipeFunctionNames {
			switch {
			case after[i] == 0:
				missing = append(missing, name)
			case after[i] != before[i]:
				impl.replaced.mark(name)
			}
		}
		if len(missing) > 0 {
			return nil, errs.New(errs.InvalidConfig.Code(), "Override.Functions returned no %s", strings.Join(missing, ", "))
		}
		impl.functions = true
	}
	if ov.APIs != nil {
		apis := ov.APIs(originalAPIImplementation())
		// supertokens-golang calls VerifySession unchecked: a nil one would fail every
		// protected route, so it is refused here instead.
		if apis.VerifySession == nil || *apis.VerifySession == nil {
			return nil, errs.New(errs.InvalidConfig.Code(), "Override.APIs returned no VerifySession")
		}
		impl.apis = &apis
		if reflect.ValueOf(*apis.VerifySession).Pointer() != reflect.ValueOf(defaultVerifySession).Pointer() {
			impl.verifySession = apis.VerifySession
		}
	} else if impl.replaced.beyondCreation {
		apis := originalAPIImplementation()
		impl.apis = &apis
	}
	return impl, nil
}

// recipeImplementation is the recipe after the application's Override, or nil without one.
func recipeImplementation(rt *state.Runtime) *implementation {
	impl, _ := rt.SessionRecipe.(*implementation)
	return impl
}

// functionsOf returns the recipe when the application's Override.Functions was given, and
// nil otherwise (the usual case, which costs this check alone).
func functionsOf(rt *state.Runtime) *implementation {
	if impl := recipeImplementation(rt); impl != nil && impl.functions {
		return impl
	}
	return nil
}

// defaultFunctions are the recipe's functions without Override.Functions. Never handed to
// an override, which may change what its fields point to. Set in init: the defaults call
// recipeFunctions, which reads it, so a variable initialiser would be a cycle.
var defaultFunctions sessmodels.RecipeInterface

func init() { defaultFunctions = originalImplementation() }

// recipeFunctions is what the recipe's functions call one another through, as
// supertokens-golang's call the recipe instance's RecipeImpl: the implementation after
// Override.Functions, or the defaults.
func recipeFunctions() *sessmodels.RecipeInterface {
	if rt, err := state.Get(); err == nil {
		if impl := functionsOf(rt); impl != nil {
			return &impl.fns
		}
	}
	return &defaultFunctions
}

// contextOf is the user context of a public function: the caller's, or a new one, as
// supertokens-golang's give the recipe's functions.
func contextOf(userContext []supertokens.UserContext) supertokens.UserContext {
	if len(userContext) > 0 && userContext[0] != nil {
		return userContext[0]
	}
	return &map[string]interface{}{}
}

// recipeFunctionNames are RecipeInterface's fields, in order.
var recipeFunctionNames = func() []string {
	t := reflect.TypeOf(sessmodels.RecipeInterface{})
	names := make([]string, t.NumField())
	for i := range names {
		names[i] = t.Field(i).Name
	}
	return names
}()

// functionCode is the code address of each function of fns (0 for a nil one). The defaults
// are distinct top-level functions, so an address that changed means a function was
// replaced (wrapping one in a closure, too, gives other code).
func functionCode(fns sessmodels.RecipeInterface) []uintptr {
	v := reflect.ValueOf(fns)
	out := make([]uintptr, v.NumField())
	for i := range out {
		if p := v.Field(i); !p.IsNil() && !p.Elem().IsNil() {
			out[i] = p.Elem().Pointer()
		}
	}
	return out
}

// originalImplementation is the implementation an override is given: every field set, each
// pointing to a variable of its own, as supertokens-golang's are.
func originalImplementation() sessmodels.RecipeInterface {
	createNewSession := defaultCreateNewSession
	getSession := defaultGetSession
	refreshSession := defaultRefreshSession
	getSessionInformation := defaultGetSessionInformation
	revokeAllSessionsForUser := defaultRevokeAllSessionsForUser
	getAllSessionHandlesForUser := defaultGetAllSessionHandlesForUser
	revokeSession := defaultRevokeSession
	revokeMultipleSessions := defaultRevokeMultipleSessions
	updateSessionDataInDatabase := defaultUpdateSessionDataInDatabase
	mergeIntoAccessTokenPayload := defaultMergeIntoAccessTokenPayload
	regenerateAccessToken := defaultRegenerateAccessToken
	getGlobalClaimValidators := defaultGetGlobalClaimValidators
	validateClaims := defaultValidateClaims
	validateClaimsInJWTPayload := defaultValidateClaimsInJWTPayload
	fetchAndSetClaim := defaultFetchAndSetClaim
	setClaimValue := defaultSetClaimValue
	getClaimValue := defaultGetClaimValue
	removeClaim := defaultRemoveClaim
	return sessmodels.RecipeInterface{
		CreateNewSession:            &createNewSession,
		GetSession:                  &getSession,
		RefreshSession:              &refreshSession,
		GetSessionInformation:       &getSessionInformation,
		RevokeAllSessionsForUser:    &revokeAllSessionsForUser,
		GetAllSessionHandlesForUser: &getAllSessionHandlesForUser,
		RevokeSession:               &revokeSession,
		RevokeMultipleSessions:      &revokeMultipleSessions,
		UpdateSessionDataInDatabase: &updateSessionDataInDatabase,
		MergeIntoAccessTokenPayload: &mergeIntoAccessTokenPayload,
		RegenerateAccessToken:       &regenerateAccessToken,
		GetGlobalClaimValidators:    &getGlobalClaimValidators,
		ValidateClaims:              &validateClaims,
		ValidateClaimsInJWTPayload:  &validateClaimsInJWTPayload,
		FetchAndSetClaim:            &fetchAndSetClaim,
		SetClaimValue:               &setClaimValue,
		GetClaimValue:               &getClaimValue,
		RemoveClaim:                 &removeClaim,
	}
}

// inRequest is what a request-level CreateNewSession leaves for the default CreateNewSession:
// the request and its response, and the transfer method the application's
// GetTokenTransferMethod chose (asked once per call). made is the session the default made
// in the request, its tokens already written.
type inRequest struct {
	req            *http.Request
	res            http.ResponseWriter
	transferMethod string
	made           *block
}

// pending holds the inRequest of each request-level CreateNewSession in progress, by the user
// context it hands the recipe's CreateNewSession. supertokens-golang hands that context on as
// the caller gave it (an empty one if none), with no request in it, so the request cannot
// travel in it; an override that passes the context on to the original gets its session made
// in the request, one that does not gets one made without it, attached afterwards.
var pending sync.Map // supertokens.UserContext → *inRequest

// createNewSession is the request-level CreateNewSession with an override, in the steps of
// supertokens-golang's CreateNewSessionInRequest: the recipe's CreateNewSession with the
// caller's user context, then the session attached to the response through its
// AttachToRequestResponseWithContext. A session the default made in the request has its
// tokens written already (the core makes it for the request, clearing the other transport's
// tokens as supertokens-golang does before attaching), so only the context is updated.
func (impl *implementation) createNewSession(rt *state.Runtime, req *http.Request, res http.ResponseWriter, tenantId string, userID string, accessTokenPayload map[string]interface{}, sessionDataInDatabase map[string]interface{}, userContext []supertokens.UserContext) (sessmodels.SessionContainer, error) {
	uc := contextOf(userContext)
	method := rt.TransferMethod(req, true, []*map[string]interface{}{uc})
	in := &inRequest{req: req, res: res, transferMethod: method}
	// A nested call with the same context (an override calling CreateNewSession) puts the
	// outer call's back when it returns.
	previous, had := pending.Swap(uc, in)
	defer func() {
		if had {
			pending.Store(uc, previous)
		} else {
			pending.Delete(uc)
		}
	}()
	// What supertokens-golang passes (true for a header session), from the core's choice; the
	// core decides anti-CSRF itself when the default implementation creates the session.
	transport, err := outputTransfer(rt, req, method)
	if err != nil {
		return nil, err
	}
	disableAntiCsrf := transport == sessmodels.HeaderTransferMethod
	s, err := (*impl.fns.CreateNewSession)(userID, nonNil(accessTokenPayload), sessionDataInDatabase, &disableAntiCsrf, tenantId, uc)
	if err != nil || s == nil {
		return s, err
	}
	if b := blockOf(s); b != nil && b == in.made && ownAttach(s) {
		supertokens.SetRequestInUserContextIfNotDefined(uc, req)
		return s, nil
	}
	info := sessmodels.RequestResponseInfo{Req: req, Res: res, TokenTransferMethod: transport}
	switch {
	case s.AttachToRequestResponseWithContext != nil:
		err = s.AttachToRequestResponseWithContext(info, uc)
	case s.AttachToRequestResponse != nil:
		err = s.AttachToRequestResponse(info)
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}

// outputTransfer asks the core which transport a session created for req (with the transfer
// method the application chose for it) travels on.
func outputTransfer(rt *state.Runtime, req *http.Request, method string) (sessmodels.TokenTransferMethod, error) {
	input, err := json.Marshal(map[string]interface{}{
		"request": httpx.FromHTTP(req, rt.RequestHeaders, rt.RequestHeaderKeys, method),
	})
	if err != nil {
		return "", err
	}
	doc, err := rt.Engine.OutputTransfer(input)
	if err != nil {
		return "", err
	}
	var transport sessmodels.TokenTransferMethod
	err = json.Unmarshal(doc, &transport)
	return transport, err
}

// createNewSessionWithoutRequestResponse is CreateNewSessionWithoutRequestResponse with an
// override.
func (impl *implementation) createNewSessionWithoutRequestResponse(tenantId string, userID string, accessTokenPayload map[string]interface{}, sessionDataInDatabase map[string]interface{}, disableAntiCsrf *bool, userContext []supertokens.UserContext) (sessmodels.SessionContainer, error) {
	var uc supertokens.UserContext
	if len(userContext) > 0 && userContext[0] != nil {
		uc = userContext[0]
	} else {
		uc = &map[string]interface{}{}
	}
	return (*impl.fns.CreateNewSession)(userID, nonNil(accessTokenPayload), sessionDataInDatabase, disableAntiCsrf, tenantId, uc)
}

// nonNil is the payload an override gets: never nil, as in supertokens-golang, so that
// overrides may add to it.
func nonNil(m map[string]interface{}) map[string]interface{} {
	if m == nil {
		return map[string]interface{}{}
	}
	return m
}

// defaultCreateNewSession makes the session in the request a request-level CreateNewSession
// is making, when userContext is the one it handed on, and otherwise without a request.
func defaultCreateNewSession(userID string, accessTokenPayload map[string]interface{}, sessionDataInDatabase map[string]interface{}, disableAntiCsrf *bool, tenantId string, userContext supertokens.UserContext) (sessmodels.SessionContainer, error) {
	rt, err := state.Get()
	if err != nil {
		return nil, err
	}
	if p, ok := pending.Load(userContext); ok {
		in := p.(*inRequest)
		s, err := createInRequest(rt, in.req, in.res, in.transferMethod, tenantId, userID, accessTokenPayload, sessionDataInDatabase)
		if err == nil {
			in.made = blockOf(s)
		}
		return s, err
	}
	return createWithoutRequest(rt, tenantId, userID, accessTokenPayload, sessionDataInDatabase, disableAntiCsrf)
}

// defaultGetSession verifies an access token; without one there is no session: nil when
// none is required, else UNAUTHORISED without clearing the client's tokens (a request sent
// while another refreshes may carry none, supertokens-node#17).
func defaultGetSession(accessToken *string, antiCSRFToken *string, options *sessmodels.VerifySessionOptions, userContext supertokens.UserContext) (sessmodels.SessionContainer, error) {
	if accessToken == nil {
		if options != nil && options.SessionRequired != nil && !*options.SessionRequired {
			return nil, nil
		}
		clear := false
		return nil, sesserrors.UnauthorizedError{Msg: "Session does not exist. Are you sending the session tokens in the request with the appropriate token transfer method?", ClearTokens: &clear}
	}
	rt, err := state.Get()
	if err != nil {
		return nil, err
	}
	return verifyToken(rt, *accessToken, antiCSRFToken, options)
}

func defaultRefreshSession(refreshToken string, antiCSRFToken *string, disableAntiCSRF bool, userContext supertokens.UserContext) (sessmodels.SessionContainer, error) {
	return refreshWithoutRequest(refreshToken, disableAntiCSRF, antiCSRFToken)
}

func defaultGetSessionInformation(sessionHandle string, userContext supertokens.UserContext) (*sessmodels.SessionInformation, error) {
	return getSessionInformation(sessionHandle)
}

// tenantOrAll is our tenant argument: nil means every tenant.
func tenantOrAll(tenantId string, acrossAllTenants *bool) *string {
	if acrossAllTenants != nil && *acrossAllTenants {
		return nil
	}
	return &tenantId
}

// tenantArguments are the recipe function's tenant arguments for a public function's
// tenant (nil: every tenant).
func tenantArguments(tenantId *string) (string, *bool) {
	if tenantId == nil {
		all := true
		return "public", &all
	}
	one := false
	return *tenantId, &one
}

func defaultRevokeAllSessionsForUser(userID string, tenantId string, revokeAcrossAllTenants *bool, userContext supertokens.UserContext) ([]string, error) {
	return revokeAllSessionsForUser(userID, tenantOrAll(tenantId, revokeAcrossAllTenants))
}

func defaultGetAllSessionHandlesForUser(userID string, tenantId string, fetchAcrossAllTenants *bool, userContext supertokens.UserContext) ([]string, error) {
	return getAllSessionHandlesForUser(userID, tenantOrAll(tenantId, fetchAcrossAllTenants))
}

func defaultRevokeSession(sessionHandle string, userContext supertokens.UserContext) (bool, error) {
	revoked, err := revokeMultipleSessions([]string{sessionHandle})
	return len(revoked) > 0, err
}

func defaultRevokeMultipleSessions(sessionHandles []string, userContext supertokens.UserContext) ([]string, error) {
	return revokeMultipleSessions(sessionHandles)
}

func defaultUpdateSessionDataInDatabase(sessionHandle string, newSessionData map[string]interface{}, userContext supertokens.UserContext) (bool, error) {
	return updateSessionDataInDatabase(sessionHandle, newSessionData)
}

func defaultMergeIntoAccessTokenPayload(sessionHandle string, accessTokenPayloadUpdate map[string]interface{}, userContext supertokens.UserContext) (bool, error) {
	return mergeIntoAccessTokenPayload(sessionHandle, accessTokenPayloadUpdate)
}

func defaultRegenerateAccessToken(accessToken string, newAccessTokenPayload *map[string]interface{}, userContext supertokens.UserContext) (*sessmodels.RegenerateAccessTokenResponse, error) {
	return regenerateAccessToken(accessToken, newAccessTokenPayload)
}
