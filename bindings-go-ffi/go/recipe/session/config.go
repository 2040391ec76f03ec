package session

import (
	"encoding/json"
	"net/http"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/cffi"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/errs"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/claims"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/errors"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/sessmodels"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/supertokens"
)

// Normalise is called by supertokens.Init with the engine it made: it fills APIOptions.Config
// (see sessmodels.TypeNormalisedInput) with the options as the core applies them, defaults
// and normalisation included, so that they are not repeated here.
func (impl *implementation) Normalise(engine *cffi.Engine) error {
	doc, err := engine.SessionConfig()
	if err != nil {
		return err
	}
	var c struct {
		RefreshTokenPath                             string                         `json:"refreshTokenPath"`
		CookieDomain                                 *string                        `json:"cookieDomain"`
		OlderCookieDomain                            *string                        `json:"olderCookieDomain"`
		CookieSameSite                               string                         `json:"cookieSameSite"`
		CookieSecure                                 bool                           `json:"cookieSecure"`
		SessionExpiredStatusCode                     int                            `json:"sessionExpiredStatusCode"`
		InvalidClaimStatusCode                       int                            `json:"invalidClaimStatusCode"`
		AntiCsrf                                     string                         `json:"antiCsrf"`
		ExposeAccessTokenToFrontendInCookieBasedAuth bool                           `json:"exposeAccessTokenToFrontendInCookieBasedAuth"`
		UseDynamicAccessTokenSigningKey              bool                           `json:"useDynamicAccessTokenSigningKey"`
		JWKSRefreshIntervalSec                       uint64                         `json:"jwksRefreshIntervalSec"`
		TokenTransferMethod                          sessmodels.TokenTransferMethod `json:"tokenTransferMethod"`
	}
	if err := json.Unmarshal(doc, &c); err != nil {
		return errs.New(errs.Internal.Code(), "unreadable session configuration from tessera: %s", doc)
	}
	in := impl.config
	n := sessmodels.TypeNormalisedInput{
		RefreshTokenPath:         supertokens.NormalisedURLPathOf(c.RefreshTokenPath),
		CookieDomain:             c.CookieDomain,
		OlderCookieDomain:        c.OlderCookieDomain,
		GetCookieSameSite:        func(*http.Request, supertokens.UserContext) (string, error) { return c.CookieSameSite, nil },
		CookieSecure:             c.CookieSecure,
		SessionExpiredStatusCode: c.SessionExpiredStatusCode,
		InvalidClaimStatusCode:   c.InvalidClaimStatusCode,
		AntiCsrfFunctionOrString: sessmodels.AntiCsrfFunctionOrString{StrValue: c.AntiCsrf},
		ExposeAccessTokenToFrontendInCookieBasedAuth: c.ExposeAccessTokenToFrontendInCookieBasedAuth,
		UseDynamicAccessTokenSigningKey:              c.UseDynamicAccessTokenSigningKey,
		JWKSRefreshIntervalSec:                       c.JWKSRefreshIntervalSec,
		GetTokenTransferMethod:                       in.GetTokenTransferMethod,
		ErrorHandlers:                                normalisedErrorHandlers(in.ErrorHandlers),
	}
	if in.Override != nil {
		n.Override = *in.Override
	}
	if n.GetTokenTransferMethod == nil {
		method := c.TokenTransferMethod
		n.GetTokenTransferMethod = func(*http.Request, bool, supertokens.UserContext) sessmodels.TokenTransferMethod { return method }
	}
	impl.normalised = n
	return nil
}

// normalisedErrorHandlers are the application's ErrorHandlers, the missing ones answering as
// the protocol does.
func normalisedErrorHandlers(h *sessmodels.ErrorHandlers) sessmodels.NormalisedErrorHandlers {
	n := sessmodels.NormalisedErrorHandlers{
		OnUnauthorised: func(message string, req *http.Request, res http.ResponseWriter) error {
			return supertokens.ErrorHandler(errors.UnauthorizedError{Msg: message}, req, res)
		},
		OnTryRefreshToken: func(message string, req *http.Request, res http.ResponseWriter) error {
			return supertokens.ErrorHandler(errors.TryRefreshTokenError{Msg: message}, req, res)
		},
		OnTokenTheftDetected: func(sessionHandle string, userID string, req *http.Request, res http.ResponseWriter) error {
			theft := errors.TokenTheftDetectedError{Msg: "token theft detected", Payload: errors.TokenTheftDetectedErrorPayload{SessionHandle: sessionHandle, UserID: userID}}
			return supertokens.ErrorHandler(theft, req, res)
		},
		OnInvalidClaim: func(validationErrors []claims.ClaimValidationError, req *http.Request, res http.ResponseWriter) error {
			return supertokens.ErrorHandler(errors.InvalidClaimError{Msg: "invalid claim", InvalidClaims: validationErrors}, req, res)
		},
		OnClearDuplicateSessionCookies: func(message string, req *http.Request, res http.ResponseWriter) error {
			return supertokens.ErrorHandler(errors.ClearDuplicateSessionCookiesError{Msg: message}, req, res)
		},
	}
	if h == nil {
		return n
	}
	if h.OnUnauthorised != nil {
		n.OnUnauthorised = h.OnUnauthorised
	}
	if h.OnTryRefreshToken != nil {
		n.OnTryRefreshToken = h.OnTryRefreshToken
	}
	if h.OnTokenTheftDetected != nil {
		n.OnTokenTheftDetected = h.OnTokenTheftDetected
	}
	if h.OnInvalidClaim != nil {
		n.OnInvalidClaim = h.OnInvalidClaim
	}
	if h.OnClearDuplicateSessionCookies != nil {
		n.OnClearDuplicateSessionCookies = h.OnClearDuplicateSessionCookies
	}
	return n
}
