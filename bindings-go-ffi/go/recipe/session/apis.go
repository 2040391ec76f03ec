package session

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/cffi"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/httpx"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/state"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/claims"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/sessmodels"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/supertokens"
)

// originalAPIImplementation is the APIInterface an Override.APIs is given: every field set,
// each pointing to a variable of its own, as supertokens-golang's are.
func originalAPIImplementation() sessmodels.APIInterface {
	refreshPOST := defaultRefreshPOST
	signOutPOST := defaultSignOutPOST
	verifySession := defaultVerifySession
	return sessmodels.APIInterface{
		RefreshPOST:   &refreshPOST,
		SignOutPOST:   &signOutPOST,
		VerifySession: &verifySession,
	}
}

func defaultRefreshPOST(options sessmodels.APIOptions, userContext supertokens.UserContext) (sessmodels.SessionContainer, error) {
	return RefreshSession(options.Req, options.Res, userContext)
}

func defaultSignOutPOST(sessionContainer sessmodels.SessionContainer, options sessmodels.APIOptions, userContext supertokens.UserContext) (sessmodels.SignOutPOSTResponse, error) {
	// nil only when an override calls this without a session; there is nothing to revoke then.
	if sessionContainer != nil {
		if err := sessionContainer.RevokeSessionWithContext(userContext); err != nil {
			return sessmodels.SignOutPOSTResponse{}, err
		}
	}
	return sessmodels.SignOutPOSTResponse{OK: &struct{}{}}, nil
}

// defaultVerifySession is what session.VerifySession does without an override; SessionRecipe
// recognises it by its code, so that an override leaving it alone keeps the direct path.
func defaultVerifySession(verifySessionOptions *sessmodels.VerifySessionOptions, options sessmodels.APIOptions, userContext supertokens.UserContext) (sessmodels.SessionContainer, error) {
	return getSession(options.Req, options.Res, verifySessionOptions, true, userContext)
}

// APIs is called by supertokens.Init: what supertokens.Middleware serves refresh and sign-out
// through, or nil when the core's endpoints do what the recipe's would (no Override.APIs,
// and no function replaced but CreateNewSession, which they do not call).
func (impl *implementation) APIs() state.APIs {
	if impl.apis == nil {
		return nil
	}
	return impl
}

// Serves says whether endpoint still has its API function (nil disables it, as in
// supertokens-golang).
func (impl *implementation) Serves(endpoint cffi.APIEndpoint) bool {
	switch endpoint {
	case cffi.APIEndpointRefresh:
		return impl.apis.RefreshPOST != nil && *impl.apis.RefreshPOST != nil
	case cffi.APIEndpointSignOut:
		return impl.apis.SignOutPOST != nil && *impl.apis.SignOutPOST != nil
	}
	return false
}

// The bodies of the endpoints' answers, as the core writes them.
var (
	refreshOK = []byte(`{}`)
	signOutOK = []byte(`{"status":"OK"}`)
)

// generalError is the body of a SignOutPOSTResponse's GeneralError.
type generalError struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

// Serve answers refresh or sign-out through the application's API function; its errors,
// and sign-out's session errors, are returned for supertokens.Middleware to answer as the
// core's endpoints' errors are.
func (impl *implementation) Serve(endpoint cffi.APIEndpoint, req *http.Request, res *httpx.DoneWriter, theirHandler http.Handler) error {
	if !impl.Serves(endpoint) {
		theirHandler.ServeHTTP(res, req)
		return nil
	}
	options := impl.apiOptions(req, res, theirHandler.ServeHTTP)
	userContext := supertokens.MakeDefaultUserContextFromAPI(req)
	if endpoint == cffi.APIEndpointRefresh {
		if _, err := (*impl.apis.RefreshPOST)(options, userContext); err != nil {
			return err
		}
		return httpx.WriteJSON(res, http.StatusOK, refreshOK)
	}
	// Sign-out needs a session, whatever its claims, as in supertokens-golang.
	required := true
	s, err := GetSession(req, res, &sessmodels.VerifySessionOptions{SessionRequired: &required, OverrideGlobalClaimValidators: noClaimValidators}, userContext)
	if err != nil {
		return err
	}
	out, err := (*impl.apis.SignOutPOST)(s, options, userContext)
	if err != nil {
		return err
	}
	switch {
	case out.OK != nil:
		return httpx.WriteJSON(res, http.StatusOK, signOutOK)
	case out.GeneralError != nil:
		body, err := json.Marshal(generalError{Status: "GENERAL_ERROR", Message: out.GeneralError.Message})
		if err != nil {
			return err
		}
		return httpx.WriteJSON(res, http.StatusOK, body)
	case !res.Done:
		return fmt.Errorf("SignOutPOST returned neither OK nor GeneralError, and answered nothing")
	}
	return nil
}

func noClaimValidators([]claims.SessionClaimValidator, sessmodels.SessionContainer, supertokens.UserContext) ([]claims.SessionClaimValidator, error) {
	return []claims.SessionClaimValidator{}, nil
}

// apiOptions are the APIOptions of a request; other is the application's handler.
func (impl *implementation) apiOptions(req *http.Request, res http.ResponseWriter, other http.HandlerFunc) sessmodels.APIOptions {
	return sessmodels.APIOptions{
		RecipeImplementation:               impl.fns,
		Config:                             impl.normalised,
		RecipeID:                           "session",
		Req:                                req,
		Res:                                res,
		OtherHandler:                       other,
		ClaimValidatorsAddedByOtherRecipes: []claims.SessionClaimValidator{},
	}
}
