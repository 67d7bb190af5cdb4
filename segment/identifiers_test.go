package segment

import (
	"slices"
	"testing"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/identity"
)

func TestDeviceUUID(t *testing.T) {
	ws := kith.NewWorkspace("t", kith.ModeEmail)
	for _, tc := range []struct{ in, want, code string }{
		{"3F2504E0-4F89-41D3-9A0C-0305E82C3301", "3f2504e0-4f89-41d3-9a0c-0305e82c3301", ""},
		{" 3f2504e0-4f89-41d3-9a0c-0305e82c3301 ", "3f2504e0-4f89-41d3-9a0c-0305e82c3301", ""},
		{"anon-123", identity.NameUUID("anon-123"), ""},
		{"  anon-123\t", identity.NameUUID("anon-123"), ""},
		{"1234567890", identity.NameUUID("1234567890"), ""},
		{"null", "", kith.ECodeBlockedIdentifier},
		{"Undefined", "", kith.ECodeBlockedIdentifier},
		{"   ", "", kith.ECodeBlockedIdentifier},
		{"00000000-0000-0000-0000-000000000000", "", kith.ECodeBlockedIdentifier},
		{"a\nb", "", kith.ECodeInvalidIdentifier},
	} {
		got, e := DeviceUUID(ws, "anonymousId", tc.in)
		if got != tc.want || kith.ErrorCode(errOrNil(e)) != tc.code {
			t.Errorf("DeviceUUID(%q) = %q, %v; want %q, code %q", tc.in, got, e, tc.want, tc.code)
		}
		if e != nil && e.Field != "anonymousId" {
			t.Errorf("DeviceUUID(%q): error field %q", tc.in, e.Field)
		}
	}
	// The known vector lets integrators check their own computation.
	if got := identity.NameUUID("anon-123"); !kith.IsUUID(got) || got[14] != '5' {
		t.Errorf("NameUUID gives %q, want a v5 UUID", got)
	}
}

func TestIdentifiers(t *testing.T) {
	emailWS := kith.NewWorkspace("e", kith.ModeEmail)
	userIsEmail := kith.NewWorkspace("u", kith.ModeEmail)
	userIsEmail.SegmentUserIDAs = string(kith.KindEmail)
	customWS := kith.NewWorkspace("c", kith.ModeCustomID)
	customEmail := kith.NewWorkspace("ce", kith.ModeCustomID)
	customEmail.SegmentUserIDAs = string(kith.KindEmail)
	anon := "6f1c9a2e-3b7d-4c1e-9a55-0b8f7c2d1e3a"
	for _, tc := range []struct {
		name                  string
		ws                    *kith.Workspace
		device, userID, email string
		want                  kith.Identifiers
		code                  string
		warn                  []string
	}{
		{"anonymous only", emailWS, anon, "", "", kith.Identifiers{UUID: anon}, "", nil},
		{"userId is customId", emailWS, anon, "LOY-1", "", kith.Identifiers{UUID: anon, CustomID: "LOY-1"}, "", nil},
		{"userId trimmed, case kept", emailWS, "", " Loy-1 ", "", kith.Identifiers{CustomID: "Loy-1"}, "", nil},
		{"userId as email", userIsEmail, "", "Ada@Example.com", "", kith.Identifiers{Email: "ada@example.com"}, "", nil},
		{"userId not an email", userIsEmail, anon, "LOY-1", "", kith.Identifiers{UUID: anon}, "", []string{"userId invalid_email"}},
		{"traits email", emailWS, anon, "LOY-1", "ADA@example.com", kith.Identifiers{UUID: anon, CustomID: "LOY-1", Email: "ada@example.com"}, "", nil},
		{"traits email invalid", emailWS, anon, "", "nope", kith.Identifiers{UUID: anon}, "", []string{"traits.email invalid_email"}},
		{"traits email same as userId email", userIsEmail, "", "ada@example.com", "ADA@example.com", kith.Identifiers{Email: "ada@example.com"}, "", nil},
		{"traits email differs from userId email", userIsEmail, "", "ada@example.com", "bob@example.com",
			kith.Identifiers{Email: "ada@example.com"}, "", []string{"traits.email identifier_mismatch"}},
		{"junk userId dropped", emailWS, anon, "null", "", kith.Identifiers{UUID: anon}, "", []string{"userId blocked_identifier"}},
		{"junk anonymousId dropped", emailWS, "undefined", "LOY-1", "", kith.Identifiers{CustomID: "LOY-1"}, "", []string{"anonymousId blocked_identifier"}},
		{"nothing usable", emailWS, "null", "", "", kith.Identifiers{}, kith.ECodeRequired, []string{"anonymousId blocked_identifier"}},
		{"no ids at all", emailWS, "", "", "", kith.Identifiers{}, kith.ECodeRequired, nil},
		{"email alone identifies in email mode", emailWS, "", "", "ada@example.com", kith.Identifiers{Email: "ada@example.com"}, "", nil},
		{"email alone does not in customId mode", customWS, "", "", "ada@example.com", kith.Identifiers{Email: "ada@example.com"}, kith.ECodeRequired, nil},
		{"customId mode userId", customWS, anon, "LOY-1", "ada@example.com", kith.Identifiers{UUID: anon, CustomID: "LOY-1", Email: "ada@example.com"}, "", nil},
		{"customId mode, userId as email, alone", customEmail, "", "ada@example.com", "", kith.Identifiers{Email: "ada@example.com"}, kith.ECodeRequired, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var warns []string
			got, e := identifiers(tc.ws, "anonymousId", tc.device, tc.userID, tc.email, func(e *kith.Error) { warns = append(warns, e.Field+" "+e.Code) })
			if got != tc.want || kith.ErrorCode(errOrNil(e)) != tc.code {
				t.Errorf("identifiers = %+v, %v; want %+v, code %q", got, e, tc.want, tc.code)
			}
			if !slices.Equal(warns, tc.warn) {
				t.Errorf("warnings = %q, want %q", warns, tc.warn)
			}
		})
	}
}

func errOrNil(e *kith.Error) error {
	if e == nil {
		return nil
	}
	return e
}
