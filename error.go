// Package kith holds Kith's domain: profiles, identifiers, events, the
// attribute and tag catalogues, workspaces and keys, and the interfaces that
// storage backends implement. It imports the standard library only.
package kith

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes are stable machine strings returned to API callers (SPEC §3).
const (
	ECodeInvalid             = "invalid"
	ECodeInvalidJSON         = "invalid_json"
	ECodeRequired            = "required"
	ECodeInvalidEmail        = "invalid_email"
	ECodeInvalidUUID         = "invalid_uuid"
	ECodeInvalidCustomID     = "invalid_custom_id"
	ECodeInvalidClientID     = "invalid_client_id"
	ECodeInvalidIdentifier   = "invalid_identifier"
	ECodeBlockedIdentifier   = "blocked_identifier"
	ECodeSuppressed          = "suppressed_identifier"
	ECodeInvalidBirthDate    = "invalid_birth_date"
	ECodeInvalidPhone        = "invalid_phone"
	ECodeInvalidCountryCode  = "invalid_country_code"
	ECodeInvalidSex          = "invalid_sex"
	ECodeInvalidAttribute    = "invalid_attribute"
	ECodeInvalidAttrName     = "invalid_attribute_name"
	ECodeReservedAttribute   = "reserved_attribute"
	ECodeAttributeNameTaken  = "attribute_name_taken"
	ECodeAttrTypeMismatch    = "attribute_type_mismatch"
	ECodeAttrNull            = "attribute_null"
	ECodeAttrNotDeletable    = "attribute_not_deletable"
	ECodeInvalidTag          = "invalid_tag"
	ECodeInvalidAgreement    = "invalid_agreement"
	ECodeInvalidAction       = "invalid_action"
	ECodeReservedAction      = "reserved_action"
	ECodeInvalidTime         = "invalid_time"
	ECodeInvalidEventID      = "invalid_event_id"
	ECodeInvalidParams       = "invalid_params"
	ECodeIdentityConflict    = "identity_conflict"
	ECodeIdentifierMismatch  = "identifier_mismatch"
	ECodeAmbiguous           = "ambiguous_identifier"
	ECodeConflict            = "conflict"
	ECodeNotFound            = "not_found"
	ECodeUnauthorized        = "unauthorized"
	ECodeForbidden           = "forbidden"
	ECodePayloadTooLarge     = "payload_too_large"
	ECodeTooManyItems        = "too_many_items"
	ECodeUnsupportedMedia    = "unsupported_media_type"
	ECodeMethodNotAllowed    = "method_not_allowed"
	ECodeUnavailable         = "unavailable"
	ECodeInternal            = "internal"
	ECodeUnknownField        = "unknown_field"
	ECodeInvalidSetting      = "invalid_setting"
	ECodeOriginNotAllowed    = "origin_not_allowed"
	ECodeTooManyMergeSources = "too_many_merge_sources"
)

// Error is Kith's one error type. Code is stable; Message is for humans;
// Field names the offending input (JSON pointer-like dotted path) when known.
// Details holds further per-field problems of the same request.
type Error struct {
	Code    string
	Message string
	Field   string
	Details []*Error
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Message)
	return b.String()
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an *Error about one input field.
func FieldErrorf(field, code, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err, ECodeInternal when err is not a Kith
// error, and "" when err is nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ECodeInternal
}

// ErrorMessage returns the human message of err; internal errors get a
// generic message so that users never see internals.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// AsError returns err as a *Error, or nil when it is not one.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// WithField returns a copy of e whose Field is prefixed by prefix.
func (e *Error) WithField(prefix string) *Error {
	c := *e
	switch {
	case c.Field == "":
		c.Field = prefix
	case prefix != "":
		c.Field = prefix + "." + c.Field
	}
	return &c
}
