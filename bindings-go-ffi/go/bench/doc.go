// Package bench compares Tessera's Go verification with Go's own crypto/rsa and
// golang-jwt/jwt v5 on the same token and keys (TesseraVerifyUncached: a token never seen
// before, the whole verification through the ABI; TesseraVerifyRepeated: a known token
// through session.GetSession; TesseraVerify: GetSessionWithoutRequestResponse), and /getJWT
// against a bare handler, through net/http and called directly (`make bench`; not a test).
// supertokens-golang is not in the comparison: the Go module proxy this project uses does not
// serve it. It is a module of its own so that the binding's module keeps no third-party
// dependencies.
package bench
