package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strings"

	"github.com/kithcdp/kith"
)

// DecodeStrict decodes one JSON value into v, refusing unknown fields and
// trailing data, and turns decoding errors into field errors under prefix.
func DecodeStrict(data []byte, v any, prefix string) *kith.Error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		e := jsonError(err, prefix)
		if e.Code == kith.ECodeUnknownField {
			// encoding/json names an unknown field without its path.
			name := strings.TrimPrefix(e.Field, prefix+".")
			if path := unknownFieldPath(data, reflect.TypeOf(v), name); path != "" {
				e.Field = joinField(prefix, path)
			}
		}
		return e
	}
	if _, err := dec.Token(); err != io.EOF {
		return kith.FieldErrorf(prefix, kith.ECodeInvalidJSON, "unexpected data after the JSON value")
	}
	return nil
}

// jsonError describes a decoding error with the field it concerns.
func jsonError(err error, prefix string) *kith.Error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		field := joinField(prefix, typeErr.Field)
		return kith.FieldErrorf(field, kith.ECodeInvalid, "expected %s, got JSON %s", typeName(typeErr.Type.Kind().String()), typeErr.Value)
	case errors.As(err, &syntaxErr):
		return kith.FieldErrorf(prefix, kith.ECodeInvalidJSON, "malformed JSON at byte %d: %v", syntaxErr.Offset, err)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return kith.FieldErrorf(prefix, kith.ECodeInvalidJSON, "the JSON value is empty or truncated")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return kith.FieldErrorf(joinField(prefix, name), kith.ECodeUnknownField, "unknown field %q", name)
	}
	return kith.FieldErrorf(prefix, kith.ECodeInvalidJSON, "malformed JSON: %v", err)
}

func typeName(kind string) string {
	switch kind {
	case "int64", "int", "float64":
		return "a number"
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice":
		return "an array"
	case "map", "struct":
		return "an object"
	}
	return kind
}

func joinField(prefix, field string) string {
	switch {
	case prefix == "":
		return field
	case field == "":
		return prefix
	}
	return fmt.Sprintf("%s.%s", prefix, field)
}

// unknownFieldPath returns the dotted path, in data decoded into a value
// of type t, of the first object member called name that no struct field
// takes, or "" when there is none.
func unknownFieldPath(data []byte, t reflect.Type, name string) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(reflect.TypeFor[json.Unmarshaler]()) {
		return "" // decodes itself
	}
	switch t.Kind() {
	case reflect.Struct:
		var members map[string]json.RawMessage
		if json.Unmarshal(data, &members) != nil {
			return ""
		}
		for _, key := range sortedKeys(members) {
			f, ok := structField(t, key)
			if !ok {
				if key == name {
					return key
				}
				continue
			}
			if sub := unknownFieldPath(members[key], f.Type, name); sub != "" {
				return pathJoin(key, sub)
			}
		}
	case reflect.Map:
		var members map[string]json.RawMessage
		if json.Unmarshal(data, &members) != nil {
			return ""
		}
		for _, key := range sortedKeys(members) {
			if sub := unknownFieldPath(members[key], t.Elem(), name); sub != "" {
				return pathJoin(key, sub)
			}
		}
	case reflect.Slice, reflect.Array:
		var items []json.RawMessage
		if json.Unmarshal(data, &items) != nil {
			return ""
		}
		for i, item := range items {
			if sub := unknownFieldPath(item, t.Elem(), name); sub != "" {
				return pathJoin(fmt.Sprintf("[%d]", i), sub)
			}
		}
	}
	return ""
}

func pathJoin(outer, inner string) string {
	if strings.HasPrefix(inner, "[") {
		return outer + inner
	}
	return outer + "." + inner
}

// structField finds the field of struct type t that encoding/json decodes
// the member key into (names match case-insensitively, as there).
func structField(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == "-" {
			continue
		}
		if tag == "" {
			tag = f.Name
		}
		if strings.EqualFold(tag, key) {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
