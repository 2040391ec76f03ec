package sessmodels

import (
	"net/http"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/openid/openidmodels"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/claims"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/supertokens"
)

// OverrideStruct is TypeInput.Override, as in supertokens-golang. Functions and APIs each get
// the recipe's own implementation and return the one to use; supertokens.Init calls them once.
// Every function of RecipeInterface may be replaced or wrapped (none may be left nil), and
// the recipe calls the replacements where supertokens-golang does: the package's functions
// of the same names, the SessionContainer's methods, VerifySession and GetSession, and the
// refresh and sign-out endpoints. APIs may replace or wrap every endpoint of APIInterface, or
// set RefreshPOST or SignOutPOST to nil. OpenIdFeature is refused by supertokens.Init
// (NOT_SUPPORTED): the JWT and OpenID functions are the core's.
type OverrideStruct struct {
	Functions     func(originalImplementation RecipeInterface) RecipeInterface
	APIs          func(originalImplementation APIInterface) APIInterface
	OpenIdFeature *openidmodels.OverrideStruct
}

// RecipeInterface is the session recipe's functions, supertokens-golang's struct of
// pointers to functions. In the implementation an override is given:
//   - CreateNewSession, given the user context a request-level session.CreateNewSession
//     handed on, makes the session in that request (writing its tokens to that call's
//     response, on the transport the request asks for; disableAntiCsrf is then only
//     informative, the request decides), and otherwise without a request (honouring
//     disableAntiCsrf), the request-level call then attaching it to the response;
//   - GetSession verifies the access token it is given (none: nil when
//     options.SessionRequired is false, else UNAUTHORISED without clearing tokens); a
//     session a replacement returns for a request is put on that request's transport, by
//     the core for one Tessera made, else through its AttachToRequestResponseWithContext
//     (one with neither cannot have its tokens written);
//   - RefreshSession, GetSessionInformation and the functions on stored sessions are the
//     core's, as this package's functions of the same names are without an override;
//   - GetGlobalClaimValidators returns the validators other recipes added (Tessera has none);
//     ValidateClaims refetches the claims the validators ask for and validates the payload;
//   - FetchAndSetClaim, SetClaimValue, GetClaimValue and RemoveClaim work through
//     GetSessionInformation and MergeIntoAccessTokenPayload, as supertokens-golang's do;
//   - RegenerateAccessToken answers as the SuperTokens core's /recipe/session/regenerate:
//     the payload (nil: {}) replaces the session's, a new access token with the old one's
//     expiry carries it (AccessToken is zero when the given token had expired), and the
//     answer is nil when the session is gone. Once Override.Functions replaced it,
//     SessionContainer.MergeIntoAccessTokenPayload calls it with the merged payload and makes
//     the token it returns the session's, as supertokens-golang's does; otherwise the core
//     merges and regenerates the session's token itself there.
type RecipeInterface struct {
	CreateNewSession            *func(userID string, accessTokenPayload map[string]interface{}, sessionDataInDatabase map[string]interface{}, disableAntiCsrf *bool, tenantId string, userContext supertokens.UserContext) (SessionContainer, error)
	GetSession                  *func(accessToken *string, antiCSRFToken *string, options *VerifySessionOptions, userContext supertokens.UserContext) (SessionContainer, error)
	RefreshSession              *func(refreshToken string, antiCSRFToken *string, disableAntiCSRF bool, userContext supertokens.UserContext) (SessionContainer, error)
	GetSessionInformation       *func(sessionHandle string, userContext supertokens.UserContext) (*SessionInformation, error)
	RevokeAllSessionsForUser    *func(userID string, tenantId string, revokeAcrossAllTenants *bool, userContext supertokens.UserContext) ([]string, error)
	GetAllSessionHandlesForUser *func(userID string, tenantId string, fetchAcrossAllTenants *bool, userContext supertokens.UserContext) ([]string, error)
	RevokeSession               *func(sessionHandle string, userContext supertokens.UserContext) (bool, error)
	RevokeMultipleSessions      *func(sessionHandles []string, userContext supertokens.UserContext) ([]string, error)
	UpdateSessionDataInDatabase *func(sessionHandle string, newSessionData map[string]interface{}, userContext supertokens.UserContext) (bool, error)
	MergeIntoAccessTokenPayload *func(sessionHandle string, accessTokenPayloadUpdate map[string]interface{}, userContext supertokens.UserContext) (bool, error)
	RegenerateAccessToken       *func(accessToken string, newAccessTokenPayload *map[string]interface{}, userContext supertokens.UserContext) (*RegenerateAccessTokenResponse, error)

	GetGlobalClaimValidators   *func(userId string, claimValidatorsAddedByOtherRecipes []claims.SessionClaimValidator, tenantId string, userContext supertokens.UserContext) ([]claims.SessionClaimValidator, error)
	ValidateClaims             *func(userId string, accessTokenPayload map[string]interface{}, claimValidators []claims.SessionClaimValidator, userContext supertokens.UserContext) (ValidateClaimsResult, error)
	ValidateClaimsInJWTPayload *func(userId string, jwtPayload map[string]interface{}, claimValidators []claims.SessionClaimValidator, userContext supertokens.UserContext) ([]claims.ClaimValidationError, error)
	FetchAndSetClaim           *func(sessionHandle string, claim *claims.TypeSessionClaim, userContext supertokens.UserContext) (bool, error)
	SetClaimValue              *func(sessionHandle string, claim *claims.TypeSessionClaim, value interface{}, userContext supertokens.UserContext) (bool, error)
	GetClaimValue              *func(sessionHandle string, claim *claims.TypeSessionClaim, userContext supertokens.UserContext) (GetClaimValueResult, error)
	RemoveClaim                *func(sessionHandle string, claim *claims.TypeSessionClaim, userContext supertokens.UserContext) (bool, error)
}

