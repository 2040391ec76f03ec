// Package sessmodels holds the session recipe's types, in the shape of supertokens-golang's
// package of the same name.
package sessmodels

import (
	"net/http"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/claims"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/tessera"
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
	GetTokenTransferMethod func(req *http.Request, forCreateNewSession bool, userContext tessera.UserContext) TokenTransferMethod `json:"-"`

	// Override replaces the recipe's functions and endpoints, as in supertokens-golang (see
	// OverrideStruct).
	Override *OverrideStruct `json:"-"`

	// ErrorHandlers replace the answers to session errors, as in supertokens-golang: those of
	// tessera.ErrorHandler, VerifySession and the endpoints tessera.Middleware serves (a
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
// sends it: returned by tessera.ErrorHandler, and handed to OnSuperTokensAPIError by
// VerifySession and, when nothing was written yet, by tessera.Middleware.
type ErrorHandlers struct {
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
	OverrideGlobalClaimValidators func(globalClaimValidators []claims.SessionClaimValidator, sessionContainer SessionContainer, userContext tessera.UserContext) ([]claims.SessionClaimValidator, error)
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

// TypeSessionContainer is a session, as a struct of functions (supertokens-golang's shape).
// Functions that change the session also write its new tokens to the response of the
// request it came from, if any; call them before the handler writes its body.
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

	RevokeSessionWithContext               func(userContext tessera.UserContext) error
	GetSessionDataInDatabaseWithContext    func(userContext tessera.UserContext) (map[string]interface{}, error)
	UpdateSessionDataInDatabaseWithContext func(newSessionData map[string]interface{}, userContext tessera.UserContext) error
	GetUserIDWithContext                   func(userContext tessera.UserContext) string
	GetRecipeUserIDWithContext             func(userContext tessera.UserContext) string
	GetTenantIdWithContext                 func(userContext tessera.UserContext) string
	GetAccessTokenPayloadWithContext       func(userContext tessera.UserContext) map[string]interface{}
	GetHandleWithContext                   func(userContext tessera.UserContext) string
	GetAccessTokenWithContext              func(userContext tessera.UserContext) string
	GetTimeCreatedWithContext              func(userContext tessera.UserContext) (uint64, error)
	GetExpiryWithContext                   func(userContext tessera.UserContext) (uint64, error)
	MergeIntoAccessTokenPayloadWithContext func(accessTokenPayloadUpdate map[string]interface{}, userContext tessera.UserContext) error
	AssertClaimsWithContext                func(claimValidators []claims.SessionClaimValidator, userContext tessera.UserContext) error
	FetchAndSetClaimWithContext            func(claim *claims.TypeSessionClaim, userContext tessera.UserContext) error
	SetClaimValueWithContext               func(claim *claims.TypeSessionClaim, value interface{}, userContext tessera.UserContext) error
	GetClaimValueWithContext               func(claim *claims.TypeSessionClaim, userContext tessera.UserContext) interface{}
	RemoveClaimWithContext                 func(claim *claims.TypeSessionClaim, userContext tessera.UserContext) error
}

// SessionContainer is what VerifySession puts in the request context; nil means no session.
type SessionContainer = *TypeSessionContainer
