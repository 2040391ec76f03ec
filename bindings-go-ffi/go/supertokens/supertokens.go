// Package supertokens is the entry point of the Go binding, under the name and in the shape
// of supertokens-golang's package: Init, TypeInput, Middleware, ErrorHandler,
// GetAllCORSHeaders, so that code written for it builds with only the import root changed.
// Package tessera is the same package under Tessera's own name, with its error sentinels.
// The session recipe is in recipe/session.
package supertokens

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/cffi"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/errs"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/httpx"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/state"
)

// UserContext is passed through to functions that accept it; Tessera does not read it.
type UserContext = *map[string]interface{}

// ConnectionInfo says where sessions live. ConnectionURI empty: the embedded SQLite file
// .tessera/sessions.sqlite3 (TESSERA_SQLITE_PATH overrides); "sqlite:PATH";
// "sqlite::memory:"; or "http(s)://host[;http(s)://host2]" to verify against a SuperTokens
// core's JWKS (verification only).
type ConnectionInfo struct {
	ConnectionURI string
	APIKey        string
	// NetworkInterceptor is accepted for supertokens-golang's shape and never called: Tessera
	// makes no core calls (sessions live in its own store), and the one request it may send,
	// the JWKS fetch of an http(s) ConnectionURI, is made by the Rust core, out of Go's reach.
	NetworkInterceptor func(request *http.Request, userContext UserContext) (*http.Request, error)
	// DisableCoreCallCache is accepted for supertokens-golang's shape and has no effect: there
	// are no core calls to cache. (The remote JWKS is cached for the session recipe's
	// JWKSRefreshIntervalSec whatever this says.)
	DisableCoreCallCache bool
}

// AppInfo describes the application, as in SuperTokens.
type AppInfo struct {
	AppName       string
	WebsiteDomain string
	// Origin takes the place of WebsiteDomain and wins over it, as in supertokens-golang.
	Origin string
	// GetOrigin, if set, wins over Origin and WebsiteDomain. Tessera calls it once, in Init,
	// with a nil request, and takes its answer as the website's domain for the default
	// cookie SameSite; if it fails, the website's domain is left unknown (SameSite lax). Set
	// CookieSameSite when the origins it answers for span sites.
	GetOrigin       func(request *http.Request, userContext UserContext) (string, error)
	APIDomain       string
	WebsiteBasePath *string
	APIBasePath     *string
	// APIGatewayPath is the prefix a gateway (an AWS API Gateway stage, e.g. "/dev") strips
	// before the app sees a request: routes match without it, while the refresh cookie's
	// path, the tokens' iss and the discovery document carry it.
	APIGatewayPath *string
}

// websiteDomain is the website's domain the config is made with.
func (a AppInfo) websiteDomain() string {
	if a.GetOrigin != nil {
		origin, err := askOrigin(a.GetOrigin)
		if err != nil {
			return ""
		}
		return origin
	}
	if a.Origin != "" {
		return a.Origin
	}
	return a.WebsiteDomain
}

// askOrigin calls an app's GetOrigin without a request; a function that needs one fails
// (or panics) and leaves the website's domain unknown.
func askOrigin(getOrigin func(*http.Request, UserContext) (string, error)) (origin string, err error) {
	defer func() {
		if r := recover(); r != nil {
			origin, err = "", fmt.Errorf("GetOrigin without a request: %v", r)
		}
	}()
	userContext := map[string]interface{}{}
	return getOrigin(nil, &userContext)
}

// Recipe is one entry of TypeInput.RecipeList; session.Init, jwt.Init and openid.Init make
// one. It returns the recipe's id and its options, which Init reads (the session recipe's
// are sent to the core as JSON).
type Recipe func() (recipeID string, options interface{})

// TypeInput is Init's configuration.
type TypeInput struct {
	// Supertokens is the connection; nil means the embedded SQLite default.
	Supertokens *ConnectionInfo
	AppInfo     AppInfo
	RecipeList  []Recipe
	// OnSuperTokensAPIError answers errors that are not session errors; the default
	// answers 500 with the error's text.
	OnSuperTokensAPIError func(err error, req *http.Request, res http.ResponseWriter)
	// Debug is accepted for supertokens-golang's shape: there it turns on debug logging (as
	// does SUPERTOKENS_DEBUG), but Tessera logs nothing, so it has no effect.
	Debug bool
	// Telemetry is accepted for supertokens-golang's shape and has no effect: Tessera sends no
	// telemetry.
	Telemetry *bool
}

