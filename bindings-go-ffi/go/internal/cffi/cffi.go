// Package cffi is the only package of the module that imports "C": it calls the C ABI of
// tessera-ffi (include/tessera.h) and converts bytes, handles and errors. Everything above
// it is plain Go.
//
// Linking: by default the workspace's debug static library; -tags tessera_release links the
// release one; -tags tessera_external links nothing, for builds that pass CGO_LDFLAGS
// themselves (a library built elsewhere, or the cdylib).
package cffi

/*
#cgo CFLAGS: -I${SRCDIR}/../../../include
// The functions of a request's path borrow what they are given for the call only (tessera.h
// says so of every function) and never call Go: with these, the out-parameters they write
// stay on the Go stack instead of each being moved to the heap.
#cgo noescape tessera_engine_verify_request
#cgo nocallback tessera_engine_verify_request
#cgo noescape tessera_engine_verify_token
#cgo nocallback tessera_engine_verify_token
#cgo noescape tessera_engine_is_api_request
#cgo nocallback tessera_engine_is_api_request
#cgo noescape tessera_engine_api_endpoint
#cgo nocallback tessera_engine_api_endpoint
#cgo noescape tessera_claim_should_refetch
#cgo nocallback tessera_claim_should_refetch
#cgo noescape tessera_claim_validate
#cgo nocallback tessera_claim_validate
#cgo noescape tessera_claim_entry
#cgo nocallback tessera_claim_entry
#include "tessera.h"
*/
import "C"

import (
	"runtime"
	"strings"
	"unsafe"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/claimabi"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/errs"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/sesserr"
)

func init() {
	claimabi.ShouldRefetch, claimabi.Validate, claimabi.Entry = ClaimShouldRefetch, ClaimValidate, ClaimEntry
}

// ABIVersion is the version of the C ABI this package was written for.
const ABIVersion = 1

// CheckABI fails when the header this package was compiled with or the library it linked
// is of another ABI version than the Go code expects.
func CheckABI() error {
	header, lib := int(C.TESSERA_ABI_VERSION), int(C.tessera_abi_version())
	if header != ABIVersion || lib != ABIVersion {
		return errs.New(errs.InvalidConfig.Code(),
			"tessera ABI mismatch: the Go module expects %d, tessera.h says %d, the linked library says %d; rebuild the library (cargo build -p tessera-ffi)",
			ABIVersion, header, lib)
	}
	return nil
}

// in returns a borrowed pointer and length for Go bytes. cgo pins b for the call; the C
// side does not keep it.
func in(b []byte) (*C.uint8_t, C.size_t) {
	if len(b) == 0 {
		return nil, 0
	}
	return (*C.uint8_t)(unsafe.Pointer(unsafe.SliceData(b))), C.size_t(len(b))
}

func inString(s string) (*C.uint8_t, C.size_t) {
	if len(s) == 0 {
		return nil, 0
	}
	return (*C.uint8_t)(unsafe.Pointer(unsafe.StringData(s))), C.size_t(len(s))
}

// take copies Rust-owned bytes into Go memory and frees them.
func take(b C.TesseraBytes) []byte {
	if b.ptr == nil {
		return nil
	}
	out := C.GoBytes(unsafe.Pointer(b.ptr), C.int(b.len))
	C.tessera_bytes_free(b)
	return out
}

func check(status C.TesseraStatus, errOut C.TesseraBytes) error {
	doc := take(errOut)
	if status == C.TESSERA_STATUS_OK {
		return nil
	}
	if doc == nil {
		return errs.New(errs.Internal.Code(), "tessera returned status %d without an error", int(status))
	}
	// Session errors leave the binding as recipe/session/errors' values, as supertokens-golang's.
	return sesserr.Public(errs.FromJSON(doc))
}

// Engine is a configured core engine. Safe for concurrent use; freed when unreachable.
type Engine struct{ p *C.TesseraEngine }

