package schema

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kithcdp/kith"
)

// Limits on attribute values, in characters.
const (
	MaxStringLen   = 4096
	MaxListItems   = 100
	MaxListItemLen = 1024
)

// InferType returns the type of a custom attribute defined by its first
// value v, as decoded from JSON: a string is a date when it is a real
// calendar date YYYY-MM-DD, a datetime when it is an RFC 3339 timestamp and
// a string otherwise; a number (float64, json.Number or a Go integer) is a
// number, a bool a boolean, and a list of strings a list. It returns
// ECodeAttrNull for nil and ECodeInvalidAttribute for an object, a list
// holding anything but strings, or any other value.
func InferType(name string, v any) (string, *kith.Error) {
	switch v := v.(type) {
	case nil:
		return "", nullError(name)
	case string:
		switch {
		case isDate(v):
			return kith.TypeDate, nil
		case isDatetime(v):
			return kith.TypeDatetime, nil
		}
		return kith.TypeString, nil
	case bool:
		return kith.TypeBoolean, nil
	case json.Number:
		// Normalize refuses the non-finite ones with a precise message.
		return kith.TypeNumber, nil
	case []string:
		return kith.TypeList, nil
	case []any:
		for i, item := range v {
			if _, ok := item.(string); !ok {
				return "", errorf(name, kith.ECodeInvalidAttribute,
					"a list attribute holds strings only, but item %d is %s", i+1, typeOf(item))
			}
		}
		return kith.TypeList, nil
	}
	if _, ok := toNumber(v); ok {
		return kith.TypeNumber, nil
	}
	return "", errorf(name, kith.ECodeInvalidAttribute,
		"%s cannot be an attribute value; expected a string, number, boolean, date, datetime or list of strings", typeOf(v))
}

// Normalize checks v, a value decoded from JSON (or produced by ParseCell),
// against def and returns the value to store: a string, a float64, a bool
// or a []string. Dates are stored as YYYY-MM-DD text and datetimes as
// RFC 3339 text in UTC. Values are never coerced from one type to another.
// A default attribute, recognized by its name, follows its own rules
// (trimmed non-empty text; birthDate, phone, countryCode, sex and avatarUrl
// checked and normalized); now is the current time, against which a birth
// date must not lie in the future.
//
// It returns ECodeAttrNull for nil, ECodeAttrTypeMismatch for a value of
// the wrong type (including a date or datetime string of the wrong shape),
// ECodeInvalidAttribute for a value of the right type that breaks a limit
// or is no real calendar date (2023-02-29), and for the default attributes
// ECodeInvalidBirthDate, ECodeInvalidPhone, ECodeInvalidCountryCode and
// ECodeInvalidSex. Every error's Field is "attributes.NAME".
func Normalize(def kith.AttributeDef, v any, now time.Time) (any, *kith.Error) {
	name := def.Name
	if v == nil {
		return nil, nullError(name)
	}
	if IsDefault(name) {
		return normalizeDefault(name, v, now)
	}
	switch def.Type {
	case kith.TypeString:
		s, ok := v.(string)
		if !ok {
			return nil, mismatch(name, "string", v)
		}
		if err := checkText(name, s, MaxStringLen); err != nil {
			return nil, err
		}
		return s, nil
	case kith.TypeNumber:
		return normalizeNumber(name, v)
	case kith.TypeBoolean:
		b, ok := v.(bool)
		if !ok {
			return nil, mismatch(name, "boolean", v)
		}
		return b, nil
	case kith.TypeDate:
		return normalizeDate(name, v)
	case kith.TypeDatetime:
		return normalizeDatetime(name, v)
	case kith.TypeList:
		return normalizeList(name, v)
	}
	return nil, errorf(name, kith.ECodeInvalidAttribute, "attribute has unknown type %q", def.Type)
}

func normalizeNumber(name string, v any) (any, *kith.Error) {
	f, ok := toNumber(v)
	if !ok {
		if n, isNum := v.(json.Number); isNum {
			return nil, errorf(name, kith.ECodeInvalidAttribute,
				"%s is not a finite number; expected a number within ±1.8e308", quote(string(n)))
		}
		return nil, mismatch(name, "number", v)
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, errorf(name, kith.ECodeInvalidAttribute, "%v is not a finite number; expected a finite number", f)
	}
	return f, nil
}

