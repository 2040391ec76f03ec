// Package errors holds the session error types under supertokens-golang's names
// (recipe/session/errors), so that code written for it builds and behaves the same:
//
//	// Answer a route with the protocol's 401 (tokens cleared):
//	tessera.ErrorHandler(errors.UnauthorizedError{Msg: "the user was deleted"}, r, w)
//
//	// Recognise an error of a session call:
//	if defaultErrors.As(err, &errors.TryRefreshTokenError{}) { ... }
//
// Errors returned by Tessera are *tessera.Error values; errors.As also finds these types in
// them (tessera.Error implements As), and errors.Is works against the tessera.Err* sentinels.
package errors

import "github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/claims"

// The core's codes of the session error kinds.
const (
	UnauthorizedErrorStr                 = "UNAUTHORISED"
	TryRefreshTokenErrorStr              = "TRY_REFRESH_TOKEN"
	TokenTheftDetectedErrorStr           = "TOKEN_THEFT_DETECTED"
	InvalidClaimsErrorStr                = "INVALID_CLAIMS"
	ClearDuplicateSessionCookiesErrorStr = "CLEAR_DUPLICATE_SESSION_COOKIES"
)

// UnauthorizedError: there is no usable session; answered 401 {"message":"unauthorised"}.
// ClearTokens nil or true clears the session's tokens in the answer.
type UnauthorizedError struct {
	Msg         string
	ClearTokens *bool
}

func (err UnauthorizedError) Error() string { return err.Msg }

// TryRefreshTokenError: the access token cannot be used and the client should call the
// refresh endpoint; answered 401 {"message":"try refresh token"}.
type TryRefreshTokenError struct {
	Msg string
}

func (err TryRefreshTokenError) Error() string { return err.Msg }

// TokenTheftDetectedErrorPayload names the session of a TokenTheftDetectedError.
type TokenTheftDetectedErrorPayload struct {
	SessionHandle string
	UserID        string
}

// TokenTheftDetectedError: a refresh token was reused outside the grace window. The
// protocol's answer revokes the session and clears its tokens (401 {"message":"token theft
// detected"}); an OnTokenTheftDetected of the recipe's ErrorHandlers only gets them cleared.
type TokenTheftDetectedError struct {
	Msg     string
	Payload TokenTheftDetectedErrorPayload
}

func (err TokenTheftDetectedError) Error() string { return err.Msg }

// InvalidClaimError: the session's claims failed validation; answered 403 with
// InvalidClaims as the body's claimValidationErrors.
type InvalidClaimError struct {
	Msg           string
	InvalidClaims []claims.ClaimValidationError
}

func (err InvalidClaimError) Error() string { return err.Msg }

// ClearDuplicateSessionCookiesError: duplicate session cookies were cleared from the older
// cookie domain; answered 200 so that the client refreshes again.
type ClearDuplicateSessionCookiesError struct {
	Msg string
}

func (err ClearDuplicateSessionCookiesError) Error() string { return err.Msg }
