package claims

import (
	"encoding/json"
	"errors"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/internal/claimabi"
)

// PrimitiveClaimValidators are the built-in validators of a PrimitiveClaim. maxAgeInSeconds
// nil is the claim's default; id nil is the claim's key.
type PrimitiveClaimValidators struct {
	HasValue func(val interface{}, maxAgeInSeconds *int64, id *string) SessionClaimValidator
}

// BooleanClaimValidators are the built-in validators of a BooleanClaim.
type BooleanClaimValidators struct {
	PrimitiveClaimValidators
	IsTrue  func(maxAgeInSeconds *int64, id *string) SessionClaimValidator
	IsFalse func(maxAgeInSeconds *int64, id *string) SessionClaimValidator
}

// PrimitiveArrayClaimValidators are the built-in validators of a PrimitiveArrayClaim.
type PrimitiveArrayClaimValidators struct {
	Includes    func(val interface{}, maxAgeInSeconds *int64, id *string) SessionClaimValidator
	Excludes    func(val interface{}, maxAgeInSeconds *int64, id *string) SessionClaimValidator
	IncludesAll func(vals []interface{}, maxAgeInSeconds *int64, id *string) SessionClaimValidator
	IncludesAny func(vals []interface{}, maxAgeInSeconds *int64, id *string) SessionClaimValidator
	ExcludesAll func(vals []interface{}, maxAgeInSeconds *int64, id *string) SessionClaimValidator
}

// PrimitiveClaim makes a claim whose value is one JSON value, and its HasValue validator.
// Values older than defaultMaxAgeInSeconds (nil: no limit) are refetched by validators.
func PrimitiveClaim(key string, fetchValue FetchValueFunc, defaultMaxAgeInSeconds *int64) (*TypeSessionClaim, PrimitiveClaimValidators) {
	claim := primitive(key, fetchValue)
	return claim, PrimitiveClaimValidators{
		HasValue: func(val interface{}, maxAgeInSeconds *int64, id *string) SessionClaimValidator {
			return builtIn(claim, check{Kind: "hasValue", Value: val}, maxAge(maxAgeInSeconds, defaultMaxAgeInSeconds), id)
		},
	}
}

// BooleanClaim is a PrimitiveClaim of true or false, with IsTrue and IsFalse.
func BooleanClaim(key string, fetchValue FetchValueFunc, defaultMaxAgeInSeconds *int64) (*TypeSessionClaim, BooleanClaimValidators) {
	claim, primitive := PrimitiveClaim(key, fetchValue, defaultMaxAgeInSeconds)
	return claim, BooleanClaimValidators{
		PrimitiveClaimValidators: primitive,
		IsTrue: func(maxAgeInSeconds *int64, id *string) SessionClaimValidator {
			return primitive.HasValue(true, maxAgeInSeconds, id)
		},
		IsFalse: func(maxAgeInSeconds *int64, id *string) SessionClaimValidator {
			return primitive.HasValue(false, maxAgeInSeconds, id)
		},
	}
}

// PrimitiveArrayClaim makes a claim whose value is an array of JSON values, and its
// validators.
func PrimitiveArrayClaim(key string, fetchValue FetchValueFunc, defaultMaxAgeInSeconds *int64) (*TypeSessionClaim, PrimitiveArrayClaimValidators) {
	claim := primitive(key, fetchValue)
	one := func(kind string) func(interface{}, *int64, *string) SessionClaimValidator {
		return func(val interface{}, maxAgeInSeconds *int64, id *string) SessionClaimValidator {
			return builtIn(claim, check{Kind: kind, Value: val}, maxAge(maxAgeInSeconds, defaultMaxAgeInSeconds), id)
		}
	}
	many := func(kind string) func([]interface{}, *int64, *string) SessionClaimValidator {
		return func(vals []interface{}, maxAgeInSeconds *int64, id *string) SessionClaimValidator {
			if vals == nil {
				vals = []interface{}{}
			}
			return builtIn(claim, check{Kind: kind, Values: vals}, maxAge(maxAgeInSeconds, defaultMaxAgeInSeconds), id)
		}
	}
	return claim, PrimitiveArrayClaimValidators{
		Includes:    one("includes"),
		Excludes:    one("excludes"),
		IncludesAll: many("includesAll"),
		IncludesAny: many("includesAny"),
		ExcludesAll: many("excludesAll"),
	}
}

