// The reference side of the Go differential test: internal/app over supertokens-golang, talking
// to the test's stub core (tests/differential/stub-core.mjs), configured from $DIFF_CONFIG.
package main

import (
	"net/http"

	"github.com/supertokens/supertokens-golang/recipe/session"
	"github.com/supertokens/supertokens-golang/recipe/session/sessmodels"
	"github.com/supertokens/supertokens-golang/supertokens"
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
	}
	if s.TokenTransferMethod != "" {
		input.GetTokenTransferMethod = func(_ *http.Request, forCreateNewSession bool, _ supertokens.UserContext) sessmodels.TokenTransferMethod {
			return sessmodels.TokenTransferMethod(c.TransferMethod(forCreateNewSession))
		}
	}
	telemetry := false
	err := supertokens.Init(supertokens.TypeInput{
		Supertokens: &supertokens.ConnectionInfo{ConnectionURI: c.ConnectionURI},
		AppInfo: supertokens.AppInfo{
			AppName: c.AppInfo.AppName, APIDomain: c.AppInfo.APIDomain, WebsiteDomain: c.AppInfo.WebsiteDomain,
		},
		RecipeList:            []supertokens.Recipe{session.Init(input)},
		Telemetry:             &telemetry,
		OnSuperTokensAPIError: app.OnAPIError("supertokens-golang"),
	})
	if err != nil {
		panic(err)
	}
	// supertokens-golang v0.25 speaks CDI 3.1 only, and the stub core announces the CDI 5.x
	// versions supertokens-node speaks: the SDK would refuse it. The stub's answers carry every
	// field CDI 3.1 has (it adds some), so the SDK is told the version instead of asking.
	supertokens.SetQuerierApiVersionForTests("3.1")
	app.Serve(app.Handler(&app.Lib{
		Name:       "supertokens-golang",
		Middleware: supertokens.Middleware,
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
		ErrorHandler: func(err error, r *http.Request, w http.ResponseWriter) error {
			return supertokens.ErrorHandler(err, r, w)
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
