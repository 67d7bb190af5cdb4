package schema

import (
	"strings"
	"testing"
	"time"

	"github.com/kithcdp/kith"
)

// def returns the definition of the default attribute name.
func def(name string) kith.AttributeDef {
	for _, d := range Defaults() {
		if d.Name == name {
			return d
		}
	}
	panic("no default attribute " + name)
}

func TestNormalizeBirthDate(t *testing.T) {
	bd := def("birthDate")
	runNormalize(t, []normalizeCase{
		{def: bd, v: "1990-05-01", want: "1990-05-01"},
		{def: bd, v: " 1990-05-01 ", want: "1990-05-01"},
		{def: bd, v: "2024-02-29", want: "2024-02-29"},
		{def: bd, v: "1900-01-01", want: "1900-01-01"},
		{def: bd, v: "2026-11-28", want: "2026-11-28"}, // born today
		{def: bd, v: "2023-02-29", code: kith.ECodeInvalidBirthDate, msg: "not a real calendar date"},
		{def: bd, v: "1990-04-31", code: kith.ECodeInvalidBirthDate, msg: "not a real calendar date"},
		{def: bd, v: "2026-11-30", code: kith.ECodeInvalidBirthDate, msg: "in the future"},
		{def: bd, v: "2027-01-01", code: kith.ECodeInvalidBirthDate, msg: "in the future"},
		{def: bd, v: "1899-12-31", code: kith.ECodeInvalidBirthDate, msg: "before 1900-01-01"},
		{def: bd, v: "0001-01-01", code: kith.ECodeInvalidBirthDate},
		{def: bd, v: "01/05/1990", code: kith.ECodeInvalidBirthDate, msg: "expected YYYY-MM-DD"},
		{def: bd, v: "1990-05-01T00:00:00Z", code: kith.ECodeInvalidBirthDate},
		{def: bd, v: "", code: kith.ECodeInvalidAttribute, msg: "empty"},
		{def: bd, v: 19900501.0, code: kith.ECodeAttrTypeMismatch, msg: "expected date"},
		{def: bd, v: nil, code: kith.ECodeAttrNull},
	})
}

// TestNormalizeBirthDateToday checks that today is the date of now in
// now's own location.
func TestNormalizeBirthDateToday(t *testing.T) {
	plus5 := time.FixedZone("UTC+5", 5*3600)
	for _, tc := range []struct {
		now  time.Time
		date string
		ok   bool
	}{
		{time.Date(2026, 11, 28, 23, 59, 0, 0, time.UTC), "2026-11-28", true},
		{time.Date(2026, 11, 28, 23, 59, 0, 0, time.UTC), "2026-11-29", false},
		{time.Date(2026, 11, 29, 1, 0, 0, 0, plus5), "2026-11-29", true},
		{time.Date(2026, 11, 29, 1, 0, 0, 0, plus5).UTC(), "2026-11-29", false},
	} {
		_, err := Normalize(def("birthDate"), tc.date, tc.now)
		if (err == nil) != tc.ok {
			t.Errorf("Normalize(birthDate=%s) at %v: error %v, want ok=%v", tc.date, tc.now, err, tc.ok)
		}
	}
}

func TestNormalizePhone(t *testing.T) {
	ph := def("phone")
	runNormalize(t, []normalizeCase{
		{def: ph, v: "+48 600 700 800", want: "+48600700800"},
		{def: ph, v: "+48600700800", want: "+48600700800"},
		{def: ph, v: "0048 600-700-800", want: "+48600700800"},
		{def: ph, v: "  +48 (600) 700 800 ", want: "+48600700800"},
		{def: ph, v: "+1 (212) 555-0100", want: "+12125550100"},
		{def: ph, v: "+1.212.555.0100", want: "+12125550100"},
		{def: ph, v: "+44 20 7946 0958", want: "+442079460958"},
		{def: ph, v: "+49 30 901820", want: "+4930901820"},
		{def: ph, v: "600700800", code: kith.ECodeInvalidPhone, msg: `does not start with "+" or "00"`},
		{def: ph, v: "(600) 700 800", code: kith.ECodeInvalidPhone},
		{def: ph, v: "0600700800", code: kith.ECodeInvalidPhone},
		{def: ph, v: "+48 600 700", code: kith.ECodeInvalidPhone, msg: "not a valid phone number"},
		{def: ph, v: "+999 600 700 800", code: kith.ECodeInvalidPhone},
		{def: ph, v: "+1 800 FLOWERS", code: kith.ECodeInvalidPhone, msg: `contains "F"`},
		{def: ph, v: "+48 600 700 800 ext. 12", code: kith.ECodeInvalidPhone},
		{def: ph, v: "+48/600/700/800", code: kith.ECodeInvalidPhone},
		{def: ph, v: "+", code: kith.ECodeInvalidPhone, msg: "no digits"},
		{def: ph, v: "+ - ()", code: kith.ECodeInvalidPhone, msg: "no digits"},
		{def: ph, v: "++48600700800", code: kith.ECodeInvalidPhone},
		{def: ph, v: "", code: kith.ECodeInvalidAttribute},
		{def: ph, v: 48600700800.0, code: kith.ECodeAttrTypeMismatch, msg: "expected string, got number"},
	})
}

