package session

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/cffi"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/errs"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/httpx"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/claims"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/errors"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/sessmodels"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/supertokens"
)

// Normalise is called by supertokens.Init with the engine it made: it fills APIOptions.Config
// from the core's answers (see sessmodels.TypeNormalisedInput). The core exposes no
// normalised configuration; reading it off what the protocol writes keeps its defaults and
// normalisation (cookie domains, SameSite from the two domains' sites) in one place.
func (impl *implementation) Normalise(engine *cffi.Engine) error {
	in := impl.config
	unauthorised, err := probeAnswer(engine, errors.UnauthorizedErrorStr)
	if err != nil {
		return err
	}
	invalid, err := probeAnswer(engine, errors.InvalidClaimsErrorStr)
	if err != nil {
		return err
	}
	access, refresh := unauthorised.cookies["sAccessToken"], unauthorised.cookies["sRefreshToken"]
	sameSite := strings.ToLower(access["samesite"])
	n := sessmodels.TypeNormalisedInput{
		RefreshTokenPath:         supertokens.NormalisedURLPathOf(refresh["path"]),
		OlderCookieDomain:        in.OlderCookieDomain,
		GetCookieSameSite:        func(*http.Request, supertokens.UserContext) (string, error) { return sameSite, nil },
		CookieSecure:             access["secure"] != "",
		SessionExpiredStatusCode: unauthorised.status,
		InvalidClaimStatusCode:   invalid.status,
		ExposeAccessTokenToFrontendInCookieBasedAuth: in.ExposeAccessTokenToFrontendInCookieBasedAuth,
		UseDynamicAccessTokenSigningKey:              in.UseDynamicAccessTokenSigningKey == nil || *in.UseDynamicAccessTokenSigningKey,
		JWKSRefreshIntervalSec:                       4 * 3600,
		GetTokenTransferMethod:                       in.GetTokenTransferMethod,
		ErrorHandlers:                                normalisedErrorHandlers(in.ErrorHandlers),
	}
	if d, ok := access["domain"]; ok {
		n.CookieDomain = &d
	}
	if in.JWKSRefreshIntervalSec != nil {
		n.JWKSRefreshIntervalSec = *in.JWKSRefreshIntervalSec
	}
	if in.Override != nil {
		n.Override = *in.Override
	}
	switch {
	case in.AntiCsrf != nil:
		n.AntiCsrfFunctionOrString.StrValue = *in.AntiCsrf
	case sameSite == "none":
		n.AntiCsrfFunctionOrString.StrValue = "VIA_CUSTOM_HEADER"
	default:
		n.AntiCsrfFunctionOrString.StrValue = "NONE"
	}
	if n.GetTokenTransferMethod == nil {
		method := in.TokenTransferMethod
		if method == "" {
			method = sessmodels.AnyTransferMethod
		}
		n.GetTokenTransferMethod = func(*http.Request, bool, supertokens.UserContext) sessmodels.TokenTransferMethod { return method }
	}
	impl.normalised = n
	return nil
}

// probed is the core's answer to a session error: its status, and the attributes of the
// cookies it writes by name (lowercase attribute names; a flag's value is its name).
type probed struct {
	status  int
	cookies map[string]map[string]string
}

// probeAnswer asks the core how it answers an error of code on a cookie request: a pure call,
// which touches no session.
func probeAnswer(engine *cffi.Engine, code string) (probed, error) {
	e := &errs.Error{Code: code, ClearTokens: true}
	if code == errors.InvalidClaimsErrorStr {
		e.Payload = json.RawMessage(`[]`)
	}
	input, err := json.Marshal(map[string]interface{}{
		"request": httpx.Request{Method: http.MethodGet, Path: "/", Headers: [][2]string{}, TokenTransferMethod: "cookie"},
		"error":   e,
	})
	if err != nil {
		return probed{}, err
	}
	doc, err := engine.ErrorResponse(input)
	if err != nil {
		return probed{}, err
	}
	var m httpx.Mutations
	if err := json.Unmarshal(doc, &m); err != nil || m.Status == nil {
		return probed{}, errs.New(errs.Internal.Code(), "unreadable answer from tessera: %s", doc)
	}
	out := probed{status: *m.Status, cookies: map[string]map[string]string{}}
	for _, c := range m.Cookies {
		attributes := map[string]string{}
		parts := strings.Split(c.Header, ";")
		for _, part := range parts[1:] {
			name, value, found := strings.Cut(strings.TrimSpace(part), "=")
			if !found {
				value = name
			}
			attributes[strings.ToLower(name)] = value
		}
		out.cookies[c.Name] = attributes
	}
	return out, nil
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
