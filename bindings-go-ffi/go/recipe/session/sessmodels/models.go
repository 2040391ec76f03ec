// Package sessmodels holds the session recipe's types, in the shape of supertokens-golang's
// package of the same name.
package sessmodels

import (
	"net/http"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/claims"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/supertokens"
)

// TokenTransferMethod is how session tokens travel.
type TokenTransferMethod string

// The transfer methods.
const (
	CookieTransferMethod TokenTransferMethod = "cookie"
	HeaderTransferMethod TokenTransferMethod = "header"
	AnyTransferMethod    TokenTransferMethod = "any"
)

// TypeInput is session.Init's configuration: SuperTokens' option names; nil or zero means
// the default. The fields after JWKSRefreshIntervalSec are Tessera's own (it is the session
// authority, where SuperTokens leaves them to its core).
type TypeInput struct {
	CookieSecure                                 *bool   `json:"cookieSecure,omitempty"`
	CookieSameSite                               *string `json:"cookieSameSite,omitempty"`
	SessionExpiredStatusCode                     *int    `json:"sessionExpiredStatusCode,omitempty"`
	InvalidClaimStatusCode                       *int    `json:"invalidClaimStatusCode,omitempty"`
	CookieDomain                                 *string `json:"cookieDomain,omitempty"`
	OlderCookieDomain                            *string `json:"olderCookieDomain,omitempty"`
	AntiCsrf                                     *string `json:"antiCsrf,omitempty"`
	ExposeAccessTokenToFrontendInCookieBasedAuth bool    `json:"exposeAccessTokenToFrontendInCookieBasedAuth,omitempty"`
	UseDynamicAccessTokenSigningKey              *bool   `json:"useDynamicAccessTokenSigningKey,omitempty"`
	JWKSRefreshIntervalSec                       *uint64 `json:"jwksRefreshIntervalSec,omitempty"`

	// GetTokenTransferMethod decides per request which transports session tokens may use:
	// forCreateNewSession is true in CreateNewSession (where "any" lets st-auth-mode choose)
	// and false when verifying, refreshing or signing out. nil: TokenTransferMethod.
	GetTokenTransferMethod func(req *http.Request, forCreateNewSession bool, userContext supertokens.UserContext) TokenTransferMethod `json:"-"`

	// Override replaces the recipe's functions and endpoints, as in supertokens-golang (see
	// OverrideStruct).
	Override *OverrideStruct `json:"-"`

	// ErrorHandlers replace the answers to session errors, as in supertokens-golang: those of
	// supertokens.ErrorHandler, VerifySession and the endpoints supertokens.Middleware serves (a
	// refresh without a refresh token is OnUnauthorised, a reused one OnTokenTheftDetected).
	// nil, or a nil function: the protocol's answer.
	ErrorHandlers *ErrorHandlers `json:"-"`

	// TokenTransferMethod is a constant alternative to GetTokenTransferMethod (empty: any).
	TokenTransferMethod TokenTransferMethod `json:"tokenTransferMethod,omitempty"`
	// AccessTokenPath is the access-token cookie's Path (default "/").
	AccessTokenPath *string `json:"accessTokenPath,omitempty"`
	// AccessTokenValidity in seconds (default 3600).
	AccessTokenValidity *uint64 `json:"accessTokenValidity,omitempty"`
	// RefreshTokenValidity in minutes (default 144000).
	RefreshTokenValidity *uint64 `json:"refreshTokenValidity,omitempty"`
	// RefreshTokenRotationGracePeriod in seconds: how long the previous refresh token still
	// works after a refresh (default 30); reuse after it is token theft.
	RefreshTokenRotationGracePeriod *uint64 `json:"refreshTokenRotationGracePeriod,omitempty"`
	// VerifiedTokenCacheSize is how many verified tokens to remember (default 10000; 0
	// turns the cache off).
	VerifiedTokenCacheSize *int `json:"verifiedTokenCacheSize,omitempty"`
}

// ErrorHandlers are supertokens-golang's replacements for the answers to session errors. A
// function gets the response with the protocol's prelude already on its headers (the session's
// tokens cleared for OnUnauthorised, unless the error says not to, and for
// OnTokenTheftDetected; the older cookie domain's duplicate cookies expired for
// OnClearDuplicateSessionCookies) and writes the status and body itself. Nothing else is done
// for it: a custom OnTokenTheftDetected does not revoke the session (a theft the refresh
// endpoint detects has revoked it already). An error it returns goes where supertokens-golang
// sends it: returned by supertokens.ErrorHandler, and handed to OnSuperTokensAPIError by
// VerifySession and, when nothing was written yet, by supertokens.Middleware.
type ErrorHandlers struct {
	OnUnauthorised                 func(message string, req *http.Request, res http.ResponseWriter) error
	OnTryRefreshToken              func(message string, req *http.Request, res http.ResponseWriter) error
	OnTokenTheftDetected           func(sessionHandle string, userID string, req *http.Request, res http.ResponseWriter) error
	OnInvalidClaim                 func(validationErrors []claims.ClaimValidationError, req *http.Request, res http.ResponseWriter) error
	OnClearDuplicateSessionCookies func(message string, req *http.Request, res http.ResponseWriter) error
}

