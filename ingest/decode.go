package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/kithcdp/kith"
)

// DecodeStrict decodes one JSON value into v, refusing unknown fields and
// trailing data, and turns decoding errors into field errors under prefix.
func DecodeStrict(data []byte, v any, prefix string) *kith.Error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err, prefix)
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
