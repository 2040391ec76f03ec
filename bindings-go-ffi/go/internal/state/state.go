// Package state holds what tessera.Init sets up, shared by the public packages.
package state

import (
	"net/http"
	"sync/atomic"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/cffi"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/errs"
)

// Runtime is one initialisation: the engine and the application's hooks.
type Runtime struct {
	Engine *cffi.Engine
	// OnAPIError answers errors that ErrorHandler does not (everything but session errors).
	OnAPIError func(err error, req *http.Request, res http.ResponseWriter)
	// RequestHeaders are the (lowercase) request headers the core reads.
	RequestHeaders []string
	// SessionErrors are the codes the protocol answers itself (401/403/200).
	SessionErrors map[string]bool
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