func newEngine(p *C.TesseraEngine) *Engine {
	e := &Engine{p}
	runtime.SetFinalizer(e, func(e *Engine) { C.tessera_engine_free(e.p) })
	return e
}

// NewEngine makes an engine from its JSON configuration.
func NewEngine(config []byte) (*Engine, error) {
	var p *C.TesseraEngine
	var e C.TesseraBytes
	cp, cl := in(config)
	if err := check(C.tessera_engine_new(cp, cl, &p, &e), e); err != nil {
		return nil, err
	}
	return newEngine(p), nil
}

// NewEngineWithJWKS makes a verification-only engine trusting exactly the keys of a JWKS.
func NewEngineWithJWKS(config, jwks []byte) (*Engine, error) {
	var p *C.TesseraEngine
	var e C.TesseraBytes
	cp, cl := in(config)
	jp, jl := in(jwks)
	if err := check(C.tessera_engine_new_with_jwks(cp, cl, jp, jl, &p, &e), e); err != nil {
		return nil, err
	}
	return newEngine(p), nil
}

// Session is a core session handle and its fields, copied into Go memory. Immutable. The
// *Session values this package returns free their handle when unreachable; a Session that
// VerifyRequest or VerifyToken writes is unmanaged: FreeWhenUnreachable ties its handle to
// the object it is stored in, or Free frees it.
type Session struct {
	p      *C.TesseraSession
	Fields SessionFields
	// keep is what must live as long as the session, if anything (see FreeWhenUnreachable).
	keep any
}

// SessionFields are the fields of a session that requests read.
type SessionFields struct {
	AccessToken, UserID, RecipeUserID, TenantID, SessionHandle string
	// AntiCsrfToken and RefreshToken are meaningful when the Has flags say so.
	AntiCsrfToken, RefreshToken       string
	HasAntiCsrfToken, HasRefreshToken bool
	ExpiryMs, TimeCreatedMs           uint64
	RefreshTokenExpiryMs              uint64
	AccessTokenUpdated                bool
}

// copyFields copies the borrowed strings of f into one Go allocation, so that they outlive
// the handle and cost one allocation however many there are.
func copyFields(f *C.TesseraSessionFields) SessionFields {
	parts := [...]C.TesseraStr{f.access_token, f.user_id, f.recipe_user_id, f.tenant_id, f.session_handle,
		f.anti_csrf_token, f.refresh_token}
	total := 0
	for _, p := range parts {
		total += int(p.len)
	}
	// A Builder's buffer is not zeroed before the copy, unlike make([]byte).
	var b strings.Builder
	b.Grow(total)
	for _, p := range parts {
		if p.len != 0 {
			b.WriteString(unsafe.String((*byte)(unsafe.Pointer(p.ptr)), int(p.len)))
		}
	}
	all := b.String()
	var strs [len(parts)]string
	off := 0
	for i, p := range parts {
		strs[i] = all[off : off+int(p.len)]
		off += int(p.len)
	}
	return SessionFields{
		AccessToken: strs[0], UserID: strs[1], RecipeUserID: strs[2], TenantID: strs[3], SessionHandle: strs[4],
		AntiCsrfToken: strs[5], HasAntiCsrfToken: f.anti_csrf_token.ptr != nil,
		RefreshToken: strs[6], HasRefreshToken: f.refresh_token.ptr != nil,
		ExpiryMs: uint64(f.expiry_ms), TimeCreatedMs: uint64(f.time_created_ms),
		RefreshTokenExpiryMs: uint64(f.refresh_token_expiry_ms), AccessTokenUpdated: bool(f.access_token_updated),
	}
}

func freeSession(s *Session) { C.tessera_session_free(s.p) }

func freeHandle(p *C.TesseraSession) { C.tessera_session_free(p) }

// Free frees the handle of an unmanaged session now.
func (s *Session) Free() {
	C.tessera_session_free(s.p)
	s.p = nil
}

