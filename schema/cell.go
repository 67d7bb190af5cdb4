package schema

import (
	"math"
	"strconv"
	"strings"

	"github.com/kithcdp/kith"
)

// maxExactDigits is the number of significant digits a float64 holds
// exactly; longer digit strings (card numbers, long ids) would be rounded.
const maxExactDigits = 15

// ParseBool parses the CSV spelling of a boolean: true, false, 1, 0, yes or
// no, in any case and surrounded by any space. ok is false for anything
// else.
func ParseBool(s string) (value, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1", "yes":
		return true, true
	case "false", "0", "no":
		return false, true
	}
	return false, false
}

// InferCellType returns the type of a new custom attribute defined by a CSV
// column whose first non-empty cell is cell (SPEC §5): true or false in any
// case is a boolean, a plain decimal number without a leading zero ("42",
// "-3.5", "0", "0.5", "1e3"; not "007", "+1", ".5" or "1,5") is a number, a
// real calendar date YYYY-MM-DD is a date, and anything else is a string.
// A number with more than 15 significant digits is a string, since a
// float64 would round it: such columns hold ids, not quantities.
func InferCellType(cell string) string {
	s := strings.TrimSpace(cell)
	switch {
	case strings.EqualFold(s, "true") || strings.EqualFold(s, "false"):
		return kith.TypeBoolean
	case isPlainNumber(s):
		return kith.TypeNumber
	case isDate(s):
		return kith.TypeDate
	}
	return kith.TypeString
}

// isPlainNumber reports whether s is an optional '-', an integer part
// without a leading zero, an optional fraction and an optional exponent,
// with at most maxExactDigits significant digits.
func isPlainNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	start := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	intPart := s[start:i]
	if intPart == "" || len(intPart) > 1 && intPart[0] == '0' {
		return false
	}
	digits := strings.TrimLeft(intPart, "0")
	if i < len(s) && s[i] == '.' {
		i++
		start = i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if i == start {
			return false
		}
		digits += s[start:i]
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		start = i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if i == start {
			return false
		}
	}
	digits = strings.Trim(digits, "0")
	return i == len(s) && len(digits) <= maxExactDigits
}

// isDigit reports whether c is an ASCII digit.
func isDigit(c byte) bool {
	return c >= '0' && c <= '9'
}

// ParseCell converts the CSV cell to a value of the attribute type typ,
// ready for Normalize: a bool for boolean (ParseBool), a float64 for number
// (strconv.ParseFloat, finite), YYYY-MM-DD text for date, RFC 3339 text for
// datetime, a []string for list (split on ';' or '|', items trimmed, empty
// ones dropped) and the cell as is for string. Except for strings, the
// cell is trimmed first. It returns ECodeAttrTypeMismatch when the cell is
// not of type typ; the error has no Field, since only the caller knows the
// column. Callers skip empty cells, which mean "no value given".
func ParseCell(typ, cell string) (any, *kith.Error) {
	if typ == kith.TypeString {
		return cell, nil
	}
	s := strings.TrimSpace(cell)
	bad := func(want string) *kith.Error {
		return kith.Errorf(kith.ECodeAttrTypeMismatch, "expected %s, got %s", want, quote(cell))
	}
	switch typ {
	case kith.TypeBoolean:
		b, ok := ParseBool(s)
		if !ok {
			return nil, bad("boolean (true, false, 1, 0, yes or no)")
		}
		return b, nil
	case kith.TypeNumber:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, bad("a finite number")
		}
		return f, nil
	case kith.TypeDate:
		if !isDate(s) {
			return nil, bad("date (YYYY-MM-DD, a real calendar date)")
		}
		return s, nil
	case kith.TypeDatetime:
		if !isDatetime(s) {
			return nil, bad("datetime (RFC 3339, e.g. 2026-11-28T10:00:00Z)")
		}
		return s, nil
	case kith.TypeList:
		items := []string{}
		for _, item := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '|' }) {
			if item = strings.TrimSpace(item); item != "" {
				items = append(items, item)
			}
		}
		return items, nil
	}
	return nil, kith.Errorf(kith.ECodeInvalidAttribute, "unknown attribute type %q", typ)
}