type appInfoJSON struct {
	AppName         string  `json:"appName"`
	APIDomain       string  `json:"apiDomain"`
	WebsiteDomain   string  `json:"websiteDomain,omitempty"`
	APIBasePath     *string `json:"apiBasePath,omitempty"`
	APIGatewayPath  *string `json:"apiGatewayPath,omitempty"`
	WebsiteBasePath *string `json:"websiteBasePath,omitempty"`
}

type kindJSON struct {
	Code         string `json:"code"`
	Status       int    `json:"status"`
	SessionError bool   `json:"sessionError"`
}

type headersJSON struct {
	RequestHeaders     []string `json:"requestHeaders"`
	CorsAllowedHeaders []string `json:"corsAllowedHeaders"`
}

var protocolHeaders = sync.OnceValues(func() (headersJSON, error) {
	var h headersJSON
	doc, err := cffi.ProtocolHeaders()
	if err == nil {
		err = json.Unmarshal(doc, &h)
	}
	return h, err
})

// Init checks the library's ABI version, builds the engine (opening the session store) and
// makes it the one every other function uses. Calling it again replaces the engine.
func Init(config TypeInput) error {
	if err := cffi.CheckABI(); err != nil {
		return err
	}
	doc := map[string]interface{}{
		"appInfo": appInfoJSON{
			AppName: config.AppInfo.AppName, APIDomain: config.AppInfo.APIDomain,
			WebsiteDomain: config.AppInfo.websiteDomain(), APIBasePath: config.AppInfo.APIBasePath,
			APIGatewayPath: config.AppInfo.APIGatewayPath, WebsiteBasePath: config.AppInfo.WebsiteBasePath,
		},
	}
	if c := config.Supertokens; c != nil {
		if c.ConnectionURI != "" {
			doc["connectionURI"] = c.ConnectionURI
		}
		if c.APIKey != "" {
			doc["apiKey"] = c.APIKey
		}
	}
	var getTokenTransferMethod func(*http.Request, bool, *map[string]interface{}) string
	var sessionErrorHandlers map[string]state.SessionErrorHandler
	var sessionRecipe interface{}
	var apis state.APIs
	jwtValidity := map[string]uint64{}
	for _, r := range config.RecipeList {
		if r == nil {
			continue
		}
		id, options := r()
		switch id {
		case "session":
		case "jwt", "openid":
			// The core signs and serves the JWKS and the discovery document in every app;
			// these entries carry only CreateJWT's default validity, or the options Tessera
			// refuses.
			o, ok := options.(interface{ JWTValiditySeconds() (*uint64, error) })
			if !ok {
				return errs.New(errs.InvalidConfig.Code(), "RecipeList: the %s recipe's entry was not made by its Init", id)
			}
			validity, err := o.JWTValiditySeconds()
			if err != nil {
				return err
			}
			if validity != nil {
				jwtValidity[id] = *validity
			}
			continue
		default:
			return errs.New(errs.InvalidConfig.Code(), "RecipeList: Tessera has no recipe %q", id)
		}
		doc["session"] = options
		// The session recipe's options carry the hooks, which are no JSON.
		if h, ok := options.(interface {
			TokenTransferMethodHook() func(*http.Request, bool, *map[string]interface{}) string
		}); ok {
			getTokenTransferMethod = h.TokenTransferMethodHook()
		}
		if h, ok := options.(interface {
			SessionErrorHandlers() map[string]state.SessionErrorHandler
		}); ok {
			sessionErrorHandlers = h.SessionErrorHandlers()
		}
		if h, ok := options.(interface{ SessionRecipe() (interface{}, error) }); ok {
			// Before the engine is made: a refused override leaves the previous Init in effect.
			var err error
			if sessionRecipe, err = h.SessionRecipe(); err != nil {
				return err
			}
			if a, ok := sessionRecipe.(interface{ APIs() state.APIs }); ok {
				apis = a.APIs()
			}
		}
	}
	configJSON, err := json.Marshal(doc)
	if err != nil {
		return errs.New(errs.InvalidConfig.Code(), "config: %v", err)
	}
	engine, err := cffi.NewEngine(configJSON)
	if err != nil {
		return err
	}
	// The recipe's normalised configuration (APIOptions.Config) is read off the new engine.
	if n, ok := sessionRecipe.(interface{ Normalise(*cffi.Engine) error }); ok {
		if err := n.Normalise(engine); err != nil {
			return err
		}
	}
	headers, err := protocolHeaders()
	if err != nil {
		return err
	}
	kindsDoc, err := cffi.ErrorKinds()
	if err != nil {
		return err
	}
	var kinds []kindJSON
	if err := json.Unmarshal(kindsDoc, &kinds); err != nil {
		return errs.New(errs.Internal.Code(), "error kinds: %v", err)
	}
	sessionErrors := map[string]bool{}
	for _, k := range kinds {
		sessionErrors[k.Code] = k.SessionError
	}
	onError := config.OnSuperTokensAPIError
	if onError == nil {
		onError = func(err error, req *http.Request, res http.ResponseWriter) {
			http.Error(res, err.Error(), http.StatusInternalServerError)
		}
	}
	keys := make([]string, len(headers.RequestHeaders))
	for i, name := range headers.RequestHeaders {
		keys[i] = http.CanonicalHeaderKey(name)
	}
	state.Set(&state.Runtime{
		Engine:                 engine,
		OnAPIError:             onError,
		RequestHeaders:         headers.RequestHeaders,
		RequestHeaderKeys:      keys,
		GetTokenTransferMethod: getTokenTransferMethod,
		SessionErrors:          sessionErrors,
		SessionErrorHandlers:   sessionErrorHandlers,
		SessionRecipe:          sessionRecipe,
		APIs:                   apis,
		JWTValiditySeconds:     jwtValidity,
	})
	return nil
}