// wrapSession takes ownership of p, whose fields are f.
func wrapSession(p *C.TesseraSession, f *C.TesseraSessionFields) *Session {
	s := &Session{p: p, Fields: copyFields(f)}
	runtime.SetFinalizer(s, freeSession)
	return s
}

func newSession(p *C.TesseraSession) (*Session, error) {
	if p == nil {
		return nil, nil
	}
	var f C.TesseraSessionFields
	var e C.TesseraBytes
	if err := check(C.tessera_session_fields(p, &f, &e), e); err != nil {
		C.tessera_session_free(p)
		return nil, err
	}
	return wrapSession(p, &f), nil
}

// AccessTokenPayload returns the session's access-token payload as JSON.
func (s *Session) AccessTokenPayload() ([]byte, error) {
	var out, e C.TesseraBytes
	status := C.tessera_session_access_token_payload(s.p, &out, &e)
	runtime.KeepAlive(s)
	doc := take(out)
	return doc, check(status, e)
}

// MergedCustomPayload returns the custom payload (a JSON object) a merge of input
// ({"update"}) into the session makes: what the merge hands an application's
// RegenerateAccessToken (see tessera_session_merged_custom_payload).
func (s *Session) MergedCustomPayload(input []byte) ([]byte, error) {
	var out, e C.TesseraBytes
	ip, il := in(input)
	status := C.tessera_session_merged_custom_payload(s.p, ip, il, &out, &e)
	runtime.KeepAlive(s)
	doc := take(out)
	return doc, check(status, e)
}

// FrontToken returns the session's front token.
func (s *Session) FrontToken() (string, error) {
	var out, e C.TesseraBytes
	status := C.tessera_session_front_token(s.p, &out, &e)
	runtime.KeepAlive(s)
	doc := take(out)
	return string(doc), check(status, e)
}

// nonEmpty is where an empty but present string points: NULL would mean absent.
var nonEmpty [1]C.uint8_t

// VerifyToken runs getSessionWithoutRequestResponse on an access token and the anti-CSRF
// token, if any (see tessera_engine_verify_token). When there is a session it is written to
// *dst, unmanaged (see Session), and found is true.
func (en *Engine) VerifyToken(accessToken string, antiCsrfToken *string, o VerifyOptions, dst *Session) (found bool, err error) {
	var session *C.TesseraSession
	var fields C.TesseraSessionFields
	var errOut C.TesseraBytes
	tp, tl := inString(accessToken)
	var cp *C.uint8_t
	var cl C.size_t
	if antiCsrfToken != nil {
		if cp, cl = inString(*antiCsrfToken); cp == nil {
			cp = &nonEmpty[0]
		}
	}
	status := C.tessera_engine_verify_token(en.p, tp, tl, cp, cl, o.c(), &session, &fields, &errOut)
	runtime.KeepAlive(en)
	if err := check(status, errOut); err != nil {
		return false, err
	}
	if session == nil {
		return false, nil
	}
	*dst = Session{p: session, Fields: copyFields(&fields)}
	return true, nil
}

// The transfer methods of VerifyOptions.TransferMethod.
const (
	TransferMethodConfigured = uint32(C.TESSERA_TRANSFER_METHOD_CONFIGURED)
	TransferMethodAny        = uint32(C.TESSERA_TRANSFER_METHOD_ANY)
	TransferMethodCookie     = uint32(C.TESSERA_TRANSFER_METHOD_COOKIE)
	TransferMethodHeader     = uint32(C.TESSERA_TRANSFER_METHOD_HEADER)
)

// VerifyOptions are verifySession's options: AntiCsrfCheck below 0 is the default, 0 off,
// above 0 on; TransferMethod is one of the TransferMethod constants.
type VerifyOptions struct {
	SessionRequired bool
	AntiCsrfCheck   int32
	CheckDatabase   bool
	TransferMethod  uint32
	// GetSessionRules: getSession's rules, not the verifySession API's (see
	// TesseraVerifyOptions.get_session_rules).
	GetSessionRules bool
}