// primitive makes a claim whose payload entry is {"v": value, "t": fetched at}.
func primitive(key string, fetchValue FetchValueFunc) *TypeSessionClaim {
	claim := SessionClaim(key, fetchValue)
	claim.AddToPayload_internal = func(payload map[string]interface{}, value interface{}, _ *map[string]interface{}) map[string]interface{} {
		if payload == nil {
			payload = map[string]interface{}{}
		}
		payload[key] = entry(value)
		return payload
	}
	// Merging null removes the key from the token's payload.
	claim.RemoveFromPayloadByMerge_internal = func(payload map[string]interface{}, _ *map[string]interface{}) map[string]interface{} {
		if payload == nil {
			payload = map[string]interface{}{}
		}
		payload[key] = nil
		return payload
	}
	claim.RemoveFromPayload = func(payload map[string]interface{}, _ *map[string]interface{}) map[string]interface{} {
		delete(payload, key)
		return payload
	}
	claim.GetValueFromPayload = func(payload map[string]interface{}, _ *map[string]interface{}) interface{} {
		if e, ok := payload[key].(map[string]interface{}); ok {
			return e["v"]
		}
		return nil
	}
	claim.GetLastRefetchTime = func(payload map[string]interface{}, _ *map[string]interface{}) *int64 {
		e, ok := payload[key].(map[string]interface{})
		if !ok {
			return nil
		}
		var t int64
		switch v := e["t"].(type) {
		case float64:
			t = int64(v)
		case int64:
			t = v
		case json.Number:
			n, err := v.Int64()
			if err != nil {
				return nil
			}
			t = n
		default:
			return nil
		}
		return &t
	}
	return claim
}

// entry is the core's payload entry for value; a value that does not encode as JSON is kept
// as it is, with the same shape, so that merging it reports the encoding error.
func entry(value interface{}) interface{} {
	doc, err := json.Marshal(value)
	if err == nil && claimabi.Entry != nil {
		if out, err := claimabi.Entry(doc, 0); err == nil {
			var e map[string]interface{}
			if json.Unmarshal(out, &e) == nil {
				return e
			}
		}
	}
	return map[string]interface{}{"v": value}
}

func maxAge(given, fallback *int64) *int64 {
	if given != nil {
		return given
	}
	return fallback
}

// check is what a built-in validator checks: Value for one item, Values for many.
type check struct {
	Kind   string
	Value  interface{}
	Values []interface{}
}

// validatorJSON is a built-in validator as the core reads it. Written by hand because a nil
// Value is JSON null, which the core needs to see.
func validatorJSON(key string, c check, maxAgeInSeconds *int64) ([]byte, error) {
	what := map[string]interface{}{"kind": c.Kind}
	if c.Values != nil {
		what["values"] = c.Values
	} else {
		what["value"] = c.Value
	}
	// The reasons in supertokens-golang's words (the core knows each SDK's).
	v := map[string]interface{}{"key": key, "check": what, "wording": "go"}
	if maxAgeInSeconds != nil {
		v["maxAgeInSeconds"] = *maxAgeInSeconds
	}
	return json.Marshal(v)
}

// errNoABI: the claims package was used in a program without the session recipe.
var errNoABI = errors.New("tessera: claim validators need the session recipe (recipe/session) linked in")

// builtIn makes a validator whose ShouldRefetch and Validate are the core's, given the
// claim's payload entry as JSON.
func builtIn(claim *TypeSessionClaim, c check, maxAgeInSeconds *int64, id *string) SessionClaimValidator {
	validatorID := claim.Key
	if id != nil {
		validatorID = *id
	}
	doc, docErr := validatorJSON(claim.Key, c, maxAgeInSeconds)
	// Only the claim's own entry is sent: the rest of the payload is not the validator's.
	payloadOf := func(payload map[string]interface{}) ([]byte, error) {
		if docErr != nil {
			return nil, docErr
		}
		if claimabi.Validate == nil {
			return nil, errNoABI
		}
		e, ok := payload[claim.Key]
		if !ok {
			return []byte("{}"), nil
		}
		return json.Marshal(map[string]interface{}{claim.Key: e})
	}
	return SessionClaimValidator{
		ID:    validatorID,
		Claim: claim,
		ShouldRefetch: func(payload map[string]interface{}, _ *map[string]interface{}) bool {
			p, err := payloadOf(payload)
			if err != nil {
				return false
			}
			refetch, err := claimabi.ShouldRefetch(doc, p, 0)
			return err == nil && refetch
		},
		Validate: func(payload map[string]interface{}, _ *map[string]interface{}) ClaimValidationResult {
			p, err := payloadOf(payload)
			var reason []byte
			if err == nil {
				reason, err = claimabi.Validate(doc, p, 0)
			}
			if err != nil {
				return ClaimValidationResult{Reason: map[string]interface{}{"message": err.Error()}}
			}
			if reason == nil {
				return ClaimValidationResult{IsValid: true}
			}
			var r interface{}
			if err := json.Unmarshal(reason, &r); err != nil {
				return ClaimValidationResult{Reason: map[string]interface{}{"message": err.Error()}}
			}
			return ClaimValidationResult{Reason: r}
		},
	}
}
