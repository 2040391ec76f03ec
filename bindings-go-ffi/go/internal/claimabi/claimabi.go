// Package claimabi hands the C ABI's claim calls to recipe/session/claims. That package
// cannot import internal/cffi: cffi makes its errors with internal/errs, which imports
// claims for the INVALID_CLAIMS error's type. So cffi sets these functions at init, and
// every program that verifies sessions links cffi.
package claimabi

// The C ABI's claim calls (tessera_claim_should_refetch, tessera_claim_validate,
// tessera_claim_entry); nil until internal/cffi is initialised. nowMs 0 is now.
var (
	ShouldRefetch func(validator, payload []byte, nowMs uint64) (bool, error)
	Validate      func(validator, payload []byte, nowMs uint64) (reason []byte, err error)
	Entry         func(value []byte, nowMs uint64) ([]byte, error)
)
