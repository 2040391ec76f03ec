//go:build !tessera_release && !tessera_external

package cffi

// Links the debug static library of the workspace (`cargo build -p tessera-ffi`): the
// quickest to build, and fast enough because the workspace optimises dependencies in debug.
// The full path makes the linker take the static library even though a .so sits beside it.

// #cgo LDFLAGS: ${SRCDIR}/../../../../target/debug/libtessera_ffi.a -lgcc_s -lutil -lrt -lpthread -lm -ldl
import "C"
