module github.com/tessera-session/tessera/tests/differential-go

go 1.22

// The binding under test, from this checkout (cgo links target/debug/libtessera_ffi.a:
// `cargo build -p tessera-ffi` first).
replace github.com/tessera-session/tessera/bindings-go-ffi/go => ../../bindings-go-ffi/go

require (
	github.com/supertokens/supertokens-golang v0.25.1
	github.com/tessera-session/tessera/bindings-go-ffi/go v0.0.0-00010101000000-000000000000
)

require (
	github.com/MicahParks/keyfunc/v2 v2.1.0 // indirect
	github.com/golang-jwt/jwt/v5 v5.0.0 // indirect
	github.com/h2non/parth v0.0.0-20190131123155-b4df798d6542 // indirect
	golang.org/x/net v0.2.0 // indirect
	gopkg.in/alexcesaro/quotedprintable.v3 v3.0.0-20150716171945-2caba252f4dc // indirect
	gopkg.in/gomail.v2 v2.0.0-20160411212932-81ebce5c23df // indirect
	gopkg.in/h2non/gock.v1 v1.1.2 // indirect
)
