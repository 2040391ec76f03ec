// Package claims is session claims, in supertokens-golang's shape (recipe/session/claims):
// values an application keeps in the access token payload, each under its key as
// {"v": value, "t": fetched at, ms}, and validators of them. PrimitiveClaim, BooleanClaim
// and PrimitiveArrayClaim make a claim and its built-in validators, whose checks (and
// reasons, supertokens-node's) are the core's, called through the C ABI; an application may
// write SessionClaimValidators of its own. SessionContainer.AssertClaims and
// VerifySessionOptions.OverrideGlobalClaimValidators run them.
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

// TypeSessionClaim is a session claim: its key in the access token payload, how its value is
// fetched, and how it is read from and written to a payload.
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

// SessionClaim makes a claim with only its key, FetchValue and Build; PrimitiveClaim fills
// in the rest.
func SessionClaim(key string, fetchValue FetchValueFunc) *TypeSessionClaim {
	claim := &TypeSessionClaim{Key: key, FetchValue: fetchValue}
	claim.Build = func(userId string, tenantId string, payloadToUpdate map[string]interface{}, userContext *map[string]interface{}) (map[string]interface{}, error) {
		if payloadToUpdate == nil {
			payloadToUpdate = map[string]interface{}{}
		}
		value, err := claim.FetchValue(userId, tenantId, userContext)
		if err != nil || value == nil {
			return payloadToUpdate, err
		}
		for k, v := range claim.AddToPayload_internal(map[string]interface{}{}, value, userContext) {
			payloadToUpdate[k] = v
		}
		return payloadToUpdate, nil
	}
	return claim
}
