package session

import (
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/claims"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/errors"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/sessmodels"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/supertokens"
)

// The claim validation loop runs here rather than in the core because claim values are
// fetched, and validators may be written, by application code; the built-in validators'
// checks are the core's (recipe/session/claims).

// emptyContext is the user context of a session method called without one: a claim's
// functions may write to it, as in supertokens-golang.
func emptyContext() supertokens.UserContext { return &map[string]interface{}{} }

// validateClaims refetches the claims whose validators ask for it and validates every
// validator against the payload with the fetched values. payload is not changed; the
// fetched entries are AccessTokenPayloadUpdate (nil when nothing was fetched).
func validateClaims(userID, tenantID string, payload map[string]interface{}, validators []claims.SessionClaimValidator, userContext supertokens.UserContext) (sessmodels.ValidateClaimsResult, error) {
	current := make(map[string]interface{}, len(payload))
	for k, v := range payload {
		current[k] = v
	}
	var update map[string]interface{}
	for _, v := range validators {
		if v.Claim == nil || v.Claim.FetchValue == nil || v.ShouldRefetch == nil || !v.ShouldRefetch(current, userContext) {
			continue
		}
		value, err := v.Claim.FetchValue(userID, tenantID, userContext)
		if err != nil {
			return sessmodels.ValidateClaimsResult{}, err
		}
		if value == nil {
			continue
		}
		if update == nil {
			update = map[string]interface{}{}
		}
		for k, e := range v.Claim.AddToPayload_internal(map[string]interface{}{}, value, userContext) {
			update[k], current[k] = e, e
		}
	}
	invalid, err := validateClaimsInPayload(current, validators, userContext)
	return sessmodels.ValidateClaimsResult{InvalidClaims: invalid, AccessTokenPayloadUpdate: update}, err
}

// validateClaimsInPayload runs every validator on payload, without fetching.
func validateClaimsInPayload(payload map[string]interface{}, validators []claims.SessionClaimValidator, userContext supertokens.UserContext) ([]claims.ClaimValidationError, error) {
	invalid := []claims.ClaimValidationError{}
	for _, v := range validators {
		if v.Validate == nil {
			continue
		}
		if r := v.Validate(payload, userContext); !r.IsValid {
			invalid = append(invalid, claims.ClaimValidationError{ID: v.ID, Reason: r.Reason})
		}
	}
	return invalid, nil
}

// assertClaims is SessionContainer.AssertClaimsWithContext: RecipeInterface.ValidateClaims
// (the override's, if any), the fetched values merged into the session, and INVALID_CLAIMS
// when a validator fails, as supertokens-golang's (recipe/session/session.go). The merge
// comes first, so the store keeps the fetched values even when a validator fails. Its new
// token goes where the session's changes go: on a session attached to a request (a handler
// calling AssertClaims), to the response, with the 403 too; while getSession asserts the
// claims, nowhere until they pass (see checkClaims).
func (b *block) assertClaims(validators []claims.SessionClaimValidator, userContext supertokens.UserContext) error {
	if userContext == nil {
		userContext = emptyContext()
	}
	userID := b.s.GetUserIDWithContext(userContext)
	result, err := (*b.c.functions().ValidateClaims)(userID, b.s.GetAccessTokenPayloadWithContext(userContext), validators, userContext)
	if err != nil {
		return err
	}
	if len(result.AccessTokenPayloadUpdate) > 0 {
		// The core leaves the protected props of an update out of the merge, and out of the
		// payload a merge hands a replaced RegenerateAccessToken.
		if err := b.s.MergeIntoAccessTokenPayloadWithContext(result.AccessTokenPayloadUpdate, userContext); err != nil {
			return err
		}
	}
	if len(result.InvalidClaims) > 0 {
		return errors.InvalidClaimError{Msg: "invalid claims", InvalidClaims: result.InvalidClaims}
	}
	return nil
}

