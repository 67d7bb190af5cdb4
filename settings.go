package kith

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// SettingsReader holds the reads of workspace settings and API keys.
type SettingsReader interface {
	// ListKeys returns the workspace's API keys, revoked ones included,
	// oldest first (by CreatedAt, then ID). Keys hold their Hash and
	// Prefix, never the key text.
	ListKeys(ctx context.Context, ws int64) ([]*Key, error)
}

// SettingsWriter holds the writes of workspace settings and API keys.
type SettingsWriter interface {
	// UpdateWorkspace applies u to workspace id (locked until the
	// transaction ends, so concurrent updates do not lose each other's
	// changes) and returns the workspace as stored. Switching the identity
	// mode from email to customId also, in the same transaction, clears
	// every profile's unique email key (emails stop being identifiers) and
	// recomputes its recognized flag (a customId now recognizes); profile
	// writes made afterwards with a stale email-mode Workspace get the same
	// treatment from the database. Codes: not_found, conflict (name taken),
	// invalid_setting, identity_mode_locked (u.Apply's codes).
	UpdateWorkspace(ctx context.Context, id int64, u WorkspaceUpdate) (*Workspace, error)
	// RevokeKey marks the key with id in workspace ws revoked at at and
	// returns it. A key revoked already keeps its first RevokedAt. It
	// returns not_found when ws has no such key (another workspace's key
	// included).
	RevokeKey(ctx context.Context, ws int64, id string, at time.Time) (*Key, error)
}

// Error codes of the workspace settings and keys.
const (
	// ECodeIdentityModeLocked refuses switching a workspace from customId
	// back to email identity mode (SPEC §1: the switch is one way).
	ECodeIdentityModeLocked = "identity_mode_locked"
	// ECodeKeyInUse refuses revoking the key that authenticates the
	// request: revoke it with another secret key, so that a workspace
	// always keeps one working secret key.
	ECodeKeyInUse = "key_in_use"
)

// Limits of the workspace settings.
const (
	MaxBlockedIdentifiers = 1000
	MaxAllowedOrigins     = 100
	maxSettingRunes       = 256
	MaxKeyNameRunes       = 100
)

// WorkspaceUpdate is a partial change of a workspace's settings: nil
// fields stay as they are.
type WorkspaceUpdate struct {
	Name         *string
	IdentityMode *string
	UUIDPolicy   *string
	UUIDSalt     *string
	// BlockedIdentifiers replaces the junk-value blocklist. A pointer to a
	// nil slice restores the default list; a pointer to an empty slice
	// blocks nothing but the empty string and the nil UUID.
	BlockedIdentifiers *[]string
	AllowedOrigins     *[]string
	SegmentUserIDAs    *string
}

// Apply changes ws by u after validating the fields u sets (values that
// were stored before are not checked again): names and lists are trimmed,
// origins normalized (see NormalizeOrigin), repeats dropped. On error ws is
// unchanged. Codes: invalid_setting (with the field; several in Details),
// identity_mode_locked.
func (u WorkspaceUpdate) Apply(ws *Workspace) error {
	next := *ws
	var errs []*Error
	bad := func(field, format string, args ...any) {
		errs = append(errs, FieldErrorf(field, ECodeInvalidSetting, format, args...))
	}
	if u.Name != nil {
		next.Name = strings.TrimSpace(*u.Name)
		if e := settingText("name", next.Name); e != nil {
			errs = append(errs, e)
		} else if next.Name == "" || len(next.Name) > 64 {
			bad("name", "workspace names are 1–64 characters")
		}
	}
	if u.IdentityMode != nil {
		switch m := *u.IdentityMode; {
		case ws.IdentityMode == ModeCustomID && m == ModeEmail:
			return FieldErrorf("identityMode", ECodeIdentityModeLocked,
				"a workspace in customId identity mode cannot go back to email mode: its emails may no longer be unique")
		case m != ModeEmail && m != ModeCustomID:
			bad("identityMode", "identityMode is %q or %q, not %q", ModeEmail, ModeCustomID, m)
		}
		next.IdentityMode = *u.IdentityMode
	}
	if u.UUIDPolicy != nil {
		next.UUIDPolicy = *u.UUIDPolicy
		if next.UUIDPolicy != UUIDRandom && next.UUIDPolicy != UUIDDerived {
			bad("uuidPolicy", "uuidPolicy is %q or %q, not %q", UUIDRandom, UUIDDerived, next.UUIDPolicy)
		}
	}
	if u.UUIDSalt != nil {
		next.UUIDSalt = *u.UUIDSalt
		if e := settingText("uuidSalt", next.UUIDSalt); e != nil {
			errs = append(errs, e)
		}
	}
	if (u.UUIDPolicy != nil || u.UUIDSalt != nil) && next.UUIDPolicy == UUIDDerived && next.UUIDSalt == "" {
		bad("uuidSalt", "the derived uuid policy needs a uuidSalt")
	}
	if u.SegmentUserIDAs != nil {
		next.SegmentUserIDAs = *u.SegmentUserIDAs
		if v := next.SegmentUserIDAs; v != string(KindCustomID) && v != string(KindEmail) {
			bad("segmentUserIdAs", "segmentUserIdAs is \"customId\" or \"email\", not %q", v)
		}
	}
	if u.BlockedIdentifiers != nil {
		list, e := cleanBlocklist(*u.BlockedIdentifiers)
		errs = append(errs, e...)
		next.BlockedIdentifiers = list
	}
	if u.AllowedOrigins != nil {
		list, e := cleanOrigins(*u.AllowedOrigins)
		errs = append(errs, e...)
		next.AllowedOrigins = list
	}
	switch len(errs) {
	case 0:
		*ws = next
		return nil
	case 1:
		return errs[0]
	}
	return &Error{Code: errs[0].Code, Field: errs[0].Field, Message: errs[0].Message, Details: errs}
}

