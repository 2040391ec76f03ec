package session

import (
	"reflect"
	"unsafe"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/sessmodels"
)

// A SessionContainer is a struct of 37 functions (supertokens-golang's shape), each a
// closure over its session. Made by the compiler, they are 37 allocations per verified
// request: most of what the binding allocated for one. fill makes the same closures inside
// the session's block instead, from the code of the ones makeClosures makes: a Go closure
// that captures one pointer is the word of its code followed by that pointer, which is all
// these capture. At init, closureCode checks that on the closures of a prototype block (the
// struct is all functions, and each closure is that code word and the prototype's address);
// if any of it does not hold with some compiler, every block gets makeClosures' own closures.

// funcval is a closure capturing one pointer, as the compiler lays it out.
type funcval struct {
	code uintptr
	env  unsafe.Pointer
}

const numFuncs = 37

// closureCode is the code of each of makeClosures' closures, in the order of the fields of
// TypeSessionContainer, or ok false.
var closureCode, closureCodeOK = learnClosureCode()

func learnClosureCode() (code [numFuncs]uintptr, ok bool) {
	t := reflect.TypeOf(sessmodels.TypeSessionContainer{})
	if t.NumField() != numFuncs || t.Size() != numFuncs*unsafe.Sizeof(uintptr(0)) {
		return code, false
	}
	for i := 0; i < numFuncs; i++ {
		if f := t.Field(i); f.Type.Kind() != reflect.Func || f.Offset != uintptr(i)*unsafe.Sizeof(uintptr(0)) {
			return code, false
		}
	}
	proto := new(block)
	proto.makeClosures()
	for i, f := range funcsOf(&proto.s) {
		if f == nil {
			return code, false
		}
		c := (*funcval)(f)
		if c.env != unsafe.Pointer(proto) {
			return code, false
		}
		code[i] = c.code
	}
	return code, true
}

// funcsOf views a TypeSessionContainer as what it is made of: func values, which are
// pointers to closures.
func funcsOf(s *sessmodels.TypeSessionContainer) *[numFuncs]unsafe.Pointer {
	return (*[numFuncs]unsafe.Pointer)(unsafe.Pointer(s))
}

// fill sets b.s's functions: the closures of makeClosures, made in b.fns.
func (b *block) fill() {
	if !closureCodeOK {
		b.makeClosures()
		return
	}
	funcs := funcsOf(&b.s)
	for i := range b.fns {
		b.fns[i] = funcval{code: closureCode[i], env: unsafe.Pointer(b)}
		funcs[i] = unsafe.Pointer(&b.fns[i])
	}
}

// blockOf returns the block whose closures s carries, or nil for a SessionContainer Tessera
// did not make (an override's own), or when closureCode could not be learnt. s may be a
// copy an override made of one of ours with some functions replaced: any closure of ours
// left in it names the block. A func value's first word is its code; only makeClosures'
// closures (and fill's copies of them) have that code, and their second word is the block.
func blockOf(s *sessmodels.TypeSessionContainer) *block {
	if s == nil || !closureCodeOK {
		return nil
	}
	for i, f := range funcsOf(s) {
		if f != nil && (*funcval)(f).code == closureCode[i] {
			return (*block)((*funcval)(f).env)
		}
	}
	return nil
}

// attachIndex is the field of AttachToRequestResponseWithContext in TypeSessionContainer.
var attachIndex = func() int {
	f, _ := reflect.TypeOf(sessmodels.TypeSessionContainer{}).FieldByName("AttachToRequestResponseWithContext")
	return f.Index[0]
}()

// ownAttach says whether s attaches itself as the sessions Tessera makes do: its
// AttachToRequestResponseWithContext is makeClosures' (as fill copies it), not an
// application's replacement.
func ownAttach(s *sessmodels.TypeSessionContainer) bool {
	if !closureCodeOK {
		return false
	}
	f := funcsOf(s)[attachIndex]
	return f != nil && (*funcval)(f).code == closureCode[attachIndex]
}
