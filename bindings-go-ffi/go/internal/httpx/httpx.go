// Package httpx translates net/http to and from the core's request protocol: the request
// JSON in, the response mutations out. It makes no protocol decision of its own.
package httpx

import (
	"encoding/binary"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/cffi"
)

// Request is the core's request shape.
type Request struct {
	Method  string      `json:"method"`
	Path    string      `json:"path"`
	Headers [][2]string `json:"headers"`
	// TokenTransferMethod is the application's per-request choice ("any", "cookie",
	// "header"); empty: the configured one.
	TokenTransferMethod string `json:"tokenTransferMethod,omitempty"`
}

// FromHTTP keeps only the headers the core reads, so the JSON stays small. keys are the
// canonical forms of names (http.CanonicalHeaderKey), looked up directly in r.Header.
func FromHTTP(r *http.Request, names, keys []string, transferMethod string) Request {
	out := Request{Method: r.Method, Path: r.URL.RequestURI(), Headers: make([][2]string, 0, 2), TokenTransferMethod: transferMethod}
	for i, key := range keys {
		for _, v := range r.Header[key] {
			out.Headers = append(out.Headers, [2]string{names[i], v})
		}
	}
	return out
}

// Pack appends r to buf in the packed form of tessera_engine_verify_request: the method, the
// path and the values of the headers the core reads, each one prefixed by its index in the
// core's header list (the order of keys, canonical names) and each string by its u32
// little-endian length. Only those headers are looked up: no iteration over the others.
func Pack(buf []byte, r *http.Request, keys []string) []byte {
	buf = packString(buf, r.Method)
	buf = packString(buf, r.URL.RequestURI())
	for i, key := range keys {
		for _, v := range r.Header[key] {
			buf = append(buf, byte(i))
			buf = packString(buf, v)
		}
	}
	return buf
}

func packString(buf []byte, s string) []byte {
	buf = binary.LittleEndian.AppendUint32(buf, uint32(len(s)))
	return append(buf, s...)
}

// HeaderOp is one header mutation.
type HeaderOp struct {
	Op    string `json:"op"`
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Cookie is one Set-Cookie to add.
type Cookie struct {
	Name   string `json:"name"`
	Header string `json:"header"`
}

// Mutations is what the core asks to be done to a response.
type Mutations struct {
	Status  *int            `json:"status"`
	Body    json.RawMessage `json:"body"`
	Headers []HeaderOp      `json:"headers"`
	Cookies []Cookie        `json:"cookies"`
}

// Answers says whether the core answers the request itself (status or body set).
func (m *Mutations) Answers() bool {
	return m != nil && (m.Status != nil || (len(m.Body) > 0 && string(m.Body) != "null"))
}

// ApplyHeaders writes header and cookie changes to w's headers; call it before the body.
func (m *Mutations) ApplyHeaders(w http.ResponseWriter) error {
	if m == nil {
		return nil
	}
	h := w.Header()
	for _, op := range m.Headers {
		switch op.Op {
		case "set":
			h.Set(op.Name, op.Value)
		case "remove":
			h.Del(op.Name)
		case "appendToList":
			merged, err := cffi.HeaderListAppend(strings.Join(h.Values(op.Name), ", "), op.Value)
			if err != nil {
				return err
			}
			h.Set(op.Name, merged)
		}
	}
	for _, c := range m.Cookies {
		// A later cookie of the same name replaces an earlier one written to this response.
		kept := h.Values("Set-Cookie")[:0:0]
		for _, v := range h.Values("Set-Cookie") {
			if !strings.HasPrefix(v, c.Name+"=") {
				kept = append(kept, v)
			}
		}
		h.Del("Set-Cookie")
		for _, v := range kept {
			h.Add("Set-Cookie", v)
		}
		h.Add("Set-Cookie", c.Header)
	}
	return nil
}

// Write applies the headers, then the status and JSON body when the core set them.
func (m *Mutations) Write(w http.ResponseWriter) error {
	if err := m.ApplyHeaders(w); err != nil {
		return err
	}
	if !m.Answers() {
		return nil
	}
	status := http.StatusOK
	if m.Status != nil {
		status = *m.Status
	}
	body := m.Body
	if len(body) == 0 || string(body) == "null" {
		body = json.RawMessage("{}")
	}
	return writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, body []byte) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, err := w.Write(body)
	return err
}

// DoneWriter notes whether a response has been started, as supertokens' DoneWriter does, so
// that an answer is not written over one an application's function already gave.
type DoneWriter struct {
	http.ResponseWriter
	Done bool
}

// WriteHeader starts the response.
func (w *DoneWriter) WriteHeader(status int) {
	w.Done = true
	w.ResponseWriter.WriteHeader(status)
}

// Write starts the response, if it was not, and writes b.
func (w *DoneWriter) Write(b []byte) (int, error) {
	w.Done = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the writer's other interfaces (Flush, ...).
func (w *DoneWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// WriteJSON answers status with a JSON body, as Write does for the core's answers; nothing
// when w was answered already.
func WriteJSON(w *DoneWriter, status int, body []byte) error {
	if w.Done {
		return nil
	}
	return writeJSON(w, status, body)
}
