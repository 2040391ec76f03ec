package tessera

import "github.com/tessera-session/tessera/bindings-go-ffi/go/internal/errs"

// Error is the core's view of an error: its Code, Message, Payload and ClearTokens. The
// kinds that are no session errors are returned as *Error; the session kinds as
// recipe/session/errors' value types (errors.UnauthorizedError, ...), as supertokens-golang
// returns them, from which errors.As gives the *Error. Test a kind with errors.Is against
// the Err* sentinels, whichever form the error has.
type Error = errs.Error

// The sentinels, one per core error kind: errors.Is(err, tessera.ErrTryRefreshToken).
var (
	// ErrUnauthorised: no usable session; the client must sign in again.
	ErrUnauthorised error = errs.Unauthorised
	// ErrTryRefreshToken: the access token cannot be used; the client should refresh.
	ErrTryRefreshToken error = errs.TryRefreshToken
	// ErrTokenTheftDetected: a refresh token was reused outside the grace window.
	ErrTokenTheftDetected error = errs.TokenTheftDetected
	// ErrInvalidClaims: the session's claims failed validation.
	ErrInvalidClaims error = errs.InvalidClaims
	// ErrClearDuplicateSessionCookies: duplicate cookies were cleared; refresh again.
	ErrClearDuplicateSessionCookies error = errs.ClearDuplicateSessionCookies
	// ErrInvalidConfig: the configuration is wrong; the message names the option.
	ErrInvalidConfig error = errs.InvalidConfig
	// ErrInvalidInput: an argument is not acceptable.
	ErrInvalidInput error = errs.InvalidInput
	// ErrStorage: the session store failed.
	ErrStorage error = errs.Storage
	// ErrNotSupported: the operation needs the embedded session store.
	ErrNotSupported error = errs.NotSupported
	// ErrInternal: a bug or a panic inside Tessera.
	ErrInternal error = errs.Internal
	// ErrWouldBlock: never returned by the Go binding (its calls may block); listed so that
	// every core kind has a sentinel.
	ErrWouldBlock error = errs.WouldBlock
)

// ErrorForCode returns the sentinel of a core error code, and false for an unknown code.
func ErrorForCode(code string) (error, bool) {
	k, ok := errs.KindOf(code)
	if !ok {
		return ErrInternal, false
	}
	return k, true
}