func (o VerifyOptions) c() C.TesseraVerifyOptions {
	return C.TesseraVerifyOptions{
		session_required: C.bool(o.SessionRequired), anti_csrf_check: C.int32_t(o.AntiCsrfCheck),
		check_database: C.bool(o.CheckDatabase), token_transfer_method: C.uint32_t(o.TransferMethod),
		get_session_rules: C.bool(o.GetSessionRules),
	}
}

// VerifyRequest runs verifySession on a packed request (see tessera_engine_verify_request
// and httpx.Pack). When there is a session it is written to *dst, unmanaged (see Session),
// and found is true; mutations is the mutations JSON, nil when there are none.
func (en *Engine) VerifyRequest(packed []byte, o VerifyOptions, dst *Session) (found bool, mutations []byte, err error) {
	var session *C.TesseraSession
	var fields C.TesseraSessionFields
	var mutationsOut, errOut C.TesseraBytes
	ip, il := in(packed)
	status := C.tessera_engine_verify_request(en.p, ip, il, o.c(), &session, &fields, &mutationsOut, &errOut)
	runtime.KeepAlive(en)
	mutations = take(mutationsOut)
	if err := check(status, errOut); err != nil {
		return false, nil, err
	}
	if session == nil {
		return false, mutations, nil
	}
	*dst = Session{p: session, Fields: copyFields(&fields)}
	return true, mutations, nil
}

type sessionCall func(*C.TesseraEngine, *C.uint8_t, C.size_t, **C.TesseraSession, *C.TesseraBytes, *C.TesseraBytes) C.TesseraStatus

func (en *Engine) withSession(f sessionCall, input []byte) (*Session, []byte, error) {
	var sp *C.TesseraSession
	var out, e C.TesseraBytes
	ip, il := in(input)
	status := f(en.p, ip, il, &sp, &out, &e)
	runtime.KeepAlive(en)
	doc := take(out)
	if err := check(status, e); err != nil {
		return nil, nil, err
	}
	session, err := newSession(sp)
	return session, doc, err
}

type jsonCall func(*C.TesseraEngine, *C.uint8_t, C.size_t, *C.TesseraBytes, *C.TesseraBytes) C.TesseraStatus

func (en *Engine) withJSON(f jsonCall, input []byte) ([]byte, error) {
	var out, e C.TesseraBytes
	ip, il := in(input)
	status := f(en.p, ip, il, &out, &e)
	runtime.KeepAlive(en)
	doc := take(out)
	if err := check(status, e); err != nil {
		return nil, err
	}
	return doc, nil
}

