package schema

import (
	"testing"

	"github.com/kithcdp/kith"
)

func TestDefaults(t *testing.T) {
	want := []string{"firstName", "lastName", "displayName", "company", "address", "city",
		"province", "zipCode", "countryCode", "birthDate", "phone", "sex", "avatarUrl"}
	got := Defaults()
	if len(got) != len(want) {
		t.Fatalf("Defaults() has %d entries, want %d", len(got), len(want))
	}
	for i, d := range got {
		if d.Name != want[i] {
			t.Errorf("Defaults()[%d].Name = %q, want %q", i, d.Name, want[i])
		}
		wantType := kith.TypeString
		if d.Name == "birthDate" {
			wantType = kith.TypeDate
		}
		if d.Type != wantType {
			t.Errorf("%s: Type = %q, want %q", d.Name, d.Type, wantType)
		}
		if !d.Default {
			t.Errorf("%s: Default = false", d.Name)
		}
		if d.Description == "" {
			t.Errorf("%s: no description", d.Name)
		}
		if !IsDefault(d.Name) {
			t.Errorf("IsDefault(%q) = false", d.Name)
		}
	}
	got[0].Name = "changed"
	if Defaults()[0].Name != "firstName" {
		t.Error("Defaults() shares its slice between calls")
	}
}

func TestIsDefault(t *testing.T) {
	for _, tc := range []struct {
		name string
		want bool
	}{
		{"firstName", true},
		{"avatarUrl", true},
		{"birthDate", true},
		{"firstname", false},
		{"FirstName", false},
		{"first_name", false},
		{"email", false},
		{"ClubMember", false},
		{"", false},
	} {
		if got := IsDefault(tc.name); got != tc.want {
			t.Errorf("IsDefault(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
}