// Middleware serves the endpoints the frontend calls ({apiBasePath}/session/refresh,
// {apiBasePath}/signout, the JWKS at {apiBasePath}/jwt/jwks.json and the OpenID discovery
// document at {apiBasePath}/.well-known/openid-configuration) and passes every other
// request to theirHandler. Their session errors (a refresh without a refresh token,
// a reused one, ...) go to the session recipe's ErrorHandlers when it has them.
//
// With the session recipe's Override.APIs, or an Override.Functions that replaced a function
// other than CreateNewSession, refresh and sign-out go through its RefreshPOST and
// SignOutPOST, as in supertokens-golang (so that they call the replaced functions): a nil one
// leaves its endpoint to theirHandler, and their errors are answered as the endpoints' own.
//
// A nil theirHandler answers every other request with an empty 200, as supertokens-golang's
// does, for applications that put Middleware behind their own routing.
func Middleware(theirHandler http.Handler) http.Handler {
	if theirHandler == nil {
		theirHandler = http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rt, err := state.Get()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if rt.APIs != nil {
			if serveAPI(rt, theirHandler, w, r) {
				return
			}
		} else {
			isAPI, err := rt.Engine.IsAPIRequest(r.Method, r.URL.RequestURI())
			if err != nil {
				rt.OnAPIError(err, r, w)
				return
			}
			if !isAPI {
				theirHandler.ServeHTTP(w, r)
				return
			}
		}
		input, _ := json.Marshal(map[string]interface{}{"request": rt.Request(r, false)})
		var doc []byte
		if rt.SessionErrorHandlers == nil {
			doc, err = rt.Engine.HandleAPIRequest(input)
		} else {
			// The endpoint's error comes back, for the application's handlers to answer.
			if doc, err = rt.Engine.TryHandleAPIRequest(input); err != nil {
				answerEndpointError(rt, err, r, w)
				return
			}
		}
		if err != nil {
			rt.OnAPIError(err, r, w)
			return
		}
		var m *httpx.Mutations
		if err := json.Unmarshal(doc, &m); err != nil || m == nil {
			theirHandler.ServeHTTP(w, r)
			return
		}
		if err := m.Write(w); err != nil {
			rt.OnAPIError(err, r, w)
		}
	})
}

