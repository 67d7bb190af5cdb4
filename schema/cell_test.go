package schema

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/kithcdp/kith"
)

func TestParseBool(t *testing.T) {
	for _, tc := range []struct {
		in        string
		value, ok bool
	}{
		{"true", true, true},
		{"TRUE", true, true},
		{"True", true, true},
		{"1", true, true},
		{"yes", true, true},
		{"YES", true, true},
		{" yes ", true, true},
		{"false", false, true},
		{"False", false, true},
		{"0", false, true},
		{"no", false, true},
		{"No", false, true},
		{"", false, false},
		{"y", false, false},
		{"n", false, false},
		{"on", false, false},
		{"2", false, false},
		{"01", false, false},
		{"t", false, false},
		{"truee", false, false},
	} {
		value, ok := ParseBool(tc.in)
		if value != tc.value || ok != tc.ok {
			t.Errorf("ParseBool(%q) = %v, %v; want %v, %v", tc.in, value, ok, tc.value, tc.ok)
		}
	}
}

func TestInferCellType(t *testing.T) {
	for _, tc := range []struct{ cell, want string }{
		{"true", kith.TypeBoolean},
		{"FALSE", kith.TypeBoolean},
		{"True", kith.TypeBoolean},
		{" true ", kith.TypeBoolean},
		{"yes", kith.TypeString},
		{"1", kith.TypeNumber},
		{"0", kith.TypeNumber},
		{"42", kith.TypeNumber},
		{"-3.5", kith.TypeNumber},
		{"0.5", kith.TypeNumber},
		{"-0.5", kith.TypeNumber},
		{"10.00", kith.TypeNumber},
		{"1e3", kith.TypeNumber},
		{"2.5E-3", kith.TypeNumber},
		{"123456789012345", kith.TypeNumber},
		{"1000000000000000000000", kith.TypeNumber},
		{"1234567890123456", kith.TypeString},
		{"4111111111111111", kith.TypeString},
		{"0.1234567890123456", kith.TypeString},
		{"007", kith.TypeString},
		{"00", kith.TypeString},
		{"-01", kith.TypeString},
		{"+1", kith.TypeString},
		{".5", kith.TypeString},
		{"5.", kith.TypeString},
		{"1,5", kith.TypeString},
		{"1 000", kith.TypeString},
		{"1e", kith.TypeString},
		{"-", kith.TypeString},
		{"NaN", kith.TypeString},
		{"Inf", kith.TypeString},
		{"0x1F", kith.TypeString},
		{"2024-02-29", kith.TypeDate},
		{"1990-05-01", kith.TypeDate},
		{"2023-02-29", kith.TypeString},
		{"2024-1-1", kith.TypeString},
		{"2026-11-28T10:00:00Z", kith.TypeString},
		{"Ada", kith.TypeString},
		{"", kith.TypeString},
	} {
		if got := InferCellType(tc.cell); got != tc.want {
			t.Errorf("InferCellType(%q) = %q, want %q", tc.cell, got, tc.want)
		}
	}
}

