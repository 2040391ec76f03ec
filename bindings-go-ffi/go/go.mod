module github.com/tessera-session/tessera/bindings-go-ffi/go

go 1.22