// serveAPI answers r when it is not for the core to answer: the application's requests, and
// refresh and sign-out, which go through the application's API functions. False: r is for
// an endpoint the core serves (the JWKS, the OpenID discovery document).
func serveAPI(rt *state.Runtime, theirHandler http.Handler, w http.ResponseWriter, r *http.Request) bool {
	endpoint, err := rt.Engine.APIEndpointOf(r.Method, r.URL.RequestURI())
	if err != nil {
		rt.OnAPIError(err, r, w)
		return true
	}
	switch {
	case endpoint == cffi.APIEndpointJWKS || endpoint == cffi.APIEndpointOpenIDConfiguration:
		return false
	case endpoint == cffi.APIEndpointNone || !rt.APIs.Serves(endpoint):
		theirHandler.ServeHTTP(w, r)
	default:
		dw := &httpx.DoneWriter{ResponseWriter: w}
		if err := rt.APIs.Serve(endpoint, r, dw, theirHandler); err != nil {
			answerEndpointError(rt, err, r, dw)
		}
	}
	return true
}

// ErrorHandler answers Tessera's session errors (401 unauthorised / try refresh token /
// token theft detected, 403 invalid claims, cleared tokens as the protocol says) and
// returns nil; any other error is returned for the caller (or OnSuperTokensAPIError).
// The types of recipe/session/errors, as supertokens-golang code makes them
// (errors.UnauthorizedError{Msg: "..."}), are answered as the core's errors of their kind.
//
// When the session recipe has an ErrorHandlers function for the error's kind, the protocol's
// prelude (token clearing for unauthorised and token theft, older-domain cookies for
// duplicate cookies) is written on res's headers and the function answers the rest; its
// error is returned, as supertokens-golang does.
func ErrorHandler(err error, req *http.Request, res http.ResponseWriter, userContext ...UserContext) error {
	e, ok := errs.FromSessionError(err)
	if !ok {
		return err
	}
	rt, rerr := state.Get()
	if rerr != nil {
		return err
	}
	if !rt.SessionErrors[e.Code] {
		return err
	}
	return answer(rt, e, err, req, res, userContext)
}

// answer writes the answer to e, a session error or an endpoint's error: the application's
// handler after the prelude, or the protocol's answer. original is what to return when the
// core's answer cannot be read.
func answer(rt *state.Runtime, e *errs.Error, original error, req *http.Request, res http.ResponseWriter, userContext []UserContext) error {
	handler := rt.SessionErrorHandlers[e.Code]
	input, merr := json.Marshal(map[string]interface{}{
		"request":     rt.Request(req, false, userContext...),
		"error":       e,
		"preludeOnly": handler != nil,
	})
	if merr != nil {
		return original
	}
	doc, cerr := rt.Engine.ErrorResponse(input)
	if cerr != nil {
		return cerr
	}
	var m httpx.Mutations
	if jerr := json.Unmarshal(doc, &m); jerr != nil {
		return original
	}
	if werr := m.Write(res); werr != nil || handler == nil {
		return werr
	}
	return handler(e, req, res)
}

// answerEndpointError answers an error of one of Middleware's endpoints: when the core
// returns it rather than answering it (the application has error handlers), or when it comes
// from the application's API functions. As supertokens-golang's middleware does, an error a
// handler returns, or one that is no session error, goes to OnSuperTokensAPIError unless the
// response was answered already. res is a DoneWriter when an API function may have written
// to it.
func answerEndpointError(rt *state.Runtime, err error, req *http.Request, res http.ResponseWriter) {
	w, ok := res.(*httpx.DoneWriter)
	if !ok {
		w = &httpx.DoneWriter{ResponseWriter: res}
	}
	e, ok := errs.FromSessionError(err)
	if !ok {
		if !w.Done {
			rt.OnAPIError(err, req, w)
		}
		return
	}
	if herr := answer(rt, e, err, req, w, nil); herr != nil && !w.Done {
		rt.OnAPIError(herr, req, w)
	}
}

// GetAllCORSHeaders lists the request headers a CORS setup must allow for the frontend SDKs.
func GetAllCORSHeaders() []string {
	h, err := protocolHeaders()
	if err != nil {
		return nil
	}
	return append([]string(nil), h.CorsAllowedHeaders...)
}
