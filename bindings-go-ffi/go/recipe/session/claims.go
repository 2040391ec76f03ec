package session

import (
	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/errs"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/claims"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/errors"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/sessmodels"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/tessera"
)

// The claim validation loop runs here rather than in the core because claim values are
// fetched, and validators may be written, by application code; the built-in validators'
// checks are the core's (recipe/session/claims).

// emptyContext is the user context of a session method called without one: a claim's
// functions may write to it, as in supertokens-golang.
func emptyContext() tessera.UserContext { return &map[string]interface{}{} }

// validateClaims refetches the claims whose validators ask for it and validates every
// validator against the payload with the fetched values. payload is not changed; the
// fetched entries are AccessTokenPayloadUpdate (nil when nothing was fetched).
func validateClaims(userID, tenantID string, payload map[string]interface{}, validators []claims.SessionClaimValidator, userContext tessera.UserContext) (sessmodels.ValidateClaimsResult, error) {
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
func validateClaimsInPayload(payload map[string]interface{}, validators []claims.SessionClaimValidator, userContext tessera.UserContext) ([]claims.ClaimValidationError, error) {
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
// when a validator fails. The merge comes first so that the client gets the new values
// with the 403.
func (b *block) assertClaims(validators []claims.SessionClaimValidator, userContext tessera.UserContext) error {
	if userContext == nil {
		userContext = emptyContext()
	}
	validate := validateClaims
	userID, tenantID := b.s.GetUserIDWithContext(userContext), b.s.GetTenantIdWithContext(userContext)
	if impl, ok := b.c.rt.SessionRecipe.(*implementation); ok && impl.fns.ValidateClaims != nil {
		f := *impl.fns.ValidateClaims
		validate = func(userID, _ string, payload map[string]interface{}, validators []claims.SessionClaimValidator, userContext tessera.UserContext) (sessmodels.ValidateClaimsResult, error) {
			return f(userID, payload, validators, userContext)
		}
	}
	result, err := validate(userID, tenantID, b.s.GetAccessTokenPayloadWithContext(userContext), validators, userContext)
	if err != nil {
		return err
	}
	if len(result.AccessTokenPayloadUpdate) > 0 {
		if err := b.s.MergeIntoAccessTokenPayloadWithContext(result.AccessTokenPayloadUpdate, userContext); err != nil {
			return err
		}
	}
	if len(result.InvalidClaims) > 0 {
		// As a core error, errors.Is(err, tessera.ErrInvalidClaims) holds, and errors.As
		// still finds an errors.InvalidClaimError in it.
		core, _ := errs.FromSessionError(errors.InvalidClaimError{Msg: "invalid claims", InvalidClaims: result.InvalidClaims})
		return core
	}
	return nil
}
