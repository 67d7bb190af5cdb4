package schema

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kithcdp/kith"
)

// now is the fixed clock of the tests.
var now = time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)

func TestInferType(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want string // a type, or an error code
	}{
		{"hello", kith.TypeString},
		{"", kith.TypeString},
		{"2024-02-29", kith.TypeDate},
		{"2023-02-29", kith.TypeString},
		{"2024-13-01", kith.TypeString},
		{"2024-1-01", kith.TypeString},
		{"2026-11-28T10:00:00Z", kith.TypeDatetime},
		{"2026-11-28T10:00:00.123+02:00", kith.TypeDatetime},
		{"2026-11-28T10:00:00", kith.TypeString},
		{"2026-11-28 10:00:00Z", kith.TypeString},
		{"42", kith.TypeString},
		{"true", kith.TypeString},
		{float64(42), kith.TypeNumber},
		{float64(-0.5), kith.TypeNumber},
		{json.Number("42"), kith.TypeNumber},
		{json.Number("1e400"), kith.TypeNumber},
		{7, kith.TypeNumber},
		{int64(7), kith.TypeNumber},
		{true, kith.TypeBoolean},
		{false, kith.TypeBoolean},
		{[]any{"a", "b"}, kith.TypeList},
		{[]any{}, kith.TypeList},
		{[]string{"a"}, kith.TypeList},
		{nil, kith.ECodeAttrNull},
		{map[string]any{"a": "b"}, kith.ECodeInvalidAttribute},
		{[]any{"a", 1.0}, kith.ECodeInvalidAttribute},
		{[]any{nil}, kith.ECodeInvalidAttribute},
		{[]any{[]any{"a"}}, kith.ECodeInvalidAttribute},
		{struct{}{}, kith.ECodeInvalidAttribute},
	} {
		typ, err := InferType("x", tc.v)
		got := typ
		if err != nil {
			got = err.Code
			if err.Field != "attributes.x" {
				t.Errorf("InferType(%#v).Field = %q", tc.v, err.Field)
			}
			if typ != "" {
				t.Errorf("InferType(%#v) = %q with an error", tc.v, typ)
			}
		}
		if got != tc.want {
			t.Errorf("InferType(%#v) = %q, want %q (%v)", tc.v, got, tc.want, err)
		}
	}
}

// normalizeCase is one Normalize test: want is the stored value, or code
// the expected error code with msg a substring of its message.
type normalizeCase struct {
	def  kith.AttributeDef
	v    any
	want any
	code string
	msg  string
}

func custom(name, typ string) kith.AttributeDef {
	return kith.AttributeDef{Name: name, Type: typ}
}

