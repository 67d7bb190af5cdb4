package schema

import "testing"

func TestCountryCodes(t *testing.T) {
	if n := len(countryCodes); n != 249 {
		t.Errorf("countryCodes has %d codes, want 249", n)
	}
	for c := range countryCodes {
		if len(c) != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z' {
			t.Errorf("bad code %q", c)
		}
	}
}

func TestIsCountryCode(t *testing.T) {
	for _, tc := range []struct {
		code string
		want bool
	}{
		{"PL", true},
		{"US", true},
		{"GB", true},
		{"AQ", true},
		{"SS", true},
		{"BQ", true},
		{"CW", true},
		{"SX", true},
		{"ZW", true},
		{"pl", false}, // callers upper-case first
		{"UK", false},
		{"EU", false},
		{"XK", false},
		{"AN", false}, // withdrawn
		{"YU", false}, // withdrawn
		{"ZZ", false},
		{"", false},
		{"POL", false},
	} {
		if got := IsCountryCode(tc.code); got != tc.want {
			t.Errorf("IsCountryCode(%q) = %v, want %v", tc.code, got, tc.want)
		}
	}
}
