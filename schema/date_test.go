package schema

import (
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	for _, tc := range []struct {
		in           string
		shaped, real bool
	}{
		{"2024-02-29", true, true},
		{"2000-02-29", true, true},
		{"1900-02-28", true, true},
		{"2024-12-31", true, true},
		{"2023-02-29", true, false},
		{"1900-02-29", true, false},
		{"2024-02-30", true, false},
		{"2024-06-31", true, false},
		{"2024-13-01", true, false},
		{"2024-00-01", true, false},
		{"2024-01-00", true, false},
		{"2024-1-01", false, false},
		{"24-01-01", false, false},
		{"2024/01/01", false, false},
		{"2024-01-01 ", false, false},
		{"2024-01-0a", false, false},
		{"+024-01-01", false, false},
		{"", false, false},
	} {
		_, shaped, real := parseDate(tc.in)
		if shaped != tc.shaped || real != tc.real {
			t.Errorf("parseDate(%q) = %v, %v; want %v, %v", tc.in, shaped, real, tc.shaped, tc.real)
		}
	}
}

func TestParseDatetime(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // normalized, "" when invalid
	}{
		{"2026-11-28T10:00:00Z", "2026-11-28T10:00:00Z"},
		{"2026-11-28T10:00:00+00:00", "2026-11-28T10:00:00Z"},
		{"2026-11-28T01:00:00-09:30", "2026-11-28T10:30:00Z"},
		{"2026-11-28T10:00:00.5Z", "2026-11-28T10:00:00.5Z"},
		{"2026-12-31T23:30:00-01:00", "2027-01-01T00:30:00Z"},
		{"2026-11-28T10:00:00", ""},
		{"2026-11-28T10:00Z", ""},
		{"2026-11-28T25:00:00Z", ""},
		{"2026-11-28", ""},
		{"28 Nov 2026 10:00 UTC", ""},
		{"", ""},
	} {
		ts, ok := parseDatetime(tc.in)
		got := ""
		if ok {
			got = formatDatetime(ts)
		}
		if got != tc.want {
			t.Errorf("parseDatetime(%q) normalized = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := formatDatetime(time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("X", 3600))); got != "2026-01-02T02:04:05Z" {
		t.Errorf("formatDatetime = %q", got)
	}
}
