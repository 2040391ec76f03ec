// Package sesserr turns the core's session errors into recipe/session/errors' value types,
// which is what applications get, as from supertokens-golang. It sits apart from errs, which
// those types import for their errors.Is and errors.As.
package sesserr

import (
	"encoding/json"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/errs"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/claims"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/errors"
)

// Public is what Tessera returns for e: the value of recipe/session/errors' type of its kind,
// or e itself for the kinds that are no session errors. The value's errors.As gives e back,
// but for the theft payload's recipeUserId, which supertokens-golang's payload has no field
// for (it reads as the userId).
func Public(e *errs.Error) error {
	switch e.Code {
	case errors.UnauthorizedErrorStr:
		clear := e.ClearTokens
		return errors.UnauthorizedError{Msg: e.Message, ClearTokens: &clear}
	case errors.TryRefreshTokenErrorStr:
		return errors.TryRefreshTokenError{Msg: e.Message}
	case errors.TokenTheftDetectedErrorStr:
		var p struct {
			UserID        string `json:"userId"`
			SessionHandle string `json:"sessionHandle"`
		}
		_ = json.Unmarshal(e.Payload, &p) // a payload that does not parse leaves the names empty
		return errors.TokenTheftDetectedError{Msg: e.Message, Payload: errors.TokenTheftDetectedErrorPayload{SessionHandle: p.SessionHandle, UserID: p.UserID}}
	case errors.InvalidClaimsErrorStr:
		var failed []claims.ClaimValidationError
		_ = json.Unmarshal(e.Payload, &failed)
		return errors.InvalidClaimError{Msg: e.Message, InvalidClaims: failed}
	case errors.ClearDuplicateSessionCookiesErrorStr:
		return errors.ClearDuplicateSessionCookiesError{Msg: e.Message}
	}
	return e
}