// cgo cannot take the address of a C function as a Go value; these wrappers give
// withSession and withJSON one signature to call.
func verifySession(e *C.TesseraEngine, i *C.uint8_t, l C.size_t, s **C.TesseraSession, o, x *C.TesseraBytes) C.TesseraStatus {
	return C.tessera_engine_verify_session(e, i, l, s, o, x)
}
func createNewSession(e *C.TesseraEngine, i *C.uint8_t, l C.size_t, s **C.TesseraSession, o, x *C.TesseraBytes) C.TesseraStatus {
	return C.tessera_engine_create_new_session(e, i, l, s, o, x)
}
func refreshSession(e *C.TesseraEngine, i *C.uint8_t, l C.size_t, s **C.TesseraSession, o, x *C.TesseraBytes) C.TesseraStatus {
	return C.tessera_engine_refresh_session(e, i, l, s, o, x)
}
func getSessionWithoutRequestResponse(e *C.TesseraEngine, i *C.uint8_t, l C.size_t, s **C.TesseraSession, o, x *C.TesseraBytes) C.TesseraStatus {
	return C.tessera_engine_get_session_without_request_response(e, i, l, s, o, x)
}
func verifyAccessToken(e *C.TesseraEngine, i *C.uint8_t, l C.size_t, o, x *C.TesseraBytes) C.TesseraStatus {
	return C.tessera_engine_verify_access_token(e, i, l, o, x)
}
func errorResponse(e *C.TesseraEngine, i *C.uint8_t, l C.size_t, o, x *C.TesseraBytes) C.TesseraStatus {
	return C.tessera_engine_error_response(e, i, l, o, x)
}
func handleAPIRequest(e *C.TesseraEngine, i *C.uint8_t, l C.size_t, o, x *C.TesseraBytes) C.TesseraStatus {
	return C.tessera_engine_handle_api_request(e, i, l, o, x)
}
func outputTransfer(e *C.TesseraEngine, i *C.uint8_t, l C.size_t, o, x *C.TesseraBytes) C.TesseraStatus {
	return C.tessera_engine_output_transfer(e, i, l, o, x)
}
func tryHandleAPIRequest(e *C.TesseraEngine, i *C.uint8_t, l C.size_t, o, x *C.TesseraBytes) C.TesseraStatus {
	return C.tessera_engine_try_handle_api_request(e, i, l, o, x)
}
func sessionRequestInput(e *C.TesseraEngine, i *C.uint8_t, l C.size_t, o, x *C.TesseraBytes) C.TesseraStatus {
	return C.tessera_engine_session_request_input(e, i, l, o, x)
}
func refreshRequestInput(e *C.TesseraEngine, i *C.uint8_t, l C.size_t, o, x *C.TesseraBytes) C.TesseraStatus {
	return C.tessera_engine_refresh_request_input(e, i, l, o, x)
}
func regenerateAccessToken(e *C.TesseraEngine, i *C.uint8_t, l C.size_t, o, x *C.TesseraBytes) C.TesseraStatus {
	return C.tessera_engine_regenerate_access_token(e, i, l, o, x)
}

// VerifySession runs verifySession; input and output JSON as in tessera.h.
func (en *Engine) VerifySession(input []byte) (*Session, []byte, error) {
	return en.withSession(verifySession, input)
}

// CreateNewSession runs createNewSession (with or without a request).
func (en *Engine) CreateNewSession(input []byte) (*Session, []byte, error) {
	return en.withSession(createNewSession, input)
}

// RefreshSession runs refreshSession (with a request or a refresh token).
func (en *Engine) RefreshSession(input []byte) (*Session, []byte, error) {
	return en.withSession(refreshSession, input)
}

// GetSessionWithoutRequestResponse verifies an access token given directly.
func (en *Engine) GetSessionWithoutRequestResponse(input []byte) (*Session, []byte, error) {
	return en.withSession(getSessionWithoutRequestResponse, input)
}

// VerifyAccessToken verifies one access token alone.
func (en *Engine) VerifyAccessToken(input []byte) ([]byte, error) {
	return en.withJSON(verifyAccessToken, input)
}

// ErrorResponse returns the protocol's answer (mutations JSON) to an error for a request; with
// "preludeOnly" in the input, only what precedes an application's error handler.
func (en *Engine) ErrorResponse(input []byte) ([]byte, error) {
	return en.withJSON(errorResponse, input)
}

// OutputTransfer is the transport ("cookie" or "header", as JSON) a session created for the
// request would travel on.
func (en *Engine) OutputTransfer(input []byte) ([]byte, error) {
	return en.withJSON(outputTransfer, input)
}

// HandleAPIRequest serves the core's endpoints; the JSON is null for other requests.
func (en *Engine) HandleAPIRequest(input []byte) ([]byte, error) {
	return en.withJSON(handleAPIRequest, input)
}

// TryHandleAPIRequest is HandleAPIRequest with an endpoint's error returned rather than
// answered, for applications with their own error handlers.
func (en *Engine) TryHandleAPIRequest(input []byte) ([]byte, error) {
	return en.withJSON(tryHandleAPIRequest, input)
}

// SessionRequestInput reads what a request hands to an application's replacement of the
// recipe's GetSession (see tessera_engine_session_request_input).
func (en *Engine) SessionRequestInput(input []byte) ([]byte, error) {
	return en.withJSON(sessionRequestInput, input)
}

