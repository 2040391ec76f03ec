module github.com/tessera-session/tessera/bindings-go-ffi/go/bench

go 1.22

replace github.com/tessera-session/tessera/bindings-go-ffi/go => ../

require (
	github.com/golang-jwt/jwt/v5 v5.3.1
	github.com/tessera-session/tessera/bindings-go-ffi/go v0.0.0-00010101000000-000000000000
)
