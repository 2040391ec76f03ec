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
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/claims"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/sessmodels"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/tessera"
)

// implementation is the recipe after the application's Override; tessera.Init keeps it in
// state.Runtime.SessionRecipe.
type implementation struct {
	// fns are the recipe's functions, after Override.Functions if there is one.
	fns sessmodels.RecipeInterface
	// createThroughFunctions: Override.Functions was given, and session creation calls
	// fns.CreateNewSession; without it creation takes its direct path.
	createThroughFunctions bool
	// apis are the endpoints after Override.APIs, or nil without it.
	apis *sessmodels.APIInterface
	// verifySession is apis.VerifySession when the override replaced it, which
	// session.VerifySession then calls; nil keeps VerifySession's direct path.
	verifySession *func(verifySessionOptions *sessmodels.VerifySessionOptions, options sessmodels.APIOptions, userContext tessera.UserContext) (sessmodels.SessionContainer, error)
	// config is APIOptions.Config.
	config sessmodels.TypeInput
}

// SessionRecipe is called by tessera.Init: it calls Override.Functions, then Override.APIs,
// once each with the recipe's own implementation, and returns what session creation, the
// endpoints and VerifySession are to call, or nil without an override. Replacing a function
// Tessera would not call (every one but CreateNewSession) is a NOT_SUPPORTED error: an
// override silently left unused would be worse.
func (o recipeOptions) SessionRecipe() (interface{}, error) {
	ov := o.Override
	if ov == nil || (ov.Functions == nil && ov.APIs == nil) {
		return nil, nil
	}
	impl := &implementation{config: o.TypeInput}
	if ov.Functions == nil {
		impl.fns = originalImplementation()
	} else {
		original := originalImplementation()
		before := functionCode(original)
		fns := ov.Functions(original)
		var replaced []string
		after := functionCode(fns)
		for i, name := range recipeFunctionNames {
			if name != "CreateNewSession" && after[i] != before[i] {
				replaced = append(replaced, name)
			}
		}
		if len(replaced) > 0 {
			return nil, errs.New(errs.NotSupported.Code(),
				"Override.Functions replaced %s: only CreateNewSession can be overridden by Tessera yet",
				strings.Join(replaced, ", "))
		}
		if fns.CreateNewSession == nil || *fns.CreateNewSession == nil {
			return nil, errs.New(errs.InvalidConfig.Code(), "Override.Functions returned no CreateNewSession")
		}
		impl.fns, impl.createThroughFunctions = fns, true
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
	}
	return impl, nil
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

// inRequest is what a request-level CreateNewSession leaves for the default CreateNewSession
// besides the request in the user context: the response, and the transfer method the
// application's GetTokenTransferMethod chose (asked once per call).
type inRequest struct {
	res            http.ResponseWriter
	transferMethod string
}

// pending holds the inRequest of each request-level CreateNewSession in progress, by its
// request. The user context is the application's map, so the response is kept here rather
// than in it, where it would outlive the call.
var pending sync.Map // *http.Request → inRequest

// createNewSession is the request-level CreateNewSession with an override: the request goes
// in the user context (the caller's, if given, as supertokens-golang's request functions do)
// and the response in pending, for the default implementation to find.
func (impl *implementation) createNewSession(rt *state.Runtime, req *http.Request, res http.ResponseWriter, tenantId string, userID string, accessTokenPayload map[string]interface{}, sessionDataInDatabase map[string]interface{}, userContext []tessera.UserContext) (sessmodels.SessionContainer, error) {
	var given tessera.UserContext
	if len(userContext) > 0 {
		given = userContext[0]
	}
	uc := tessera.SetRequestInUserContextIfNotDefined(given, req)
	method := rt.TransferMethod(req, true, []*map[string]interface{}{uc})
	// A nested call on the same request (an override calling CreateNewSession) puts the
	// outer call's back when it returns.
	previous, had := pending.Swap(req, inRequest{res: res, transferMethod: method})
	defer func() {
		if had {
			pending.Store(req, previous)
		} else {
			pending.Delete(req)
		}
	}()
	// What supertokens-golang passes (true for a header session), from the core's choice; the
	// core decides anti-CSRF itself when the default implementation creates the session.
	transport, err := outputTransfer(rt, req, method)
	if err != nil {
		return nil, err
	}
	disableAntiCsrf := transport == sessmodels.HeaderTransferMethod
	return (*impl.fns.CreateNewSession)(userID, nonNil(accessTokenPayload), sessionDataInDatabase, &disableAntiCsrf, tenantId, uc)
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
func (impl *implementation) createNewSessionWithoutRequestResponse(tenantId string, userID string, accessTokenPayload map[string]interface{}, sessionDataInDatabase map[string]interface{}, disableAntiCsrf *bool, userContext []tessera.UserContext) (sessmodels.SessionContainer, error) {
	var uc tessera.UserContext
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
// is making, when userContext carries it, and otherwise without a request.
func defaultCreateNewSession(userID string, accessTokenPayload map[string]interface{}, sessionDataInDatabase map[string]interface{}, disableAntiCsrf *bool, tenantId string, userContext tessera.UserContext) (sessmodels.SessionContainer, error) {
	rt, err := state.Get()
	if err != nil {
		return nil, err
	}
	if req := tessera.GetRequestFromUserContext(userContext); req != nil {
		if p, ok := pending.Load(req); ok {
			in := p.(inRequest)
			return createInRequest(rt, req, in.res, in.transferMethod, tenantId, userID, accessTokenPayload, sessionDataInDatabase)
		}
	}
	return createWithoutRequest(rt, tenantId, userID, accessTokenPayload, sessionDataInDatabase, disableAntiCsrf)
}

func defaultGetSession(accessToken *string, antiCSRFToken *string, options *sessmodels.VerifySessionOptions, userContext tessera.UserContext) (sessmodels.SessionContainer, error) {
	if accessToken == nil {
		if options != nil && options.SessionRequired != nil && !*options.SessionRequired {
			return nil, nil
		}
		return nil, &errs.Error{Code: errs.Unauthorised.Code(), Message: "no access token: the session does not exist", ClearTokens: true}
	}
	return GetSessionWithoutRequestResponse(*accessToken, antiCSRFToken, options, userContext)
}

func defaultRefreshSession(refreshToken string, antiCSRFToken *string, disableAntiCSRF bool, userContext tessera.UserContext) (sessmodels.SessionContainer, error) {
	return RefreshSessionWithoutRequestResponse(refreshToken, &disableAntiCSRF, antiCSRFToken, userContext)
}

func defaultGetSessionInformation(sessionHandle string, userContext tessera.UserContext) (*sessmodels.SessionInformation, error) {
	return GetSessionInformation(sessionHandle, userContext)
}

// tenantOrAll is our tenant argument: nil means every tenant.
func tenantOrAll(tenantId string, acrossAllTenants *bool) *string {
	if acrossAllTenants != nil && *acrossAllTenants {
		return nil
	}
	return &tenantId
}

func defaultRevokeAllSessionsForUser(userID string, tenantId string, revokeAcrossAllTenants *bool, userContext tessera.UserContext) ([]string, error) {
	return RevokeAllSessionsForUser(userID, tenantOrAll(tenantId, revokeAcrossAllTenants), userContext)
}

func defaultGetAllSessionHandlesForUser(userID string, tenantId string, fetchAcrossAllTenants *bool, userContext tessera.UserContext) ([]string, error) {
	return GetAllSessionHandlesForUser(userID, tenantOrAll(tenantId, fetchAcrossAllTenants), userContext)
}

func defaultRevokeSession(sessionHandle string, userContext tessera.UserContext) (bool, error) {
	return RevokeSession(sessionHandle, userContext)
}

func defaultRevokeMultipleSessions(sessionHandles []string, userContext tessera.UserContext) ([]string, error) {
	return RevokeMultipleSessions(sessionHandles, userContext)
}

func defaultUpdateSessionDataInDatabase(sessionHandle string, newSessionData map[string]interface{}, userContext tessera.UserContext) (bool, error) {
	return UpdateSessionDataInDatabase(sessionHandle, newSessionData, userContext)
}

func defaultMergeIntoAccessTokenPayload(sessionHandle string, accessTokenPayloadUpdate map[string]interface{}, userContext tessera.UserContext) (bool, error) {
	return MergeIntoAccessTokenPayload(sessionHandle, accessTokenPayloadUpdate, userContext)
}

func notSupported(function string, what string) error {
	return errs.New(errs.NotSupported.Code(), "RecipeInterface.%s: %s not supported by Tessera yet", function, what)
}

func defaultRegenerateAccessToken(string, *map[string]interface{}, tessera.UserContext) (*sessmodels.RegenerateAccessTokenResponse, error) {
	return nil, notSupported("RegenerateAccessToken", "regenerating an access token outside a session is")
}

func defaultGetGlobalClaimValidators(string, []claims.SessionClaimValidator, string, tessera.UserContext) ([]claims.SessionClaimValidator, error) {
	return nil, notSupported("GetGlobalClaimValidators", "session claims are")
}

func defaultValidateClaims(userID string, accessTokenPayload map[string]interface{}, validators []claims.SessionClaimValidator, userContext tessera.UserContext) (sessmodels.ValidateClaimsResult, error) {
	tenantID, ok := accessTokenPayload["tId"].(string)
	if !ok {
		tenantID = "public"
	}
	return validateClaims(userID, tenantID, accessTokenPayload, validators, userContext)
}

func defaultValidateClaimsInJWTPayload(_ string, jwtPayload map[string]interface{}, validators []claims.SessionClaimValidator, userContext tessera.UserContext) ([]claims.ClaimValidationError, error) {
	return validateClaimsInPayload(jwtPayload, validators, userContext)
}

func defaultFetchAndSetClaim(string, *claims.TypeSessionClaim, tessera.UserContext) (bool, error) {
	return false, notSupported("FetchAndSetClaim", "session claims are")
}

func defaultSetClaimValue(string, *claims.TypeSessionClaim, interface{}, tessera.UserContext) (bool, error) {
	return false, notSupported("SetClaimValue", "session claims are")
}

func defaultGetClaimValue(string, *claims.TypeSessionClaim, tessera.UserContext) (sessmodels.GetClaimValueResult, error) {
	return sessmodels.GetClaimValueResult{}, notSupported("GetClaimValue", "session claims are")
}

func defaultRemoveClaim(string, *claims.TypeSessionClaim, tessera.UserContext) (bool, error) {
	return false, notSupported("RemoveClaim", "session claims are")
}