// settingText refuses text settings that are too long or hold control
// characters.
func settingText(field, s string) *Error {
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > maxSettingRunes {
		return FieldErrorf(field, ECodeInvalidSetting, "%s is valid UTF-8 of at most %d characters", field, maxSettingRunes)
	}
	for _, r := range s {
		if forbiddenRune(r) {
			return FieldErrorf(field, ECodeInvalidSetting, "%s contains a forbidden character U+%04X", field, r)
		}
	}
	return nil
}

// cleanBlocklist trims a blocklist, refusing empty or invalid values and
// dropping repeats (compared case-insensitively, as values are).
func cleanBlocklist(in []string) ([]string, []*Error) {
	if in == nil {
		return nil, nil
	}
	if len(in) > MaxBlockedIdentifiers {
		return nil, []*Error{FieldErrorf("blockedIdentifiers", ECodeInvalidSetting,
			"at most %d blocked identifiers, got %d", MaxBlockedIdentifiers, len(in))}
	}
	out := []string{}
	var errs []*Error
	seen := map[string]bool{}
	for i, v := range in {
		field := fmt.Sprintf("blockedIdentifiers[%d]", i)
		v = strings.TrimSpace(v)
		if v == "" {
			errs = append(errs, FieldErrorf(field, ECodeInvalidSetting, "blocked identifiers are non-empty strings (the empty string is always blocked)"))
			continue
		}
		if e := settingText(field, v); e != nil {
			errs = append(errs, e)
			continue
		}
		if key := strings.ToLower(v); !seen[key] {
			seen[key] = true
			out = append(out, v)
		}
	}
	return out, errs
}

// cleanOrigins normalizes a list of allowed origins, dropping repeats.
func cleanOrigins(in []string) ([]string, []*Error) {
	if len(in) > MaxAllowedOrigins {
		return nil, []*Error{FieldErrorf("allowedOrigins", ECodeInvalidSetting,
			"at most %d allowed origins, got %d", MaxAllowedOrigins, len(in))}
	}
	out := []string{}
	var errs []*Error
	for i, v := range in {
		o, e := NormalizeOrigin(v)
		if e != nil {
			errs = append(errs, e.WithField(fmt.Sprintf("allowedOrigins[%d]", i)))
			continue
		}
		if !contains(out, o) {
			out = append(out, o)
		}
	}
	return out, errs
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// NormalizeOrigin returns a browser origin in the form browsers send in
// the Origin header: scheme://host[:port], http or https, lower-case, no
// default port, no path (a lone trailing "/" is dropped), query, fragment
// or user info. Code invalid_setting.
func NormalizeOrigin(s string) (string, *Error) {
	bad := func(why string) (string, *Error) {
		return "", Errorf(ECodeInvalidSetting, "%q is not an origin (scheme://host[:port]): %s", s, why)
	}
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return bad("it does not parse as a URL")
	}
	scheme := strings.ToLower(u.Scheme)
	switch {
	case scheme != "http" && scheme != "https":
		return bad("the scheme is http or https")
	case u.Opaque != "" || u.Host == "":
		return bad("it has no host")
	case u.User != nil:
		return bad("it has user info")
	case u.Path != "" && u.Path != "/", u.RawPath != "":
		return bad("it has a path")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return bad("it has a query or fragment")
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if !validHost(host) {
		return bad("the host name is invalid")
	}
	if strings.HasSuffix(u.Host, ":") {
		return bad("the port is empty")
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return bad("the port is 1–65535")
		}
		if scheme == "http" && n == 80 || scheme == "https" && n == 443 {
			port = ""
		} else {
			port = strconv.Itoa(n)
		}
	}
	switch {
	case port != "":
		host = net.JoinHostPort(host, port)
	case strings.Contains(host, ":"):
		host = "[" + host + "]" // an IPv6 address
	}
	return scheme + "://" + host, nil
}

// validHost reports whether h is a DNS name or an IP address.
func validHost(h string) bool {
	if net.ParseIP(h) != nil {
		return true
	}
	if len(h) > 253 || strings.HasPrefix(h, ".") || strings.HasSuffix(h, ".") || strings.Contains(h, "..") {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// NormalizeKeyName trims a key's name and checks it; an empty name
// becomes a default naming the kind. Codes: invalid (field kind or name).
func NormalizeKeyName(kind, name string) (string, *Error) {
	if kind != KeyTracker && kind != KeySecret {
		return "", FieldErrorf("kind", ECodeInvalid, "kind is %q or %q, not %q", KeyTracker, KeySecret, kind)
	}
	name = strings.TrimSpace(name)
	if name == "" {
		if kind == KeyTracker {
			return "Tracker key", nil
		}
		return "Secret key", nil
	}
	if e := settingText("name", name); e != nil || utf8.RuneCountInString(name) > MaxKeyNameRunes {
		return "", FieldErrorf("name", ECodeInvalid, "a key name is at most %d characters, without control characters", MaxKeyNameRunes)
	}
	return name, nil
}

// EffectiveBlockedIdentifiers returns the blocklist that applies to ws:
// its own, or the default list when it has none set.
func (ws *Workspace) EffectiveBlockedIdentifiers() []string {
	if ws.BlockedIdentifiers == nil {
		return append([]string(nil), DefaultBlockedIdentifiers...)
	}
	return ws.BlockedIdentifiers
}
