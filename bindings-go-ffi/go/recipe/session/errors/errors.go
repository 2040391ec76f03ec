// Package errors holds the session error types under supertokens-golang's names
// (recipe/session/errors), and Tessera returns its session errors as these values, so that
// code written for supertokens-golang builds and behaves the same:
//
//	// Answer a route with the protocol's 401 (tokens cleared):
//	supertokens.ErrorHandler(errors.UnauthorizedError{Msg: "the user was deleted"}, r, w)
//
//	// Recognise an error of a session call:
//	if _, ok := err.(errors.TryRefreshTokenError); ok { ... }
//	if defaultErrors.As(err, &errors.TryRefreshTokenError{}) { ... }
//
// Error() is the message alone, as there. What Tessera adds stays reachable: errors.Is
// matches the tessera.Err* sentinel of each type's kind, and errors.As to a *tessera.Error
// gives the core's view (Code, Message, Payload, ClearTokens).
package errors

import (
	"encoding/json"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/errs"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/claims"
)

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

// Is matches tessera.ErrUnauthorised.
func (err UnauthorizedError) Is(target error) bool { return target == errs.Unauthorised }

// As gives the core's view of the error to a *tessera.Error target.
func (err UnauthorizedError) As(target any) bool {
	clear := err.ClearTokens == nil || *err.ClearTokens
	return setCore(target, &errs.Error{Code: UnauthorizedErrorStr, Message: err.Msg, ClearTokens: clear})
}

// TryRefreshTokenError: the access token cannot be used and the client should call the
// refresh endpoint; answered 401 {"message":"try refresh token"}.
type TryRefreshTokenError struct {
	Msg string
}

func (err TryRefreshTokenError) Error() string { return err.Msg }

// Is matches tessera.ErrTryRefreshToken.
func (err TryRefreshTokenError) Is(target error) bool { return target == errs.TryRefreshToken }

// As gives the core's view of the error to a *tessera.Error target.
func (err TryRefreshTokenError) As(target any) bool {
	return setCore(target, &errs.Error{Code: TryRefreshTokenErrorStr, Message: err.Msg})
}

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

// Is matches tessera.ErrTokenTheftDetected.
func (err TokenTheftDetectedError) Is(target error) bool { return target == errs.TokenTheftDetected }

// theftPayload is the core's payload of a TOKEN_THEFT_DETECTED error.
type theftPayload struct {
	UserID        string `json:"userId"`
	RecipeUserID  string `json:"recipeUserId"`
	SessionHandle string `json:"sessionHandle"`
}

// As gives the core's view of the error to a *tessera.Error target. The payload's
// recipeUserId, which supertokens-golang's payload has no field for, is UserID.
func (err TokenTheftDetectedError) As(target any) bool {
	p := err.Payload
	doc, _ := json.Marshal(theftPayload{UserID: p.UserID, RecipeUserID: p.UserID, SessionHandle: p.SessionHandle})
	return setCore(target, &errs.Error{Code: TokenTheftDetectedErrorStr, Message: err.Msg, Payload: doc, ClearTokens: true})
}

// InvalidClaimError: the session's claims failed validation; answered 403 with
// InvalidClaims as the body's claimValidationErrors.
type InvalidClaimError struct {
	Msg           string
	InvalidClaims []claims.ClaimValidationError
}

func (err InvalidClaimError) Error() string { return err.Msg }

// Is matches tessera.ErrInvalidClaims.
func (err InvalidClaimError) Is(target error) bool { return target == errs.InvalidClaims }

// As gives the core's view of the error to a *tessera.Error target.
func (err InvalidClaimError) As(target any) bool {
	failed := err.InvalidClaims
	if failed == nil {
		failed = []claims.ClaimValidationError{}
	}
	doc, merr := json.Marshal(failed)
	if merr != nil {
		// A Reason that is no JSON: the core could not answer with it either.
		return setCore(target, errs.New(errs.Internal.Code(), "INVALID_CLAIMS payload: %v", merr))
	}
	return setCore(target, &errs.Error{Code: InvalidClaimsErrorStr, Message: err.Msg, Payload: doc})
}

// ClearDuplicateSessionCookiesError: duplicate session cookies were cleared from the older
// cookie domain; answered 200 so that the client refreshes again.
type ClearDuplicateSessionCookiesError struct {
	Msg string
}

func (err ClearDuplicateSessionCookiesError) Error() string { return err.Msg }

// Is matches tessera.ErrClearDuplicateSessionCookies.
func (err ClearDuplicateSessionCookiesError) Is(target error) bool {
	return target == errs.ClearDuplicateSessionCookies
}

// As gives the core's view of the error to a *tessera.Error target.
func (err ClearDuplicateSessionCookiesError) As(target any) bool {
	return setCore(target, &errs.Error{Code: ClearDuplicateSessionCookiesErrorStr, Message: err.Msg})
}

func setCore(target any, e *errs.Error) bool {
	t, ok := target.(**errs.Error)
	if ok {
		*t = e
	}
	return ok
}
