module github.com/tessera-session/tessera/examples/go-nethttp

go 1.22

require github.com/tessera-session/tessera/bindings-go-ffi/go v0.0.0

// The binding is built from this repository (its cgo links target/debug/libtessera_ffi.a:
// `cargo build -p tessera-ffi` first).
replace github.com/tessera-session/tessera/bindings-go-ffi/go => ../../bindings-go-ffi/go
