// Package state holds what tessera.Init sets up, shared by the public packages.
package state

import (
	"net/http"
	"sync/atomic"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/cffi"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/errs"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/httpx"
)

// Runtime is one initialisation: the engine and the application's hooks.
type Runtime struct {
	Engine *cffi.Engine
	// OnAPIError answers errors that ErrorHandler does not (everything but session errors).
	OnAPIError func(err error, req *http.Request, res http.ResponseWriter)
	// RequestHeaders are the (lowercase) request headers the core reads, and RequestHeaderKeys
	// their canonical forms, the keys of http.Header.
	RequestHeaders, RequestHeaderKeys []string
	// GetTokenTransferMethod is the session recipe's per-request choice of transports ("any",
	// "cookie", "header"), or nil to use the configured one. userContext is a
	// tessera.UserContext.
	GetTokenTransferMethod func(req *http.Request, forCreateNewSession bool, userContext *map[string]interface{}) string
	// SessionErrors are the codes the protocol answers itself (401/403/200).
	SessionErrors map[string]bool
	// SessionErrorHandlers are the application's own answers to session errors, by code
	// (the session recipe's ErrorHandlers), called after the error's prelude. nil when it
	// has none: then, and for a code without a handler, the protocol's answer is given.
	SessionErrorHandlers map[string]SessionErrorHandler
	// SessionRecipe is the session recipe's implementation after the application's Override
	// (a type of recipe/session, which this package cannot import), or nil without one: then
	// session creation and VerifySession take their direct paths.
	SessionRecipe interface{}
	// APIs serves the refresh and sign-out endpoints through the session recipe's API
	// functions after the application's Override (its APIs, or functions the core's
	// endpoints would not call), or is nil without one: then the core serves them, as it
	// always serves the JWKS.
	APIs APIs
	// JWTValiditySeconds is CreateJWT's default validity by the id of the recipe whose Init
	// set it ("jwt", "openid"): each package's CreateJWT has its own, as in
	// supertokens-golang, where the session recipe's is always the 100-year default.
	JWTValiditySeconds map[string]uint64
}

// APIs are the session recipe's endpoints as an application's Override.APIs left them.
type APIs interface {
	// Serves says whether endpoint (refresh or sign-out) still has its API function; without
	// it the request is the application's, as in supertokens-golang.
	Serves(endpoint cffi.APIEndpoint) bool
	// Serve answers req for endpoint through its API function, on res unless that function
	// answered itself. The error (a session error or the function's own) is for the caller to
	// answer, as the core's endpoint errors are.
	Serve(endpoint cffi.APIEndpoint, req *http.Request, res *httpx.DoneWriter, theirHandler http.Handler) error
}

// SessionErrorHandler answers a session error on res (status and body; the prelude is
// already on res's headers). Its error is the application's, handed on as supertokens does.
type SessionErrorHandler func(e *errs.Error, req *http.Request, res http.ResponseWriter) error

// TransferMethod asks the application's GetTokenTransferMethod, if any, for req; empty
// means the configured setting. userContext is the caller's, or a new one.
func (rt *Runtime) TransferMethod(req *http.Request, forCreateNewSession bool, userContext []*map[string]interface{}) string {
	if rt.GetTokenTransferMethod == nil {
		return ""
	}
	var uc *map[string]interface{}
	if len(userContext) > 0 && userContext[0] != nil {
		uc = userContext[0]
	} else {
		uc = &map[string]interface{}{}
	}
	return rt.GetTokenTransferMethod(req, forCreateNewSession, uc)
}

// Request is req as the core's JSON request shape, with the per-request transfer method.
func (rt *Runtime) Request(req *http.Request, forCreateNewSession bool, userContext ...*map[string]interface{}) httpx.Request {
	return httpx.FromHTTP(req, rt.RequestHeaders, rt.RequestHeaderKeys, rt.TransferMethod(req, forCreateNewSession, userContext))
}

// TransferMethodCode is TransferMethod as a cffi.TransferMethod constant.
func TransferMethodCode(method string) (uint32, error) {
	switch method {
	case "":
		return cffi.TransferMethodConfigured, nil
	case "any":
		return cffi.TransferMethodAny, nil
	case "cookie":
		return cffi.TransferMethodCookie, nil
	case "header":
		return cffi.TransferMethodHeader, nil
	}
	return 0, errs.New(errs.InvalidInput.Code(), "tokenTransferMethod must be \"any\", \"cookie\" or \"header\", not %q", method)
}

var current atomic.Pointer[Runtime]

// Set replaces the runtime (a later Init wins; requests in flight finish on the old one).
func Set(r *Runtime) { current.Store(r) }

// Get returns the runtime, or an INVALID_CONFIG error before Init.
func Get() (*Runtime, error) {
	if r := current.Load(); r != nil {
		return r, nil
	}
	return nil, errs.New(errs.InvalidConfig.Code(), "tessera.Init has not been called")
}
