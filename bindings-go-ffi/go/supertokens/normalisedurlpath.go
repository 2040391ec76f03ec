package supertokens

import "strings"

// NormalisedURLPath is a path as Tessera's core normalised it (leading "/", no trailing
// one; "" for the root), in supertokens-golang's shape. Tessera makes them (as
// sessmodels.TypeNormalisedInput.RefreshTokenPath) from what the core uses; it offers no
// constructor, which would be a second normalisation beside the core's.
type NormalisedURLPath struct {
	value string
}

// NormalisedURLPathOf wraps a path the core normalised. For the binding's packages.
func NormalisedURLPathOf(path string) NormalisedURLPath { return NormalisedURLPath{value: path} }

// GetAsStringDangerous returns the path.
func (n NormalisedURLPath) GetAsStringDangerous() string { return n.value }

// StartsWith says whether the path begins with other's.
func (n NormalisedURLPath) StartsWith(other NormalisedURLPath) bool {
	return strings.HasPrefix(n.value, other.value)
}

// AppendPath returns the path followed by other's.
func (n NormalisedURLPath) AppendPath(other NormalisedURLPath) NormalisedURLPath {
	return NormalisedURLPath{value: n.value + other.value}
}

// Equals says whether the two paths are the same.
func (n NormalisedURLPath) Equals(other NormalisedURLPath) bool { return n.value == other.value }
