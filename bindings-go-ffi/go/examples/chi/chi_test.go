package chiexample

import (
	"testing"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/examples/internal/exampletest"
)

func TestChi(t *testing.T) {
	exampletest.Init(t)
	exampletest.Check(t, Router(exampletest.Login, exampletest.GetJWT))
}
