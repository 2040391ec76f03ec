package tessera_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/cffi"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/tessera"
)

// Every core error kind has its own sentinel, reachable with errors.Is, and its own status.
func TestEveryCoreErrorKindHasASentinel(t *testing.T) {
	doc, err := cffi.ErrorKinds()
	if err != nil {
		t.Fatal(err)
	}
	var kinds []struct {
		Code   string `json:"code"`
		Status int    `json:"status"`
	}
	if err := json.Unmarshal(doc, &kinds); err != nil || len(kinds) == 0 {
		t.Fatalf("kinds %s: %v", doc, err)
	}
	sentinels := map[error]string{}
	statuses := map[int]string{}
	for _, k := range kinds {
		sentinel, ok := tessera.ErrorForCode(k.Code)
		if !ok {
			t.Errorf("no sentinel for %s", k.Code)
			continue
		}
		if other, dup := sentinels[sentinel]; dup {
			t.Errorf("%s and %s share a sentinel", k.Code, other)
		}
		sentinels[sentinel] = k.Code
		if other, dup := statuses[k.Status]; dup || k.Status == 0 {
			t.Errorf("%s has status %d (shared with %q)", k.Code, k.Status, other)
		}
		statuses[k.Status] = k.Code
		err := error(&tessera.Error{Code: k.Code, Message: "m"})
		if !errors.Is(err, sentinel) || sentinel.Error() != k.Code {
			t.Errorf("errors.Is fails for %s", k.Code)
		}
		for other, code := range sentinels {
			if code != k.Code && errors.Is(err, other) {
				t.Errorf("%s matches the sentinel of %s", k.Code, code)
			}
		}
	}
	if _, ok := tessera.ErrorForCode("NO_SUCH_KIND"); ok {
		t.Error("an unknown code has a sentinel")
	}
	if !errors.Is(&tessera.Error{Code: "NO_SUCH_KIND"}, tessera.ErrInternal) {
		t.Error("an unknown code does not read as internal")
	}
}

// A panic inside Rust comes back as an INTERNAL error with its message, not a crash.
func TestAPanicInRustIsAnInternalError(t *testing.T) {
	err := cffi.TestingPanic()
	var te *tessera.Error
	if !errors.Is(err, tessera.ErrInternal) || !errors.As(err, &te) || !strings.Contains(te.Message, "tessera_testing_panic") {
		t.Fatalf("got %v", err)
	}
}

func TestInitNamesTheWrongOption(t *testing.T) {
	err := tessera.Init(tessera.TypeInput{AppInfo: tessera.AppInfo{AppName: "x"}})
	var te *tessera.Error
	if !errors.Is(err, tessera.ErrInvalidConfig) || !errors.As(err, &te) || !strings.Contains(te.Message, "apiDomain") {
		t.Fatalf("got %v", err)
	}
}

func TestCORSHeaders(t *testing.T) {
	h := tessera.GetAllCORSHeaders()
	if !strings.Contains(strings.Join(h, ","), "anti-csrf") || !strings.Contains(strings.Join(h, ","), "rid") {
		t.Fatalf("got %v", h)
	}
}
