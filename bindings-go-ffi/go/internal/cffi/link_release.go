//go:build tessera_release && !tessera_external

package cffi

// With -tags tessera_release: the release static library (`cargo build -p tessera-ffi --release`).

// #cgo LDFLAGS: ${SRCDIR}/../../../../target/release/libtessera_ffi.a -lgcc_s -lutil -lrt -lpthread -lm -ldl
import "C"
