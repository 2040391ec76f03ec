// The Tessera side of the Go differential test: internal/app over Tessera's Go binding,
// configured from $DIFF_CONFIG.
package main

import (
	"net/http"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/sessmodels"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/tessera"
	"github.com/tessera-session/tessera/tests/differential-go/internal/app"
)

func main() {
	c := app.LoadConfig()
	s := c.Session
	input := &sessmodels.TypeInput{
		AntiCsrf:                        s.AntiCsrf,
		CookieDomain:                    s.CookieDomain,
		OlderCookieDomain:               s.OlderCookieDomain,
		CookieSecure:                    s.CookieSecure,
		CookieSameSite:                  s.CookieSameSite,
		UseDynamicAccessTokenSigningKey: s.UseDynamicAccessTokenSigningKey,
		ExposeAccessTokenToFrontendInCookieBasedAuth: s.ExposeAccessTokenToFrontendInCookieBasedAuth,
		AccessTokenValidity:                          c.Tessera.AccessTokenValidity,
		RefreshTokenRotationGracePeriod:              c.Tessera.RefreshTokenRotationGracePeriod,
	}
	if s.TokenTransferMethod != "" {
		input.GetTokenTransferMethod = func(_ *http.Request, forCreateNewSession bool, _ tessera.UserContext) sessmodels.TokenTransferMethod {
			return sessmodels.TokenTransferMethod(c.TransferMethod(forCreateNewSession))
		}
	}
	err := tessera.Init(tessera.TypeInput{
		Supertokens: &tessera.ConnectionInfo{ConnectionURI: c.ConnectionURI},
		AppInfo: tessera.AppInfo{
			AppName: c.AppInfo.AppName, APIDomain: c.AppInfo.APIDomain, WebsiteDomain: c.AppInfo.WebsiteDomain,
		},
		RecipeList:            []tessera.Recipe{session.Init(input)},
		OnSuperTokensAPIError: app.OnAPIError("tessera"),
	})
	if err != nil {
		panic(err)
	}
	app.Serve(app.Handler(&app.Lib{
		Name:       "tessera",
		Middleware: tessera.Middleware,
		VerifySession: func(o app.Options, h http.HandlerFunc) http.HandlerFunc {
			return session.VerifySession(&sessmodels.VerifySessionOptions{
				SessionRequired: o.SessionRequired, AntiCsrfCheck: o.AntiCsrfCheck, CheckDatabase: o.CheckDatabase,
			}, h)
		},
		SessionOf: func(r *http.Request) *app.Session { return adapt(session.GetSessionFromRequestContext(r.Context())) },
		CreateNewSession: func(r *http.Request, w http.ResponseWriter, tenantID, userID string, payload, data map[string]interface{}) (*app.Session, error) {
			s, err := session.CreateNewSession(r, w, tenantID, userID, payload, data)
			return adapt(s), err
		},
		ErrorHandler: func(err error, r *http.Request, w http.ResponseWriter) error { return tessera.ErrorHandler(err, r, w) },
		Mint: func(userID string, payload map[string]interface{}) (string, *string, error) {
			disable := false
			s, err := session.CreateNewSessionWithoutRequestResponse("public", userID, payload, map[string]interface{}{}, &disable)
			if err != nil {
				return "", nil, err
			}
			t := s.GetAllSessionTokensDangerously()
			return t.AccessToken, t.AntiCsrfToken, nil
		},
	}))
}

func adapt(s sessmodels.SessionContainer) *app.Session {
	if s == nil {
		return nil
	}
	return &app.Session{
		UserID: s.GetUserID, Handle: s.GetHandle, TenantID: s.GetTenantId, AccessToken: s.GetAccessToken,
		Payload: s.GetAccessTokenPayload, Merge: s.MergeIntoAccessTokenPayload, Revoke: s.RevokeSession,
		GetData: s.GetSessionDataInDatabase, UpdateData: s.UpdateSessionDataInDatabase,
		TimeCreated: s.GetTimeCreated, Expiry: s.GetExpiry,
	}
}
