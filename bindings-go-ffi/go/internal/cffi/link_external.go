//go:build tessera_external

package cffi

// With -tags tessera_external nothing is linked here: pass the library in CGO_LDFLAGS,
// e.g. CGO_LDFLAGS="/opt/tessera/libtessera_ffi.a -lgcc_s -lutil -lrt -lpthread -lm -ldl".