// TypeNormalisedInput is the session recipe's configuration with the defaults applied, as
// supertokens-golang hands it to the endpoints (APIOptions.Config). The values are the
// core's, read once at Init (tessera_engine_session_config), so that its defaults and
// normalisation are not repeated in Go; GetCookieSameSite answers the configured SameSite,
// GetTokenTransferMethod is session.Init's function or the TokenTransferMethod setting, and
// ErrorHandlers' functions the application did not give answer as the protocol does (as
// session errors passed to supertokens.ErrorHandler: the tokens cleared where it clears them,
// a stolen session revoked).
type TypeNormalisedInput struct {
	RefreshTokenPath                             supertokens.NormalisedURLPath
	CookieDomain                                 *string
	OlderCookieDomain                            *string
	GetCookieSameSite                            func(request *http.Request, userContext supertokens.UserContext) (string, error)
	CookieSecure                                 bool
	SessionExpiredStatusCode                     int
	InvalidClaimStatusCode                       int
	AntiCsrfFunctionOrString                     AntiCsrfFunctionOrString
	Override                                     OverrideStruct
	ErrorHandlers                                NormalisedErrorHandlers
	GetTokenTransferMethod                       func(req *http.Request, forCreateNewSession bool, userContext supertokens.UserContext) TokenTransferMethod
	ExposeAccessTokenToFrontendInCookieBasedAuth bool
	UseDynamicAccessTokenSigningKey              bool
	JWKSRefreshIntervalSec                       uint64
}

// AntiCsrfFunctionOrString is the anti-CSRF mode: "VIA_TOKEN", "VIA_CUSTOM_HEADER" or
// "NONE" in StrValue. Tessera's mode is a setting, never a function: FunctionValue is nil.
type AntiCsrfFunctionOrString struct {
	StrValue      string
	FunctionValue func(request *http.Request, userContext supertokens.UserContext) (string, error)
}

// NormalisedErrorHandlers are ErrorHandlers with every function set.
type NormalisedErrorHandlers struct {
	OnUnauthorised                 func(message string, req *http.Request, res http.ResponseWriter) error
	OnTryRefreshToken              func(message string, req *http.Request, res http.ResponseWriter) error
	OnTokenTheftDetected           func(sessionHandle string, userID string, req *http.Request, res http.ResponseWriter) error
	OnInvalidClaim                 func(validationErrors []claims.ClaimValidationError, req *http.Request, res http.ResponseWriter) error
	OnClearDuplicateSessionCookies func(message string, req *http.Request, res http.ResponseWriter) error
}

// VerifySessionOptions tune VerifySession and GetSession; nil fields take the defaults
// (session required, anti-CSRF check unless GET, no database check).
type VerifySessionOptions struct {
	AntiCsrfCheck   *bool
	SessionRequired *bool
	CheckDatabase   *bool
	// OverrideGlobalClaimValidators is called with the global claim validators (the recipe's
	// GetGlobalClaimValidators: none unless an override adds some) and the verified session.
	// The validators it returns are asserted (SessionContainer.AssertClaims); an error it
	// returns answers the request.
	OverrideGlobalClaimValidators func(globalClaimValidators []claims.SessionClaimValidator, sessionContainer SessionContainer, userContext supertokens.UserContext) ([]claims.SessionClaimValidator, error)
}

// SessionTokens are a session's tokens, as GetAllSessionTokensDangerously returns them.
type SessionTokens struct {
	AccessToken                   string
	RefreshToken                  *string
	AntiCsrfToken                 *string
	FrontToken                    string
	AccessAndFrontendTokenUpdated bool
}

// SessionInformation is what GetSessionInformation returns.
type SessionInformation struct {
	SessionHandle                    string
	UserId                           string
	RecipeUserId                     string
	SessionDataInDatabase            map[string]interface{}
	Expiry                           uint64
	CustomClaimsInAccessTokenPayload map[string]interface{}
	TimeCreated                      uint64
	TenantId                         string
}