// checkClaims is getSession's claim step on a session it verified: the recipe's
// GetGlobalClaimValidators (Tessera has no other recipe to add any), then the options'
// OverrideGlobalClaimValidators, asserted with AssertClaims. impl is the recipe with
// Override.Functions, or nil. When neither the functions nor the options can give a
// validator, and ValidateClaims is the default, there is nothing to assert: the step costs
// nothing on the usual request.
//
// supertokens-golang's getSessionFromRequest asserts the claims before it attaches the
// session to the request, so the merge of the values AssertClaims fetched updates the stored
// session but writes no new token to the response, and a 403 INVALID_CLAIMS carries none;
// the session gets it when it is attached, after the claims passed. The session GetSession
// verifies itself is made with the response already, so its writes are held while the claims
// are asserted: written when they pass, dropped when they fail. A session a replaced
// GetSession returns (Tessera's or the application's own) has no response yet: it is
// attached afterwards, as in supertokens-golang.
func checkClaims(impl *implementation, s sessmodels.SessionContainer, options *sessmodels.VerifySessionOptions, userContext supertokens.UserContext) (sessmodels.SessionContainer, error) {
	var override func([]claims.SessionClaimValidator, sessmodels.SessionContainer, supertokens.UserContext) ([]claims.SessionClaimValidator, error)
	if options != nil {
		override = options.OverrideGlobalClaimValidators
	}
	globals := impl != nil && impl.replaced.getGlobalClaimValidators
	validate := impl != nil && impl.replaced.validateClaims
	if override == nil && !globals && !validate {
		return s, nil
	}
	if userContext == nil {
		userContext = emptyContext()
	}
	validators := []claims.SessionClaimValidator{}
	var err error
	if globals {
		validators, err = (*impl.fns.GetGlobalClaimValidators)(s.GetUserIDWithContext(userContext), []claims.SessionClaimValidator{}, s.GetTenantIdWithContext(userContext), userContext)
		if err != nil {
			return nil, err
		}
	}
	if override != nil {
		if validators, err = override(validators, s, userContext); err != nil {
			return nil, err
		}
	}
	if len(validators) > 0 || validate {
		if err := assertHeld(s, validators, userContext); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// assertHeld is s.AssertClaimsWithContext with the writes of s's block, if it has one, held
// until it answers (see checkClaims).
func assertHeld(s sessmodels.SessionContainer, validators []claims.SessionClaimValidator, userContext supertokens.UserContext) error {
	assert := func() error { return s.AssertClaimsWithContext(validators, userContext) }
	b := blockOf(s)
	if b == nil || b.c.isHolding() {
		return assert()
	}
	return b.c.whileHeld(nil, assert)
}

func defaultGetGlobalClaimValidators(_ string, claimValidatorsAddedByOtherRecipes []claims.SessionClaimValidator, _ string, _ supertokens.UserContext) ([]claims.SessionClaimValidator, error) {
	return claimValidatorsAddedByOtherRecipes, nil
}

func defaultValidateClaims(userID string, accessTokenPayload map[string]interface{}, validators []claims.SessionClaimValidator, userContext supertokens.UserContext) (sessmodels.ValidateClaimsResult, error) {
	tenantID, ok := accessTokenPayload["tId"].(string)
	if !ok {
		tenantID = "public"
	}
	return validateClaims(userID, tenantID, accessTokenPayload, validators, userContext)
}

func defaultValidateClaimsInJWTPayload(_ string, jwtPayload map[string]interface{}, validators []claims.SessionClaimValidator, userContext supertokens.UserContext) ([]claims.ClaimValidationError, error) {
	return validateClaimsInPayload(jwtPayload, validators, userContext)
}

// The claim functions by session handle work on the stored session through the recipe's
// other functions, as supertokens-golang's do, so that replacing GetSessionInformation or
// MergeIntoAccessTokenPayload changes them too. The stored payload is what tokens carry from
// the next refresh on.

func defaultFetchAndSetClaim(sessionHandle string, claim *claims.TypeSessionClaim, userContext supertokens.UserContext) (bool, error) {
	fns := recipeFunctions()
	info, err := (*fns.GetSessionInformation)(sessionHandle, userContext)
	if err != nil || info == nil {
		return false, err
	}
	update, err := claim.Build(info.UserId, info.TenantId, nil, userContext)
	if err != nil {
		return false, err
	}
	return (*fns.MergeIntoAccessTokenPayload)(sessionHandle, update, userContext)
}

func defaultSetClaimValue(sessionHandle string, claim *claims.TypeSessionClaim, value interface{}, userContext supertokens.UserContext) (bool, error) {
	update := claim.AddToPayload_internal(map[string]interface{}{}, value, userContext)
	return (*recipeFunctions().MergeIntoAccessTokenPayload)(sessionHandle, update, userContext)
}

func defaultGetClaimValue(sessionHandle string, claim *claims.TypeSessionClaim, userContext supertokens.UserContext) (sessmodels.GetClaimValueResult, error) {
	info, err := (*recipeFunctions().GetSessionInformation)(sessionHandle, userContext)
	if err != nil {
		return sessmodels.GetClaimValueResult{}, err
	}
	if info == nil {
		return sessmodels.GetClaimValueResult{SessionDoesNotExistError: &struct{}{}}, nil
	}
	return sessmodels.GetClaimValueResult{OK: &struct{ Value interface{} }{
		Value: claim.GetValueFromPayload(info.CustomClaimsInAccessTokenPayload, userContext),
	}}, nil
}

func defaultRemoveClaim(sessionHandle string, claim *claims.TypeSessionClaim, userContext supertokens.UserContext) (bool, error) {
	update := claim.RemoveFromPayloadByMerge_internal(map[string]interface{}{}, userContext)
	return (*recipeFunctions().MergeIntoAccessTokenPayload)(sessionHandle, update, userContext)
}

// FetchAndSetClaim fetches a claim's value for a stored session's user and merges it into
// the session's access token payload; false when there is no such session.
func FetchAndSetClaim(sessionHandle string, claim *claims.TypeSessionClaim, userContext ...supertokens.UserContext) (bool, error) {
	return (*recipeFunctions().FetchAndSetClaim)(sessionHandle, claim, contextOf(userContext))
}

// SetClaimValue merges a claim's value into a stored session's access token payload; false
// when there is no such session.
func SetClaimValue(sessionHandle string, claim *claims.TypeSessionClaim, value interface{}, userContext ...supertokens.UserContext) (bool, error) {
	return (*recipeFunctions().SetClaimValue)(sessionHandle, claim, value, contextOf(userContext))
}

// GetClaimValue reads a claim's value from a stored session's access token payload: OK with
// the value (nil when it is not set), or SessionDoesNotExistError.
func GetClaimValue(sessionHandle string, claim *claims.TypeSessionClaim, userContext ...supertokens.UserContext) (sessmodels.GetClaimValueResult, error) {
	return (*recipeFunctions().GetClaimValue)(sessionHandle, claim, contextOf(userContext))
}

// RemoveClaim removes a claim from a stored session's access token payload; false when there
// is no such session.
func RemoveClaim(sessionHandle string, claim *claims.TypeSessionClaim, userContext ...supertokens.UserContext) (bool, error) {
	return (*recipeFunctions().RemoveClaim)(sessionHandle, claim, contextOf(userContext))
}

// ValidateClaimsForSessionHandle validates a stored session's claims with the recipe's
// global claim validators (after overrideGlobalClaimValidators, when given), refetching
// those the validators ask for and merging them into the session: OK with the failed
// claims, or SessionDoesNotExistError.
func ValidateClaimsForSessionHandle(sessionHandle string, overrideGlobalClaimValidators func(globalClaimValidators []claims.SessionClaimValidator, sessionInfo sessmodels.SessionInformation, userContext supertokens.UserContext) []claims.SessionClaimValidator, userContext ...supertokens.UserContext) (sessmodels.ValidateClaimsResponse, error) {
	fns, uc := recipeFunctions(), contextOf(userContext)
	gone := sessmodels.ValidateClaimsResponse{SessionDoesNotExistError: &struct{}{}}
	info, err := (*fns.GetSessionInformation)(sessionHandle, uc)
	if err != nil {
		return sessmodels.ValidateClaimsResponse{}, err
	}
	if info == nil {
		return gone, nil
	}
	validators, err := (*fns.GetGlobalClaimValidators)(info.UserId, []claims.SessionClaimValidator{}, info.TenantId, uc)
	if err != nil {
		return sessmodels.ValidateClaimsResponse{}, err
	}
	if overrideGlobalClaimValidators != nil {
		validators = overrideGlobalClaimValidators(validators, *info, uc)
	}
	result, err := (*fns.ValidateClaims)(info.UserId, info.CustomClaimsInAccessTokenPayload, validators, uc)
	if err != nil {
		return sessmodels.ValidateClaimsResponse{}, err
	}
	if result.AccessTokenPayloadUpdate != nil {
		ok, err := (*fns.MergeIntoAccessTokenPayload)(sessionHandle, result.AccessTokenPayloadUpdate, uc)
		if err != nil {
			return sessmodels.ValidateClaimsResponse{}, err
		}
		if !ok {
			return gone, nil
		}
	}
	return sessmodels.ValidateClaimsResponse{OK: &struct {
		InvalidClaims []claims.ClaimValidationError
	}{InvalidClaims: result.InvalidClaims}}, nil
}

// ValidateClaimsInJWTPayload validates a JWT payload (of a token Tessera did not issue, say)
// with the recipe's global claim validators for userID in tenantId, after
// overrideGlobalClaimValidators when given, without fetching any value.
func ValidateClaimsInJWTPayload(tenantId string, userID string, jwtPayload map[string]interface{}, overrideGlobalClaimValidators func(globalClaimValidators []claims.SessionClaimValidator, userID string, userContext ...supertokens.UserContext) []claims.SessionClaimValidator, userContext ...supertokens.UserContext) ([]claims.ClaimValidationError, error) {
	fns, uc := recipeFunctions(), contextOf(userContext)
	validators, err := (*fns.GetGlobalClaimValidators)(userID, []claims.SessionClaimValidator{}, tenantId, uc)
	if err != nil {
		return nil, err
	}
	if overrideGlobalClaimValidators != nil {
		validators = overrideGlobalClaimValidators(validators, userID, uc)
	}
	return (*fns.ValidateClaimsInJWTPayload)(userID, jwtPayload, validators, uc)
}
