package ginexample

import (
	"testing"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/examples/internal/exampletest"
)

func TestGin(t *testing.T) {
	exampletest.Init(t)
	exampletest.Check(t, Router(exampletest.Login, exampletest.GetJWT))
}