// RefreshRequestInput reads what a refresh request hands to an application's replacement of
// the recipe's RefreshSession (see tessera_engine_refresh_request_input).
func (en *Engine) RefreshRequestInput(input []byte) ([]byte, error) {
	return en.withJSON(refreshRequestInput, input)
}

// RegenerateAccessToken replaces a session's access token payload as the SuperTokens core's
// regenerate does (see tessera_engine_regenerate_access_token); the JSON is null when the
// session no longer exists.
func (en *Engine) RegenerateAccessToken(input []byte) ([]byte, error) {
	return en.withJSON(regenerateAccessToken, input)
}

// IsAPIRequest says whether HandleAPIRequest serves this method and path.
func (en *Engine) IsAPIRequest(method, path string) (bool, error) {
	var out C.bool
	var e C.TesseraBytes
	mp, ml := inString(method)
	pp, pl := inString(path)
	status := C.tessera_engine_is_api_request(en.p, mp, ml, pp, pl, &out, &e)
	runtime.KeepAlive(en)
	if err := check(status, e); err != nil {
		return false, err
	}
	return bool(out), nil
}

// APIEndpoint is an endpoint HandleAPIRequest serves: one of the APIEndpoint constants.
type APIEndpoint uint32

// The endpoints APIEndpointOf names.
const (
	APIEndpointNone                = APIEndpoint(C.TESSERA_API_ENDPOINT_NONE)
	APIEndpointRefresh             = APIEndpoint(C.TESSERA_API_ENDPOINT_REFRESH)
	APIEndpointSignOut             = APIEndpoint(C.TESSERA_API_ENDPOINT_SIGN_OUT)
	APIEndpointJWKS                = APIEndpoint(C.TESSERA_API_ENDPOINT_JWKS)
	APIEndpointOpenIDConfiguration = APIEndpoint(C.TESSERA_API_ENDPOINT_OPEN_ID_CONFIGURATION)
)

// APIEndpointOf says which endpoint HandleAPIRequest would serve for this method and path
// (APIEndpointNone: the request is the application's), for applications that replaced an
// endpoint's API function and serve it through that.
func (en *Engine) APIEndpointOf(method, path string) (APIEndpoint, error) {
	var out C.TesseraApiEndpoint
	var e C.TesseraBytes
	mp, ml := inString(method)
	pp, pl := inString(path)
	status := C.tessera_engine_api_endpoint(en.p, mp, ml, pp, pl, &out, &e)
	runtime.KeepAlive(en)
	if err := check(status, e); err != nil {
		return APIEndpointNone, err
	}
	return APIEndpoint(out), nil
}

// ManageSessions runs one stored-session operation (see tessera_engine_manage_sessions).
func (en *Engine) ManageSessions(op string, input []byte) ([]byte, error) {
	var out, e C.TesseraBytes
	op_, ol := inString(op)
	ip, il := in(input)
	status := C.tessera_engine_manage_sessions(en.p, op_, ol, ip, il, &out, &e)
	runtime.KeepAlive(en)
	doc := take(out)
	if err := check(status, e); err != nil {
		return nil, err
	}
	return doc, nil
}

// MergeIntoAccessTokenPayload updates a request's session; returns the new session.
func (en *Engine) MergeIntoAccessTokenPayload(s *Session, input []byte) (*Session, []byte, error) {
	return en.replaceSession(s, func(sp **C.TesseraSession, out, e *C.TesseraBytes) C.TesseraStatus {
		ip, il := in(input)
		return C.tessera_session_merge_into_access_token_payload(en.p, s.p, ip, il, sp, out, e)
	})
}

// AdoptAccessToken makes a new access token of a request's session (one an application's
// RegenerateAccessToken returned) the session's; returns the session with it and the
// mutations that write it (see tessera_session_adopt_access_token).
func (en *Engine) AdoptAccessToken(s *Session, input []byte) (*Session, []byte, error) {
	return en.replaceSession(s, func(sp **C.TesseraSession, out, e *C.TesseraBytes) C.TesseraStatus {
		ip, il := in(input)
		return C.tessera_session_adopt_access_token(en.p, s.p, ip, il, sp, out, e)
	})
}

