// Package errs holds the one error type of the Go binding and a sentinel per core error
// kind. The tessera package re-exports them; they live here so that internal/cffi can make
// errors without importing the public packages.
package errs

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/claims"
	sesserrors "github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/errors"
)

// Kind is a sentinel: one per core error code, compared with errors.Is.
type Kind struct{ code string }

// Error returns the core's code, e.g. "TRY_REFRESH_TOKEN".
func (k *Kind) Error() string { return k.code }

// Code is the core's stable code of this kind.
func (k *Kind) Code() string { return k.code }

// The sentinels, one per core error kind (tessera-core's ErrorKind).
var (
	Unauthorised                 = &Kind{"UNAUTHORISED"}
	TryRefreshToken              = &Kind{"TRY_REFRESH_TOKEN"}
	TokenTheftDetected           = &Kind{"TOKEN_THEFT_DETECTED"}
	InvalidClaims                = &Kind{"INVALID_CLAIMS"}
	ClearDuplicateSessionCookies = &Kind{"CLEAR_DUPLICATE_SESSION_COOKIES"}
	InvalidConfig                = &Kind{"INVALID_CONFIG"}
	InvalidInput                 = &Kind{"INVALID_INPUT"}
	Storage                      = &Kind{"STORAGE"}
	NotSupported                 = &Kind{"NOT_SUPPORTED"}
	Internal                     = &Kind{"INTERNAL"}
	WouldBlock                   = &Kind{"WOULD_BLOCK"}
)

var byCode = map[string]*Kind{}

func init() {
	for _, k := range []*Kind{Unauthorised, TryRefreshToken, TokenTheftDetected, InvalidClaims,
		ClearDuplicateSessionCookies, InvalidConfig, InvalidInput, Storage, NotSupported, Internal, WouldBlock} {
		byCode[k.code] = k
	}
}

// KindOf returns the sentinel for a core code, and false when the code is unknown to this
// version of the binding (such errors unwrap to Internal).
func KindOf(code string) (*Kind, bool) {
	k, ok := byCode[code]
	return k, ok
}

// Error is every error the core returns, as the Go binding hands it out. errors.Is(err,
// tessera.ErrTryRefreshToken) and friends test its kind.
type Error struct {
	// Code is the core's stable code ("UNAUTHORISED", "TRY_REFRESH_TOKEN", ...).
	Code string `json:"code"`
	// Message is for logs and error handlers; it is never sent to clients.
	Message string `json:"message"`
	// Payload is the kind's JSON payload, if any (TOKEN_THEFT_DETECTED: userId,
	// recipeUserId, sessionHandle; INVALID_CLAIMS: the failed claims).
	Payload json.RawMessage `json:"payload,omitempty"`
	// ClearTokens says whether answering the error clears the client's session tokens.
	ClearTokens bool `json:"clearTokens"`
}

// Error returns "CODE: message".
func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Unwrap returns the sentinel of the error's kind, so that errors.Is works.
func (e *Error) Unwrap() error {
	if k, ok := byCode[e.Code]; ok {
		return k
	}
	return Internal
}

// New makes an error of the given code.
func New(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FromJSON reads the error JSON the C ABI returns; a document that does not parse is itself
// an INTERNAL error.
func FromJSON(doc []byte) *Error {
	var e Error
	if err := json.Unmarshal(doc, &e); err != nil || e.Code == "" {
		return New(Internal.code, "unreadable error from tessera: %q", doc)
	}
	return &e
}

// As lets errors.As find recipe/session/errors' types in a core error of their kind, so that
// code written for supertokens-golang, errors.As(err, &errors.TryRefreshTokenError{}), keeps
// working on the errors Tessera returns.
func (e *Error) As(target any) bool {
	switch t := target.(type) {
	case *sesserrors.UnauthorizedError:
		if e.Code != Unauthorised.code {
			return false
		}
		clear := e.ClearTokens
		*t = sesserrors.UnauthorizedError{Msg: e.Message, ClearTokens: &clear}
	case *sesserrors.TryRefreshTokenError:
		if e.Code != TryRefreshToken.code {
			return false
		}
		*t = sesserrors.TryRefreshTokenError{Msg: e.Message}
	case *sesserrors.TokenTheftDetectedError:
		if e.Code != TokenTheftDetected.code {
			return false
		}
		var p theftPayload
		_ = json.Unmarshal(e.Payload, &p) // a payload that does not parse leaves the names empty
		*t = sesserrors.TokenTheftDetectedError{
			Msg:     e.Message,
			Payload: sesserrors.TokenTheftDetectedErrorPayload{SessionHandle: p.SessionHandle, UserID: p.UserID},
		}
	case *sesserrors.InvalidClaimError:
		if e.Code != InvalidClaims.code {
			return false
		}
		var failed []claims.ClaimValidationError
		_ = json.Unmarshal(e.Payload, &failed)
		*t = sesserrors.InvalidClaimError{Msg: e.Message, InvalidClaims: failed}
	case *sesserrors.ClearDuplicateSessionCookiesError:
		if e.Code != ClearDuplicateSessionCookies.code {
			return false
		}
		*t = sesserrors.ClearDuplicateSessionCookiesError{Msg: e.Message}
	default:
		return false
	}
	return true
}

type theftPayload struct {
	UserID        string `json:"userId"`
	RecipeUserID  string `json:"recipeUserId"`
	SessionHandle string `json:"sessionHandle"`
}

// FromSessionError returns err as a core error: a Tessera error as it is, or one of
// recipe/session/errors' types (as supertokens-golang code makes them: values) converted to
// the core error of its kind. False for any other error.
func FromSessionError(err error) (*Error, bool) {
	var core *Error
	if errors.As(err, &core) {
		return core, true
	}
	var (
		unauthorised sesserrors.UnauthorizedError
		refresh      sesserrors.TryRefreshTokenError
		theft        sesserrors.TokenTheftDetectedError
		invalid      sesserrors.InvalidClaimError
		duplicate    sesserrors.ClearDuplicateSessionCookiesError
	)
	switch {
	case errors.As(err, &unauthorised):
		clear := unauthorised.ClearTokens == nil || *unauthorised.ClearTokens
		return &Error{Code: Unauthorised.code, Message: unauthorised.Msg, ClearTokens: clear}, true
	case errors.As(err, &refresh):
		return &Error{Code: TryRefreshToken.code, Message: refresh.Msg}, true
	case errors.As(err, &theft):
		p := theft.Payload
		doc, _ := json.Marshal(theftPayload{UserID: p.UserID, RecipeUserID: p.UserID, SessionHandle: p.SessionHandle})
		return &Error{Code: TokenTheftDetected.code, Message: theft.Msg, Payload: doc, ClearTokens: true}, true
	case errors.As(err, &invalid):
		failed := invalid.InvalidClaims
		if failed == nil {
			failed = []claims.ClaimValidationError{}
		}
		doc, merr := json.Marshal(failed)
		if merr != nil {
			return New(Internal.code, "INVALID_CLAIMS payload: %v", merr), true
		}
		return &Error{Code: InvalidClaims.code, Message: invalid.Msg, Payload: doc}, true
	case errors.As(err, &duplicate):
		return &Error{Code: ClearDuplicateSessionCookies.code, Message: duplicate.Msg}, true
	}
	return nil, false
}