// RequestResponseInfo is the request a session is attached to, its response, and the
// transport ("cookie" or "header") its tokens travel on there.
type RequestResponseInfo struct {
	Res                 http.ResponseWriter
	Req                 *http.Request
	TokenTransferMethod TokenTransferMethod
}

// TypeSessionContainer is a session, as a struct of functions (supertokens-golang's shape).
// Functions that change the session also write its new tokens to the response of the
// request it came from, if any; call them before the handler writes its body.
//
// AttachToRequestResponseWithContext makes info's request the session's and writes its tokens
// on info.Res when its access token was updated (a new or refreshed session, or a merge).
// The recipe calls it where supertokens-golang does, when a request-level CreateNewSession,
// or a replaced GetSession or RefreshSession, returns a session whose tokens Tessera did not
// write itself: one an override made (or whose attach functions it replaced), or one the
// original made without the request. A session the original made in the request has its
// tokens written by the core as it is made, with the clearing of the other transport's.
type TypeSessionContainer struct {
	RevokeSession                  func() error
	GetSessionDataInDatabase       func() (map[string]interface{}, error)
	UpdateSessionDataInDatabase    func(newSessionData map[string]interface{}) error
	GetUserID                      func() string
	GetRecipeUserID                func() string
	GetTenantId                    func() string
	GetAccessTokenPayload          func() map[string]interface{}
	GetHandle                      func() string
	GetAllSessionTokensDangerously func() SessionTokens
	GetAccessToken                 func() string
	GetTimeCreated                 func() (uint64, error)
	GetExpiry                      func() (uint64, error)
	MergeIntoAccessTokenPayload    func(accessTokenPayloadUpdate map[string]interface{}) error
	// AssertClaims refetches the claims the validators say are stale, merges them into the
	// access token payload, and returns an INVALID_CLAIMS error (errors.InvalidClaimError)
	// naming every validator that fails.
	AssertClaims     func(claimValidators []claims.SessionClaimValidator) error
	FetchAndSetClaim func(claim *claims.TypeSessionClaim) error
	SetClaimValue    func(claim *claims.TypeSessionClaim, value interface{}) error
	GetClaimValue    func(claim *claims.TypeSessionClaim) interface{}
	RemoveClaim      func(claim *claims.TypeSessionClaim) error
	// AttachToRequestResponse is AttachToRequestResponseWithContext with an empty user context.
	AttachToRequestResponse func(info RequestResponseInfo) error

	RevokeSessionWithContext               func(userContext supertokens.UserContext) error
	GetSessionDataInDatabaseWithContext    func(userContext supertokens.UserContext) (map[string]interface{}, error)
	UpdateSessionDataInDatabaseWithContext func(newSessionData map[string]interface{}, userContext supertokens.UserContext) error
	GetUserIDWithContext                   func(userContext supertokens.UserContext) string
	GetRecipeUserIDWithContext             func(userContext supertokens.UserContext) string
	GetTenantIdWithContext                 func(userContext supertokens.UserContext) string
	GetAccessTokenPayloadWithContext       func(userContext supertokens.UserContext) map[string]interface{}
	GetHandleWithContext                   func(userContext supertokens.UserContext) string
	GetAccessTokenWithContext              func(userContext supertokens.UserContext) string
	GetTimeCreatedWithContext              func(userContext supertokens.UserContext) (uint64, error)
	GetExpiryWithContext                   func(userContext supertokens.UserContext) (uint64, error)
	MergeIntoAccessTokenPayloadWithContext func(accessTokenPayloadUpdate map[string]interface{}, userContext supertokens.UserContext) error
	AssertClaimsWithContext                func(claimValidators []claims.SessionClaimValidator, userContext supertokens.UserContext) error
	FetchAndSetClaimWithContext            func(claim *claims.TypeSessionClaim, userContext supertokens.UserContext) error
	SetClaimValueWithContext               func(claim *claims.TypeSessionClaim, value interface{}, userContext supertokens.UserContext) error
	GetClaimValueWithContext               func(claim *claims.TypeSessionClaim, userContext supertokens.UserContext) interface{}
	RemoveClaimWithContext                 func(claim *claims.TypeSessionClaim, userContext supertokens.UserContext) error
	AttachToRequestResponseWithContext     func(info RequestResponseInfo, userContext supertokens.UserContext) error
}

// SessionContainer is what VerifySession puts in the request context; nil means no session.
type SessionContainer = *TypeSessionContainer

// SessionContext is the request context key of the session VerifySession verified, which
// session.GetSessionFromRequestContext reads. An int, as in supertokens-golang, whose docs
// have a hand-written VerifySession store the session under it with context.WithValue.
const SessionContext int = iota
