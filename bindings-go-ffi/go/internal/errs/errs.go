// Package errs holds the core's error type and a sentinel per core error kind. The tessera
// package re-exports them; they live here so that internal/cffi can make errors without
// importing the public packages. Errors of the session kinds reach applications as
// recipe/session/errors' value types (internal/sesserr converts), which give back an Error
// through errors.As.
package errs

import (
	"encoding/json"
	"errors"
	"fmt"
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

// Error is an error the core returns: as the Go binding hands it out for the kinds that are
// no session errors (INVALID_CONFIG, STORAGE, ...), and reachable with errors.As from the
// session errors' value types. errors.Is(err, tessera.ErrTryRefreshToken) and friends test
// its kind.
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

// FromSessionError returns err as a core error: a Tessera error as it is, or one of
// recipe/session/errors' types (what Tessera returns for the session kinds, or what
// supertokens-golang code makes: values) as the core error of its kind, which those types
// give errors.As. False for any other error.
func FromSessionError(err error) (*Error, bool) {
	var core *Error
	if errors.As(err, &core) && core != nil {
		return core, true
	}
	return nil, false
}