// APIInterface is the session recipe's endpoints, as supertokens-golang names them for
// OverrideStruct.APIs. In the implementation an override is given, RefreshPOST refreshes the
// request's session as session.RefreshSession does (the new tokens go on options.Res);
// SignOutPOST revokes the session it is given (RevokeSessionWithContext, which clears its
// tokens on the response) and returns OK; VerifySession verifies the request's session as
// session.GetSession does.
//
// With an override, supertokens.Middleware serves refresh through RefreshPOST (answering 200 {}
// when it returns no error) and sign-out through SignOutPOST, given the request's session
// (required, verified as session.GetSession does; its errors are answered as the endpoint's)
// and answered 200 {"status":"OK"} or {"status":"GENERAL_ERROR","message":...}; a nil
// RefreshPOST or SignOutPOST leaves its endpoint to the application's handler. The JWKS
// stays the core's. session.VerifySession calls a VerifySession the override replaced, which
// must not be nil.
type APIInterface struct {
	RefreshPOST   *func(options APIOptions, userContext supertokens.UserContext) (SessionContainer, error)
	SignOutPOST   *func(sessionContainer SessionContainer, options APIOptions, userContext supertokens.UserContext) (SignOutPOSTResponse, error)
	VerifySession *func(verifySessionOptions *VerifySessionOptions, options APIOptions, userContext supertokens.UserContext) (SessionContainer, error)
}

// APIOptions is what an endpoint of APIInterface is given, as in supertokens-golang.
// RecipeImplementation is the recipe's functions after Override.Functions; OtherHandler is
// the application's handler (of supertokens.Middleware, or of session.VerifySession).
type APIOptions struct {
	RecipeImplementation RecipeInterface
	// Config is the session recipe's configuration as Tessera uses it (see
	// TypeNormalisedInput).
	Config       TypeNormalisedInput
	RecipeID     string
	Req          *http.Request
	Res          http.ResponseWriter
	OtherHandler http.HandlerFunc

	ClaimValidatorsAddedByOtherRecipes []claims.SessionClaimValidator
}

// SignOutPOSTResponse is SignOutPOST's answer: OK, or a general error for the frontend.
type SignOutPOSTResponse struct {
	OK           *struct{}
	GeneralError *supertokens.GeneralErrorResponse
}

// SessionStruct is a session as RegenerateAccessTokenResponse describes it.
type SessionStruct struct {
	Handle                string                 `json:"handle"`
	UserID                string                 `json:"userId"`
	UserDataInAccessToken map[string]interface{} `json:"userDataInJWT"`
	ExpiryTime            uint64                 `json:"expiryTime"`
	TenantId              string                 `json:"tenantId"`
}

// CreateOrRefreshAPIResponseToken is a token with its expiry and creation time (ms).
type CreateOrRefreshAPIResponseToken struct {
	Token       string `json:"token"`
	Expiry      uint64 `json:"expiry"`
	CreatedTime uint64 `json:"createdTime"`
}

// RegenerateAccessTokenResponse is RecipeInterface.RegenerateAccessToken's answer.
type RegenerateAccessTokenResponse struct {
	Status      string                          `json:"status"`
	Session     SessionStruct                   `json:"session"`
	AccessToken CreateOrRefreshAPIResponseToken `json:"accessToken"`
}

// ValidateClaimsResult is RecipeInterface.ValidateClaims' answer.
type ValidateClaimsResult struct {
	InvalidClaims            []claims.ClaimValidationError
	AccessTokenPayloadUpdate map[string]interface{}
}

// GetClaimValueResult is RecipeInterface.GetClaimValue's answer: the value, or that the
// session does not exist.
type GetClaimValueResult struct {
	OK *struct {
		Value interface{}
	}
	SessionDoesNotExistError *struct{}
}

// ValidateClaimsResponse is session.ValidateClaimsForSessionHandle's answer: the failed
// claims, or that the session does not exist.
type ValidateClaimsResponse struct {
	OK *struct {
		InvalidClaims []claims.ClaimValidationError
	}
	SessionDoesNotExistError *struct{}
}
