package schema

import "time"

// DateLayout is the layout of date attribute values.
const DateLayout = "2006-01-02"

// parseDate parses s as YYYY-MM-DD. ok is false when s does not have that
// shape; real is false when it has the shape but is no calendar date
// (2023-02-29, 2024-13-01).
func parseDate(s string) (t time.Time, ok, real bool) {
	if !isDateShape(s) {
		return time.Time{}, false, false
	}
	t, err := time.Parse(DateLayout, s)
	return t, true, err == nil
}

// isDateShape reports whether s is four digits, '-', two digits, '-', two
// digits.
func isDateShape(s string) bool {
	if len(s) != len(DateLayout) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if i == 4 || i == 7 {
			if s[i] != '-' {
				return false
			}
		} else if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isDate reports whether s is a real calendar date YYYY-MM-DD.
func isDate(s string) bool {
	_, _, real := parseDate(s)
	return real
}

// parseDatetime parses s as an RFC 3339 timestamp.
func parseDatetime(s string) (time.Time, bool) {
	// time.Parse accepts a fractional second even when the layout has none.
	t, err := time.Parse(time.RFC3339, s)
	return t, err == nil
}

// formatDatetime returns t in UTC as RFC 3339 text with as many fractional
// digits as needed.
func formatDatetime(t time.Time) string {
	return t.UTC().Format(time.RFC3339Nano)
}
