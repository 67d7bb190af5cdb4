package kith

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Identifiers are what a write knows about who it concerns. Zero values mean
// "not given".
type Identifiers struct {
	ClientID int64  `json:"clientId,omitempty"`
	Email    string `json:"email,omitempty"`
	CustomID string `json:"customId,omitempty"`
	UUID     string `json:"uuid,omitempty"`
}

// IsZero reports whether no identifier is given.
func (ids Identifiers) IsZero() bool {
	return ids.ClientID == 0 && ids.Email == "" && ids.CustomID == "" && ids.UUID == ""
}

// IdentifierKind names one kind of identifier.
type IdentifierKind string

// The identifier kinds.
const (
	KindClientID IdentifierKind = "clientId"
	KindEmail    IdentifierKind = "email"
	KindCustomID IdentifierKind = "customId"
	KindUUID     IdentifierKind = "uuid"
)

// DefaultBlockedIdentifiers is the junk-value blocklist of a new workspace
// (compared case-insensitively). The empty string and the nil UUID are always
// refused as well.
var DefaultBlockedIdentifiers = []string{
	"null", "undefined", "none", "nil", "anonymous", "guest", "unknown",
	"0", "-1", "[object Object]", "test@test.com",
}

const (
	nilUUID          = "00000000-0000-0000-0000-000000000000"
	maxCustomIDRunes = 256
	maxEmailBytes    = 254
)

// NormalizeIdentifiers trims, lower-cases and validates ids for workspace ws.
// Field names in returned errors are prefixed with field (e.g. "client").
// It returns codes invalid_email, invalid_custom_id, invalid_uuid,
// invalid_client_id, invalid_identifier and blocked_identifier.
func NormalizeIdentifiers(ws *Workspace, ids Identifiers, field string) (Identifiers, error) {
	var out Identifiers
	var errs []*Error
	add := func(e *Error) { errs = append(errs, e.WithField(field)) }
	if ids.ClientID < 0 {
		add(FieldErrorf("clientId", ECodeInvalidClientID, "clientId must be a positive integer"))
	}
	out.ClientID = ids.ClientID
	var err *Error
	if ids.Email != "" {
		if out.Email, err = NormalizeEmail(ws, ids.Email); err != nil {
			add(err)
		}
	}
	if ids.CustomID != "" {
		if out.CustomID, err = NormalizeCustomID(ws, ids.CustomID); err != nil {
			add(err)
		}
	}
	if ids.UUID != "" {
		if out.UUID, err = NormalizeUUID(ws, ids.UUID); err != nil {
			add(err)
		}
	}
	if len(errs) == 1 {
		return out, errs[0]
	}
	if len(errs) > 1 {
		return out, &Error{Code: errs[0].Code, Field: errs[0].Field, Message: errs[0].Message, Details: errs}
	}
	return out, nil
}

// NormalizeEmail returns the canonical form of an email identifier.
func NormalizeEmail(ws *Workspace, s string) (string, *Error) {
	v, err := cleanIdentifier(ws, "email", s)
	if err != nil {
		return "", err
	}
	v = strings.ToLower(v)
	if len(v) > maxEmailBytes || !validEmail(v) {
		return "", FieldErrorf("email", ECodeInvalidEmail, "%q is not a valid email address", v)
	}
	if blocked(ws, v) {
		return "", blockedError("email", v)
	}
	return v, nil
}

// NormalizeCustomID returns the canonical form of a customId identifier.
func NormalizeCustomID(ws *Workspace, s string) (string, *Error) {
	v, err := cleanIdentifier(ws, "customId", s)
	if err != nil {
		return "", err
	}
	if utf8.RuneCountInString(v) > maxCustomIDRunes {
		return "", FieldErrorf("customId", ECodeInvalidCustomID, "customId is longer than %d characters", maxCustomIDRunes)
	}
	return v, nil
}

// NormalizeUUID returns the canonical lower-case text of a uuid identifier.
func NormalizeUUID(ws *Workspace, s string) (string, *Error) {
	v, err := cleanIdentifier(ws, "uuid", s)
	if err != nil {
		return "", err
	}
	v = strings.ToLower(v)
	if !IsUUID(v) {
		return "", FieldErrorf("uuid", ECodeInvalidUUID, "%q is not a UUID (expected 8-4-4-4-12 hexadecimal digits)", v)
	}
	if v == nilUUID {
		return "", blockedError("uuid", v)
	}
	return v, nil
}

// IsUUID reports whether s is a canonical lower-case UUID text.
func IsUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
				return false
			}
		}
	}
	return true
}

// cleanIdentifier trims s and refuses forbidden characters, the empty
// string and the workspace's junk values.
func cleanIdentifier(ws *Workspace, field, s string) (string, *Error) {
	if !utf8.ValidString(s) {
		return "", FieldErrorf(field, ECodeInvalidIdentifier, "%s is not valid UTF-8", field)
	}
	v := strings.TrimSpace(s)
	for _, r := range v {
		if forbiddenRune(r) {
			return "", FieldErrorf(field, ECodeInvalidIdentifier, "%s contains a forbidden character U+%04X", field, r)
		}
	}
	if v == "" || blocked(ws, v) {
		return "", blockedError(field, v)
	}
	return v, nil
}

func forbiddenRune(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == '\u00AD' || r > 0xFFFF
}

func blocked(ws *Workspace, v string) bool {
	list := DefaultBlockedIdentifiers
	if ws != nil && ws.BlockedIdentifiers != nil {
		list = ws.BlockedIdentifiers
	}
	for _, b := range list {
		if strings.EqualFold(b, v) {
			return true
		}
	}
	return false
}

func blockedError(field, v string) *Error {
	if v == "" {
		return FieldErrorf(field, ECodeBlockedIdentifier, "%s is empty", field)
	}
	return FieldErrorf(field, ECodeBlockedIdentifier, "%q is a blocked junk value and cannot identify anyone", v)
}

func validEmail(v string) bool {
	addr, err := mail.ParseAddress(v)
	if err != nil || addr.Name != "" || addr.Address != v {
		return false
	}
	at := strings.LastIndexByte(v, '@')
	domain := v[at+1:]
	return at > 0 && strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") &&
		!strings.HasSuffix(domain, ".") && !strings.ContainsAny(v, " \t\"()<>[]\\,;:")
}
