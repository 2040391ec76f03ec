package supertokens

import "net/http"

// GeneralErrorResponse is an endpoint's answer carrying a message for the frontend, as in
// supertokens-golang (sessmodels.SignOutPOSTResponse names it).
type GeneralErrorResponse struct {
	Message string
}

// MakeDefaultUserContextFromAPI returns a new user context holding r, where
// GetRequestFromUserContext finds it.
func MakeDefaultUserContextFromAPI(r *http.Request) UserContext {
	return SetRequestInUserContextIfNotDefined(nil, r)
}

// SetRequestInUserContextIfNotDefined puts r in userContext (a new one if nil) under
// "_default" → "request", where supertokens-golang keeps it, and returns the context. As
// there, a "_default" that is not a map[string]interface{} is left alone, and a request
// already there is replaced.
func SetRequestInUserContextIfNotDefined(userContext UserContext, r *http.Request) UserContext {
	if userContext == nil {
		userContext = &map[string]interface{}{}
	}
	if *userContext == nil {
		*userContext = map[string]interface{}{}
	}
	ctx := *userContext
	defaults, ok := ctx["_default"]
	if !ok {
		defaults = map[string]interface{}{}
		ctx["_default"] = defaults
	}
	if m, ok := defaults.(map[string]interface{}); ok {
		m["request"] = r
	}
	return userContext
}

// GetRequestFromUserContext returns the request a request-level call (or
// MakeDefaultUserContextFromAPI) put in userContext, or nil.
func GetRequestFromUserContext(userContext UserContext) *http.Request {
	if userContext == nil {
		return nil
	}
	defaults, _ := (*userContext)["_default"].(map[string]interface{})
	r, _ := defaults["request"].(*http.Request)
	return r
}
