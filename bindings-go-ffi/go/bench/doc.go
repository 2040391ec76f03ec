// Package bench compares Tessera's Go verification with Go's own crypto/rsa, golang-jwt/jwt
// v5 and supertokens-golang on the same token and keys (TesseraVerifyUncached: a token never
// seen before, the whole verification through the ABI; TesseraVerifyRepeated: a known token
// through session.GetSession; TesseraVerify: GetSessionWithoutRequestResponse), and /getJWT
// against a bare handler and supertokens-golang, through net/http and called directly
// (`make bench`; not a test). supertokens-golang verifies against a stub core serving
// Tessera's JWKS. It is a module of its own so that the binding's module keeps no
// third-party dependencies.
package bench
