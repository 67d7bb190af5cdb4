package kith

import (
	"reflect"
	"strings"
	"testing"
)

func TestNormalizeOrigin(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://shop.example", "https://shop.example"},
		{" HTTPS://Shop.Example/ ", "https://shop.example"},
		{"https://shop.example:443", "https://shop.example"},
		{"http://shop.example:80", "http://shop.example"},
		{"http://localhost:8080", "http://localhost:8080"},
		{"https://shop.example:0443", "https://shop.example"},
		{"http://127.0.0.1:3000", "http://127.0.0.1:3000"},
		{"http://[::1]:8080", "http://[::1]:8080"},
		{"http://[::1]", "http://[::1]"},
		{"https://xn--bcher-kva.example", "https://xn--bcher-kva.example"},
	} {
		got, err := NormalizeOrigin(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("NormalizeOrigin(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{
		"", "shop.example", "//shop.example", "ftp://shop.example", "https://", "https://shop.example/path",
		"https://shop.example/?a=1", "https://shop.example#x", "https://user@shop.example", "https://shop.example:",
		"https://shop.example:99999", "https://shop.example:x", "https://*.shop.example", "https://shop..example",
		"https://-shop.example", "https://shop.example.", "https://bücher.example", "null", "https://shop.example?",
	} {
		if got, err := NormalizeOrigin(in); err == nil || err.Code != ECodeInvalidSetting {
			t.Errorf("NormalizeOrigin(%q) = %q, %v; want invalid_setting", in, got, err)
		}
	}
}

func ptr[T any](v T) *T { return &v }

func TestWorkspaceUpdateApply(t *testing.T) {
	base := func() *Workspace {
		ws := NewWorkspace("shop", ModeEmail)
		ws.ID = 7
		return ws
	}
	ws := base()
	err := WorkspaceUpdate{
		Name: ptr(" Shop "), IdentityMode: ptr(ModeCustomID), UUIDPolicy: ptr(UUIDDerived), UUIDSalt: ptr("pepper"),
		BlockedIdentifiers: ptr([]string{" n/a", "N/A ", "x"}), AllowedOrigins: ptr([]string{"https://a.example/", "HTTPS://A.EXAMPLE"}),
		SegmentUserIDAs: ptr("email"),
	}.Apply(ws)
	if err != nil {
		t.Fatal(err)
	}
	want := base()
	want.Name, want.IdentityMode, want.UUIDPolicy, want.UUIDSalt, want.SegmentUserIDAs = "Shop", ModeCustomID, UUIDDerived, "pepper", "email"
	want.BlockedIdentifiers, want.AllowedOrigins = []string{"n/a", "x"}, []string{"https://a.example"}
	if !reflect.DeepEqual(ws, want) {
		t.Errorf("Apply = %+v, want %+v", ws, want)
	}

	// A nil list restores the default blocklist; an empty one stays empty.
	ws = base()
	if err := (WorkspaceUpdate{BlockedIdentifiers: ptr([]string(nil))}).Apply(ws); err != nil || ws.BlockedIdentifiers != nil {
		t.Errorf("nil blocklist: %v, %q", err, ws.BlockedIdentifiers)
	}
	if err := (WorkspaceUpdate{BlockedIdentifiers: ptr([]string{})}).Apply(ws); err != nil || ws.BlockedIdentifiers == nil {
		t.Errorf("empty blocklist: %v, %q", err, ws.BlockedIdentifiers)
	}
	if got := ws.EffectiveBlockedIdentifiers(); len(got) != 0 {
		t.Errorf("effective empty blocklist %q", got)
	}

	// Only the fields set are checked: a bad stored value does not block
	// other changes.
	ws = base()
	ws.SegmentUserIDAs = ""
	if err := (WorkspaceUpdate{Name: ptr("other")}).Apply(ws); err != nil {
		t.Errorf("update beside an unchecked stored value: %v", err)
	}

	for _, tc := range []struct {
		name   string
		u      WorkspaceUpdate
		code   string
		fields []string
	}{
		{"empty name", WorkspaceUpdate{Name: ptr("  ")}, ECodeInvalidSetting, []string{"name"}},
		{"long name", WorkspaceUpdate{Name: ptr(strings.Repeat("n", 65))}, ECodeInvalidSetting, []string{"name"}},
		{"bad mode", WorkspaceUpdate{IdentityMode: ptr("phone")}, ECodeInvalidSetting, []string{"identityMode"}},
		{"bad policy", WorkspaceUpdate{UUIDPolicy: ptr("v1")}, ECodeInvalidSetting, []string{"uuidPolicy"}},
		{"derived without salt", WorkspaceUpdate{UUIDPolicy: ptr(UUIDDerived), UUIDSalt: ptr("")}, ECodeInvalidSetting, []string{"uuidSalt"}},
		{"salt with newline", WorkspaceUpdate{UUIDSalt: ptr("a\nb")}, ECodeInvalidSetting, []string{"uuidSalt"}},
		{"bad segment", WorkspaceUpdate{SegmentUserIDAs: ptr("uuid")}, ECodeInvalidSetting, []string{"segmentUserIdAs"}},
		{"blank blocked", WorkspaceUpdate{BlockedIdentifiers: ptr([]string{"ok", " "})}, ECodeInvalidSetting, []string{"blockedIdentifiers[1]"}},
		{"too many blocked", WorkspaceUpdate{BlockedIdentifiers: ptr(make([]string, MaxBlockedIdentifiers+1))}, ECodeInvalidSetting, []string{"blockedIdentifiers"}},
		{"bad origins", WorkspaceUpdate{AllowedOrigins: ptr([]string{"https://ok.example", "ok.example", "https://x/y"})},
			ECodeInvalidSetting, []string{"allowedOrigins[1]", "allowedOrigins[2]"}},
		{"several", WorkspaceUpdate{Name: ptr(""), UUIDPolicy: ptr("v1")}, ECodeInvalidSetting, []string{"name", "uuidPolicy"}},
	} {
		ws := base()
		before := *ws
		err := tc.u.Apply(ws)
		e := AsError(err)
		if e == nil || e.Code != tc.code {
			t.Errorf("%s: %v, want code %s", tc.name, err, tc.code)
			continue
		}
		var fields []string
		if len(e.Details) == 0 {
			fields = []string{e.Field}
		}
		for _, d := range e.Details {
			fields = append(fields, d.Field)
		}
		if !reflect.DeepEqual(fields, tc.fields) {
			t.Errorf("%s: fields %q, want %q", tc.name, fields, tc.fields)
		}
		if !reflect.DeepEqual(*ws, before) {
			t.Errorf("%s: a refused update changed the workspace", tc.name)
		}
	}

	ws = base()
	ws.IdentityMode = ModeCustomID
	if err := (WorkspaceUpdate{IdentityMode: ptr(ModeEmail)}).Apply(ws); ErrorCode(err) != ECodeIdentityModeLocked {
		t.Errorf("customId → email: %v, want identity_mode_locked", err)
	}
}

func TestNormalizeKeyName(t *testing.T) {
	for _, tc := range []struct{ kind, name, want, code, field string }{
		{KeySecret, " CRM ", "CRM", "", ""},
		{KeyTracker, "", "Tracker key", "", ""},
		{KeySecret, "", "Secret key", "", ""},
		{"admin", "x", "", ECodeInvalid, "kind"},
		{KeySecret, strings.Repeat("é", MaxKeyNameRunes+1), "", ECodeInvalid, "name"},
		{KeySecret, "a\tb", "", ECodeInvalid, "name"},
	} {
		got, err := NormalizeKeyName(tc.kind, tc.name)
		switch {
		case tc.code == "" && (err != nil || got != tc.want):
			t.Errorf("NormalizeKeyName(%q, %q) = %q, %v; want %q", tc.kind, tc.name, got, err, tc.want)
		case tc.code != "" && (err == nil || err.Code != tc.code || err.Field != tc.field):
			t.Errorf("NormalizeKeyName(%q, %q) = %v; want %s on %s", tc.kind, tc.name, err, tc.code, tc.field)
		}
	}
}