func TestNormalizeCountryCode(t *testing.T) {
	cc := def("countryCode")
	runNormalize(t, []normalizeCase{
		{def: cc, v: "PL", want: "PL"},
		{def: cc, v: "pl", want: "PL"},
		{def: cc, v: " De ", want: "DE"},
		{def: cc, v: "GB", want: "GB"},
		{def: cc, v: "AX", want: "AX"},
		{def: cc, v: "UK", code: kith.ECodeInvalidCountryCode, msg: "ISO 3166-1 alpha-2"},
		{def: cc, v: "EU", code: kith.ECodeInvalidCountryCode},
		{def: cc, v: "XK", code: kith.ECodeInvalidCountryCode},
		{def: cc, v: "ZZ", code: kith.ECodeInvalidCountryCode},
		{def: cc, v: "POL", code: kith.ECodeInvalidCountryCode},
		{def: cc, v: "Poland", code: kith.ECodeInvalidCountryCode},
		{def: cc, v: "P", code: kith.ECodeInvalidCountryCode},
		{def: cc, v: "1A", code: kith.ECodeInvalidCountryCode},
		{def: cc, v: "", code: kith.ECodeInvalidAttribute},
		{def: cc, v: true, code: kith.ECodeAttrTypeMismatch},
	})
}

func TestNormalizeSex(t *testing.T) {
	sex := def("sex")
	runNormalize(t, []normalizeCase{
		{def: sex, v: "FEMALE", want: "FEMALE"},
		{def: sex, v: "male", want: "MALE"},
		{def: sex, v: "Other", want: "OTHER"},
		{def: sex, v: "not_specified", want: "NOT_SPECIFIED"},
		{def: sex, v: " MALE ", want: "MALE"},
		{def: sex, v: "M", code: kith.ECodeInvalidSex, msg: "FEMALE, MALE, OTHER or NOT_SPECIFIED"},
		{def: sex, v: "not specified", code: kith.ECodeInvalidSex},
		{def: sex, v: "", code: kith.ECodeInvalidAttribute},
		{def: sex, v: 1.0, code: kith.ECodeAttrTypeMismatch},
	})
}

func TestNormalizeAvatarURL(t *testing.T) {
	av := def("avatarUrl")
	runNormalize(t, []normalizeCase{
		{def: av, v: "https://example.com/ada.png", want: "https://example.com/ada.png"},
		{def: av, v: "http://example.com:8080/a?b=c#d", want: "http://example.com:8080/a?b=c#d"},
		{def: av, v: " HTTPS://EXAMPLE.COM/A.PNG ", want: "HTTPS://EXAMPLE.COM/A.PNG"},
		{def: av, v: "ftp://example.com/ada.png", code: kith.ECodeInvalidAttribute, msg: "absolute http(s) URL"},
		{def: av, v: "/ada.png", code: kith.ECodeInvalidAttribute},
		{def: av, v: "example.com/ada.png", code: kith.ECodeInvalidAttribute},
		{def: av, v: "https:///ada.png", code: kith.ECodeInvalidAttribute},
		{def: av, v: "javascript:alert(1)", code: kith.ECodeInvalidAttribute},
		{def: av, v: "https://exa mple.com/", code: kith.ECodeInvalidAttribute},
		{def: av, v: "https://" + strings.Repeat("a", 4090), code: kith.ECodeInvalidAttribute, msg: "4098 characters"},
		{def: av, v: "", code: kith.ECodeInvalidAttribute},
	})
}

func TestNormalizeDefaultStrings(t *testing.T) {
	var cases []normalizeCase
	for _, name := range []string{"firstName", "lastName", "displayName", "company",
		"address", "city", "province", "zipCode"} {
		d := def(name)
		cases = append(cases,
			normalizeCase{def: d, v: "Ada", want: "Ada"},
			normalizeCase{def: d, v: "  Łódź  ", want: "Łódź"},
			normalizeCase{def: d, v: strings.Repeat("x", 4096), want: strings.Repeat("x", 4096)},
			normalizeCase{def: d, v: strings.Repeat("x", 4097), code: kith.ECodeInvalidAttribute, msg: "at most 4096"},
			normalizeCase{def: d, v: "", code: kith.ECodeInvalidAttribute, msg: "empty"},
			normalizeCase{def: d, v: " \t\n", code: kith.ECodeInvalidAttribute, msg: "empty"},
			normalizeCase{def: d, v: "A\x00", code: kith.ECodeInvalidAttribute, msg: "NUL"},
			normalizeCase{def: d, v: "\xc3", code: kith.ECodeInvalidAttribute, msg: "UTF-8"},
			normalizeCase{def: d, v: 1.0, code: kith.ECodeAttrTypeMismatch, msg: "expected string"},
			normalizeCase{def: d, v: []any{"Ada"}, code: kith.ECodeAttrTypeMismatch},
			normalizeCase{def: d, v: nil, code: kith.ECodeAttrNull},
		)
	}
	cases = append(cases, normalizeCase{def: def("zipCode"), v: "00-950", want: "00-950"})
	runNormalize(t, cases)
}

// TestNormalizeDefaultByName checks that the default rules follow the
// name, whatever the definition passed says.
func TestNormalizeDefaultByName(t *testing.T) {
	_, err := Normalize(kith.AttributeDef{Name: "phone", Type: kith.TypeString}, "600700800", now)
	if err == nil || err.Code != kith.ECodeInvalidPhone {
		t.Errorf("Normalize(phone without Default) error = %v, want %s", err, kith.ECodeInvalidPhone)
	}
}