// RevokeSession revokes a request's session; returns the mutations that clear its tokens.
func (en *Engine) RevokeSession(s *Session) ([]byte, error) {
	return en.sessionMutations(s, func(out, e *C.TesseraBytes) C.TesseraStatus {
		return C.tessera_session_revoke(en.p, s.p, out, e)
	})
}

// AttachToRequest puts a session an application's GetSession or RefreshSession returned into
// the request it was read from; returns the session on that transport and the mutations to
// write (see tessera_session_attach_to_request).
func (en *Engine) AttachToRequest(s *Session, input []byte) (*Session, []byte, error) {
	return en.replaceSession(s, func(sp **C.TesseraSession, out, e *C.TesseraBytes) C.TesseraStatus {
		ip, il := in(input)
		return C.tessera_session_attach_to_request(en.p, s.p, ip, il, sp, out, e)
	})
}

// ClearTokens returns the mutations that clear a request's session from its response, for a
// session an application's RevokeSession revoked.
func (en *Engine) ClearTokens(s *Session) ([]byte, error) {
	return en.sessionMutations(s, func(out, e *C.TesseraBytes) C.TesseraStatus {
		return C.tessera_session_clear_tokens(en.p, s.p, out, e)
	})
}

// sessionMutations makes a call on a request's session that answers mutations.
func (en *Engine) sessionMutations(s *Session, call func(out, e *C.TesseraBytes) C.TesseraStatus) ([]byte, error) {
	if s == nil {
		return nil, errs.New(errs.InvalidInput.Code(), "no session")
	}
	var out, e C.TesseraBytes
	status := call(&out, &e)
	runtime.KeepAlive(en)
	runtime.KeepAlive(s)
	doc := take(out)
	if err := check(status, e); err != nil {
		return nil, err
	}
	return doc, nil
}

// replaceSession makes a call on a request's session that answers a new session and the
// mutations to write.
func (en *Engine) replaceSession(
	s *Session, call func(sp **C.TesseraSession, out, e *C.TesseraBytes) C.TesseraStatus,
) (*Session, []byte, error) {
	if s == nil {
		return nil, nil, errs.New(errs.InvalidInput.Code(), "no session")
	}
	var sp *C.TesseraSession
	var out, e C.TesseraBytes
	status := call(&sp, &out, &e)
	runtime.KeepAlive(en)
	runtime.KeepAlive(s)
	doc := take(out)
	if err := check(status, e); err != nil {
		return nil, nil, err
	}
	session, err := newSession(sp)
	return session, doc, err
}

// CreateJWT signs payload (a JSON object, or empty/null for none) as createJWT does; a nil
// validitySeconds is the core's default (100 years).
func (en *Engine) CreateJWT(payload []byte, validitySeconds *uint64, useStaticSigningKey bool) (string, error) {
	var out, e C.TesseraBytes
	pp, pl := in(payload)
	var validity *C.uint64_t
	if validitySeconds != nil {
		v := C.uint64_t(*validitySeconds)
		validity = &v
	}
	status := C.tessera_engine_create_jwt(en.p, pp, pl, validity, C.bool(useStaticSigningKey), &out, &e)
	runtime.KeepAlive(en)
	jwt := take(out)
	if err := check(status, e); err != nil {
		return "", err
	}
	return string(jwt), nil
}

// JWKS returns the JWKS document the core serves (JSON) and how long it may be cached, in
// seconds.
func (en *Engine) JWKS() ([]byte, uint64, error) {
	var out, e C.TesseraBytes
	var maxAge C.uint64_t
	status := C.tessera_engine_jwks(en.p, &out, &maxAge, &e)
	runtime.KeepAlive(en)
	doc := take(out)
	if err := check(status, e); err != nil {
		return nil, 0, err
	}
	return doc, uint64(maxAge), nil
}