func TestParseCell(t *testing.T) {
	for _, tc := range []struct {
		typ, cell string
		want      any
		code      string
	}{
		{kith.TypeString, "  Ada ", "  Ada ", ""},
		{kith.TypeString, "", "", ""},
		{kith.TypeString, "007", "007", ""},

		{kith.TypeBoolean, "true", true, ""},
		{kith.TypeBoolean, "No", false, ""},
		{kith.TypeBoolean, " 1 ", true, ""},
		{kith.TypeBoolean, "0", false, ""},
		{kith.TypeBoolean, "maybe", nil, kith.ECodeAttrTypeMismatch},
		{kith.TypeBoolean, "", nil, kith.ECodeAttrTypeMismatch},

		{kith.TypeNumber, "42", 42.0, ""},
		{kith.TypeNumber, "-3.5", -3.5, ""},
		{kith.TypeNumber, "007", 7.0, ""},
		{kith.TypeNumber, "+1", 1.0, ""},
		{kith.TypeNumber, " 1e3 ", 1000.0, ""},
		{kith.TypeNumber, ".5", 0.5, ""},
		{kith.TypeNumber, "1,5", nil, kith.ECodeAttrTypeMismatch},
		{kith.TypeNumber, "abc", nil, kith.ECodeAttrTypeMismatch},
		{kith.TypeNumber, "NaN", nil, kith.ECodeAttrTypeMismatch},
		{kith.TypeNumber, "Inf", nil, kith.ECodeAttrTypeMismatch},
		{kith.TypeNumber, "-infinity", nil, kith.ECodeAttrTypeMismatch},
		{kith.TypeNumber, "1e400", nil, kith.ECodeAttrTypeMismatch},
		{kith.TypeNumber, "", nil, kith.ECodeAttrTypeMismatch},

		{kith.TypeDate, "2024-02-29", "2024-02-29", ""},
		{kith.TypeDate, " 2024-02-29 ", "2024-02-29", ""},
		{kith.TypeDate, "2023-02-29", nil, kith.ECodeAttrTypeMismatch},
		{kith.TypeDate, "29.02.2024", nil, kith.ECodeAttrTypeMismatch},
		{kith.TypeDate, "2024-02-29T00:00:00Z", nil, kith.ECodeAttrTypeMismatch},

		{kith.TypeDatetime, "2026-11-28T10:00:00Z", "2026-11-28T10:00:00Z", ""},
		{kith.TypeDatetime, "2026-11-28T12:00:00+02:00", "2026-11-28T12:00:00+02:00", ""},
		{kith.TypeDatetime, "2026-11-28", nil, kith.ECodeAttrTypeMismatch},
		{kith.TypeDatetime, "2026-11-28 10:00", nil, kith.ECodeAttrTypeMismatch},

		{kith.TypeList, "a;b|c", []string{"a", "b", "c"}, ""},
		{kith.TypeList, " a ; ;b || c ;", []string{"a", "b", "c"}, ""},
		{kith.TypeList, "one item", []string{"one item"}, ""},
		{kith.TypeList, "a,b", []string{"a,b"}, ""},
		{kith.TypeList, ";|", []string{}, ""},

		{"blob", "x", nil, kith.ECodeInvalidAttribute},
	} {
		got, err := ParseCell(tc.typ, tc.cell)
		if tc.code == "" {
			if err != nil {
				t.Errorf("ParseCell(%s, %q) error %v", tc.typ, tc.cell, err)
			} else if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ParseCell(%s, %q) = %#v, want %#v", tc.typ, tc.cell, got, tc.want)
			}
			continue
		}
		if err == nil || err.Code != tc.code {
			t.Errorf("ParseCell(%s, %q) = %#v, %v; want code %s", tc.typ, tc.cell, got, err, tc.code)
			continue
		}
		if got != nil {
			t.Errorf("ParseCell(%s, %q) = %#v with an error", tc.typ, tc.cell, got)
		}
		if !strings.Contains(err.Message, "expected") && tc.code == kith.ECodeAttrTypeMismatch {
			t.Errorf("ParseCell(%s, %q) message %q does not say what is expected", tc.typ, tc.cell, err.Message)
		}
	}
}

// TestParseCellThenNormalize checks that every parsed cell is accepted by
// Normalize for its type, and that inference and parsing agree.
func TestParseCellThenNormalize(t *testing.T) {
	for _, cell := range []string{"true", "FALSE", "42", "-3.5", "0", "1e3", "2024-02-29", "Ada", "007"} {
		typ := InferCellType(cell)
		v, err := ParseCell(typ, cell)
		if err != nil {
			t.Errorf("ParseCell(%s, %q) after inference: %v", typ, cell, err)
			continue
		}
		if _, err := Normalize(custom("x", typ), v, now); err != nil {
			t.Errorf("Normalize(%s, %#v): %v", typ, v, err)
		}
	}
	for typ, cell := range map[string]string{
		kith.TypeDatetime: "2026-11-28T12:00:00+02:00",
		kith.TypeList:     "a;b",
	} {
		v, err := ParseCell(typ, cell)
		if err != nil {
			t.Fatalf("ParseCell(%s, %q): %v", typ, cell, err)
		}
		if _, err := Normalize(custom("x", typ), v, now); err != nil {
			t.Errorf("Normalize(%s, %#v): %v", typ, v, err)
		}
	}
	if v, _ := ParseCell(kith.TypeNumber, "1e308"); v != 1e308 || math.IsInf(v.(float64), 0) {
		t.Errorf("ParseCell(number, 1e308) = %v", v)
	}
}