func TestNormalizeCustom(t *testing.T) {
	str := custom("nick", kith.TypeString)
	num := custom("points", kith.TypeNumber)
	boo := custom("ClubMember", kith.TypeBoolean)
	date := custom("joined", kith.TypeDate)
	dt := custom("lastOrderAt", kith.TypeDatetime)
	list := custom("interests", kith.TypeList)
	runNormalize(t, []normalizeCase{
		// Null, for every type.
		{def: str, v: nil, code: kith.ECodeAttrNull, msg: "null cannot be written; attributes can't be removed"},
		{def: num, v: nil, code: kith.ECodeAttrNull},
		{def: list, v: nil, code: kith.ECodeAttrNull},

		// string
		{def: str, v: "Ada", want: "Ada"},
		{def: str, v: "", want: ""},
		{def: str, v: "  spaced  ", want: "  spaced  "},
		{def: str, v: "zażółć 🙂", want: "zażółć 🙂"},
		{def: str, v: strings.Repeat("ż", 4096), want: strings.Repeat("ż", 4096)},
		{def: str, v: strings.Repeat("x", 4097), code: kith.ECodeInvalidAttribute, msg: "4097 characters"},
		{def: str, v: "a\x00b", code: kith.ECodeInvalidAttribute, msg: "NUL"},
		{def: str, v: "a\xffb", code: kith.ECodeInvalidAttribute, msg: "UTF-8"},
		{def: str, v: 42.0, code: kith.ECodeAttrTypeMismatch, msg: "expected string, got number"},
		{def: str, v: true, code: kith.ECodeAttrTypeMismatch, msg: "got boolean"},
		{def: str, v: []any{"a"}, code: kith.ECodeAttrTypeMismatch, msg: "got list"},
		{def: str, v: map[string]any{}, code: kith.ECodeAttrTypeMismatch, msg: "got object"},

		// number
		{def: num, v: 42.0, want: 42.0},
		{def: num, v: -0.5, want: -0.5},
		{def: num, v: json.Number("12.5"), want: 12.5},
		{def: num, v: 7, want: 7.0},
		{def: num, v: int64(-7), want: -7.0},
		{def: num, v: uint8(7), want: 7.0},
		{def: num, v: float32(0.5), want: 0.5},
		{def: num, v: math.Inf(1), code: kith.ECodeInvalidAttribute, msg: "finite"},
		{def: num, v: math.NaN(), code: kith.ECodeInvalidAttribute, msg: "finite"},
		{def: num, v: json.Number("1e400"), code: kith.ECodeInvalidAttribute, msg: "finite"},
		{def: num, v: "42", code: kith.ECodeAttrTypeMismatch, msg: `expected number, got string "42"`},
		{def: num, v: true, code: kith.ECodeAttrTypeMismatch},

		// boolean
		{def: boo, v: true, want: true},
		{def: boo, v: false, want: false},
		{def: boo, v: "true", code: kith.ECodeAttrTypeMismatch, msg: "expected boolean"},
		{def: boo, v: 1.0, code: kith.ECodeAttrTypeMismatch, msg: "got number"},

		// date
		{def: date, v: "2024-02-29", want: "2024-02-29"},
		{def: date, v: "0001-01-01", want: "0001-01-01"},
		{def: date, v: "2999-12-31", want: "2999-12-31"},
		{def: date, v: "2023-02-29", code: kith.ECodeInvalidAttribute, msg: "not a real calendar date"},
		{def: date, v: "2024-04-31", code: kith.ECodeInvalidAttribute},
		{def: date, v: "2024-00-10", code: kith.ECodeInvalidAttribute},
		{def: date, v: "2024-2-9", code: kith.ECodeAttrTypeMismatch, msg: "YYYY-MM-DD"},
		{def: date, v: "2024-02-29T00:00:00Z", code: kith.ECodeAttrTypeMismatch},
		{def: date, v: " 2024-02-29", code: kith.ECodeAttrTypeMismatch},
		{def: date, v: "yesterday", code: kith.ECodeAttrTypeMismatch},
		{def: date, v: 20240229.0, code: kith.ECodeAttrTypeMismatch, msg: "got number"},

		// datetime
		{def: dt, v: "2026-11-28T10:00:00Z", want: "2026-11-28T10:00:00Z"},
		{def: dt, v: "2026-11-28T12:30:00+02:00", want: "2026-11-28T10:30:00Z"},
		{def: dt, v: "2026-11-28T10:00:00.120-01:00", want: "2026-11-28T11:00:00.12Z"},
		{def: dt, v: "2026-11-28T10:00:00.123456789Z", want: "2026-11-28T10:00:00.123456789Z"},
		{def: dt, v: "2026-11-28T10:00:00", code: kith.ECodeAttrTypeMismatch, msg: "RFC 3339"},
		{def: dt, v: "2026-11-28", code: kith.ECodeAttrTypeMismatch},
		{def: dt, v: "2026-02-30T10:00:00Z", code: kith.ECodeAttrTypeMismatch},
		{def: dt, v: 1764324000.0, code: kith.ECodeAttrTypeMismatch, msg: "got number"},

		// list
		{def: list, v: []any{"a", "b"}, want: []string{"a", "b"}},
		{def: list, v: []any{}, want: []string{}},
		{def: list, v: []string{"x"}, want: []string{"x"}},
		{def: list, v: anyList(100, "i"), want: stringList(100, "i")},
		{def: list, v: anyList(101, "i"), code: kith.ECodeInvalidAttribute, msg: "101 items"},
		{def: list, v: []any{strings.Repeat("x", 1024)}, want: []string{strings.Repeat("x", 1024)}},
		{def: list, v: []any{"a", strings.Repeat("x", 1025)}, code: kith.ECodeInvalidAttribute, msg: "item 2"},
		{def: list, v: []any{"a\x00"}, code: kith.ECodeInvalidAttribute, msg: "NUL"},
		{def: list, v: []any{"a", 1.0}, code: kith.ECodeAttrTypeMismatch, msg: "item 2 is number"},
		{def: list, v: []any{nil}, code: kith.ECodeAttrTypeMismatch, msg: "null"},
		{def: list, v: "a;b", code: kith.ECodeAttrTypeMismatch, msg: "expected list of strings"},

		// A broken catalogue entry.
		{def: custom("odd", "blob"), v: "x", code: kith.ECodeInvalidAttribute, msg: "unknown type"},
	})
}

func anyList(n int, s string) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = s
	}
	return out
}

func stringList(n int, s string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

func runNormalize(t *testing.T, cases []normalizeCase) {
	t.Helper()
	for _, tc := range cases {
		got, err := Normalize(tc.def, tc.v, now)
		name := tc.def.Name + "=" + shortValue(tc.v)
		if tc.code == "" {
			if err != nil {
				t.Errorf("Normalize(%s) error %v (%s)", name, err, err.Code)
			} else if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Normalize(%s) = %#v, want %#v", name, got, tc.want)
			}
			continue
		}
		if err == nil {
			t.Errorf("Normalize(%s) = %#v, want error %s", name, got, tc.code)
			continue
		}
		if got != nil {
			t.Errorf("Normalize(%s) = %#v with an error", name, got)
		}
		if err.Code != tc.code {
			t.Errorf("Normalize(%s).Code = %s, want %s (%v)", name, err.Code, tc.code, err)
		}
		if err.Field != "attributes."+tc.def.Name {
			t.Errorf("Normalize(%s).Field = %q", name, err.Field)
		}
		if !strings.Contains(err.Message, tc.msg) {
			t.Errorf("Normalize(%s).Message = %q, want it to contain %q", name, err.Message, tc.msg)
		}
	}
}

// shortValue describes v for a test name.
func shortValue(v any) string {
	s := fmt.Sprintf("%#v", v)
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return s
}