// OpenIDDiscoveryConfiguration returns the OpenID discovery document the core serves (JSON).
func (en *Engine) OpenIDDiscoveryConfiguration() ([]byte, error) {
	var out, e C.TesseraBytes
	status := C.tessera_engine_openid_discovery_configuration(en.p, &out, &e)
	runtime.KeepAlive(en)
	doc := take(out)
	if err := check(status, e); err != nil {
		return nil, err
	}
	return doc, nil
}

// SessionConfig returns the session options as the engine applies them, normalised, under
// the SDKs' camelCase names (see tessera_engine_session_config).
func (en *Engine) SessionConfig() ([]byte, error) {
	var out, e C.TesseraBytes
	status := C.tessera_engine_session_config(en.p, &out, &e)
	runtime.KeepAlive(en)
	doc := take(out)
	if err := check(status, e); err != nil {
		return nil, err
	}
	return doc, nil
}

// ErrorKinds returns the core's error kinds as JSON ([{"code", "status", "sessionError"}]).
func ErrorKinds() ([]byte, error) {
	var out, e C.TesseraBytes
	status := C.tessera_error_kinds(&out, &e)
	doc := take(out)
	return doc, check(status, e)
}

// ProtocolHeaders returns {"requestHeaders", "corsAllowedHeaders"} as JSON.
func ProtocolHeaders() ([]byte, error) {
	var out, e C.TesseraBytes
	status := C.tessera_protocol_headers(&out, &e)
	doc := take(out)
	return doc, check(status, e)
}

// HeaderListAppend adds value to a comma-separated header list unless it is there.
func HeaderListAppend(existing, value string) (string, error) {
	var out, e C.TesseraBytes
	xp, xl := inString(existing)
	vp, vl := inString(value)
	status := C.tessera_header_list_append(xp, xl, vp, vl, &out, &e)
	doc := take(out)
	if err := check(status, e); err != nil {
		return "", err
	}
	return string(doc), nil
}

// ClaimShouldRefetch says whether a built-in claim validator (JSON) needs the claim's value
// fetched again for payload (JSON); nowMs 0 is now.
func ClaimShouldRefetch(validator, payload []byte, nowMs uint64) (bool, error) {
	var refetch C.bool
	var e C.TesseraBytes
	vp, vl := in(validator)
	pp, pl := in(payload)
	if err := check(C.tessera_claim_should_refetch(vp, vl, pp, pl, C.uint64_t(nowMs), &refetch, &e), e); err != nil {
		return false, err
	}
	return bool(refetch), nil
}

// ClaimValidate checks payload (JSON) with a built-in claim validator (JSON): nil when it
// passes, else the reason as JSON; nowMs 0 is now.
func ClaimValidate(validator, payload []byte, nowMs uint64) ([]byte, error) {
	var out, e C.TesseraBytes
	vp, vl := in(validator)
	pp, pl := in(payload)
	status := C.tessera_claim_validate(vp, vl, pp, pl, C.uint64_t(nowMs), &out, &e)
	reason := take(out)
	if err := check(status, e); err != nil {
		return nil, err
	}
	return reason, nil
}

// ClaimEntry is a claim's payload entry for value (JSON): {"v": value, "t": nowMs}; nowMs 0
// is now.
func ClaimEntry(value []byte, nowMs uint64) ([]byte, error) {
	var out, e C.TesseraBytes
	vp, vl := in(value)
	status := C.tessera_claim_entry(vp, vl, C.uint64_t(nowMs), &out, &e)
	doc := take(out)
	if err := check(status, e); err != nil {
		return nil, err
	}
	return doc, nil
}

// TestingPanic makes the library panic inside the boundary (test-only entry point).
func TestingPanic() error {
	var e C.TesseraBytes
	return check(C.tessera_testing_panic(&e), e)
}

// LibraryABIVersion calls tessera_abi_version: a call that does nothing, which measures the
// cost of crossing the cgo boundary.
func LibraryABIVersion() int { return int(C.tessera_abi_version()) }
