// Package claims holds the session-claim types that session code names, under
// supertokens-golang's import path shape (recipe/session/claims). Tessera has no session
// claims yet: SessionClaimValidator is what VerifySessionOptions.OverrideGlobalClaimValidators
// takes and returns, ClaimValidationError what an INVALID_CLAIMS error carries, and
// TypeSessionClaim what the claim functions of sessmodels.RecipeInterface name.
package claims

// SessionClaimValidator checks one claim of a session's access token payload.
type SessionClaimValidator struct {
	ID            string
	Claim         *TypeSessionClaim
	ShouldRefetch func(payload map[string]interface{}, userContext *map[string]interface{}) bool
	Validate      func(payload map[string]interface{}, userContext *map[string]interface{}) ClaimValidationResult
}

// ClaimValidationResult is a validator's verdict; Reason says why it is not valid.
type ClaimValidationResult struct {
	IsValid bool
	Reason  interface{}
}

// ClaimValidationError is one failed claim validator: its ID and, optionally, why. It is
// one element of the 403 body's claimValidationErrors.
type ClaimValidationError struct {
	ID     string      `json:"id"`
	Reason interface{} `json:"reason,omitempty"`
}

// FetchValueFunc fetches a claim's value for a user in a tenant.
type FetchValueFunc func(userId string, tenantId string, userContext *map[string]interface{}) (interface{}, error)

// TypeSessionClaim is a session claim, in supertokens-golang's shape, so that overrides of the
// recipe's claim functions compile; Tessera has no session claims yet and reads none of it.
type TypeSessionClaim struct {
	Key                               string
	FetchValue                        FetchValueFunc
	AddToPayload_internal             func(payload map[string]interface{}, value interface{}, userContext *map[string]interface{}) map[string]interface{}
	RemoveFromPayloadByMerge_internal func(payload map[string]interface{}, userContext *map[string]interface{}) map[string]interface{}
	RemoveFromPayload                 func(payload map[string]interface{}, userContext *map[string]interface{}) map[string]interface{}
	GetValueFromPayload               func(payload map[string]interface{}, userContext *map[string]interface{}) interface{}
	GetLastRefetchTime                func(payload map[string]interface{}, userContext *map[string]interface{}) *int64
	Build                             func(userId string, tenantId string, payloadToUpdate map[string]interface{}, userContext *map[string]interface{}) (map[string]interface{}, error)
}
