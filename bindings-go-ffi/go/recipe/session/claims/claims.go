// Package claims holds the session-claim types that session code names, under
// supertokens-golang's import path shape (recipe/session/claims). Tessera has no claim
// validators yet: ClaimValidationError is what an INVALID_CLAIMS error carries.
package claims

// ClaimValidationError is one failed claim validator: its ID and, optionally, why. It is
// one element of the 403 body's claimValidationErrors.
type ClaimValidationError struct {
	ID     string      `json:"id"`
	Reason interface{} `json:"reason,omitempty"`
}
