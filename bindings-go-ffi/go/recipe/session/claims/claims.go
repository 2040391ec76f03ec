// Package claims holds the session-claim types that session code names, under
// supertokens-golang's import path shape (recipe/session/claims). Tessera has no session
// claims yet: SessionClaimValidator is what VerifySessionOptions.OverrideGlobalClaimValidators
// takes and returns, and ClaimValidationError what an INVALID_CLAIMS error carries.
package claims

// SessionClaimValidator checks one claim of a session's access token payload.
type SessionClaimValidator struct {
	ID            string
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
