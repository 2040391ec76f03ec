//go:build !go1.24

package cffi

import "runtime"

// FreeWhenUnreachable frees the handle of s, an unmanaged session stored in *owner, once
// owner is unreachable. Before Go 1.24 (no runtime.AddCleanup): by the finalizer of a
// Session of its own, which points to nothing in Go (so it is freed however owner refers
// to itself) and which s keeps alive.
func FreeWhenUnreachable[T any](owner *T, s *Session) {
	r := &Session{p: s.p}
	runtime.SetFinalizer(r, freeSession)
	s.keep = r
}