func normalizeDate(name string, v any) (any, *kith.Error) {
	s, ok := v.(string)
	if !ok {
		return nil, mismatch(name, "date (a YYYY-MM-DD string)", v)
	}
	_, shaped, real := parseDate(s)
	switch {
	case !shaped:
		return nil, errorf(name, kith.ECodeAttrTypeMismatch,
			"expected date (a YYYY-MM-DD string), got string %s", quote(s))
	case !real:
		return nil, errorf(name, kith.ECodeInvalidAttribute,
			"%s is not a real calendar date; expected YYYY-MM-DD", quote(s))
	}
	return s, nil
}

func normalizeDatetime(name string, v any) (any, *kith.Error) {
	s, ok := v.(string)
	if !ok {
		return nil, mismatch(name, "datetime (an RFC 3339 string)", v)
	}
	t, ok := parseDatetime(s)
	if !ok {
		return nil, errorf(name, kith.ECodeAttrTypeMismatch,
			"expected datetime (RFC 3339, e.g. 2026-11-28T10:00:00Z), got string %s", quote(s))
	}
	return formatDatetime(t), nil
}

func normalizeList(name string, v any) (any, *kith.Error) {
	var items []string
	switch v := v.(type) {
	case []string:
		items = append([]string{}, v...)
	case []any:
		items = make([]string, 0, len(v))
		for i, item := range v {
			s, ok := item.(string)
			if !ok {
				return nil, errorf(name, kith.ECodeAttrTypeMismatch,
					"expected list of strings, but item %d is %s", i+1, typeOf(item))
			}
			items = append(items, s)
		}
	default:
		return nil, mismatch(name, "list of strings", v)
	}
	if len(items) > MaxListItems {
		return nil, errorf(name, kith.ECodeInvalidAttribute,
			"list has %d items; at most %d are allowed", len(items), MaxListItems)
	}
	for i, s := range items {
		if err := checkText(name, s, MaxListItemLen); err != nil {
			err.Message = "item " + strconv.Itoa(i+1) + ": " + err.Message
			return nil, err
		}
	}
	return items, nil
}

// checkText checks that s is valid UTF-8 without NUL and at most max
// characters long.
func checkText(name, s string, max int) *kith.Error {
	switch {
	case !utf8.ValidString(s):
		return errorf(name, kith.ECodeInvalidAttribute, "text is not valid UTF-8")
	case strings.IndexByte(s, 0) >= 0:
		return errorf(name, kith.ECodeInvalidAttribute, "text contains a NUL character")
	}
	if n := utf8.RuneCountInString(s); n > max {
		return errorf(name, kith.ECodeInvalidAttribute, "text is %d characters long; at most %d are allowed", n, max)
	}
	return nil
}

// toNumber returns v as a float64 when it is a number.
func toNumber(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case int:
		return float64(n), true
	case int8:
		return float64(n), true
	case int16:
		return float64(n), true
	case int32:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint:
		return float64(n), true
	case uint8:
		return float64(n), true
	case uint16:
		return float64(n), true
	case uint32:
		return float64(n), true
	case uint64:
		return float64(n), true
	case json.Number:
		f, err := strconv.ParseFloat(string(n), 64)
		return f, err == nil
	}
	return 0, false
}

// isDatetime reports whether s is an RFC 3339 timestamp.
func isDatetime(s string) bool {
	_, ok := parseDatetime(s)
	return ok
}

// typeOf names the JSON type of v for messages.
func typeOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case []any, []string:
		return "list"
	case map[string]any:
		return "object"
	}
	if _, ok := toNumber(v); ok {
		return "number"
	}
	if _, ok := v.(json.Number); ok {
		return "number"
	}
	return fmt.Sprintf("an unsupported value (%T)", v)
}

// mismatch returns the error for v given where the type want was expected.
func mismatch(name, want string, v any) *kith.Error {
	given := typeOf(v)
	if s, ok := v.(string); ok {
		given = "string " + quote(s)
	}
	return errorf(name, kith.ECodeAttrTypeMismatch, "expected %s, got %s", want, given)
}

// nullError returns the error for a null value.
func nullError(name string) *kith.Error {
	return errorf(name, kith.ECodeAttrNull, "null cannot be written; attributes can't be removed")
}
