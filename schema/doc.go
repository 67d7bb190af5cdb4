// Package schema holds the rules of the attribute catalogue (SPEC §1 and
// §5): the default attributes, the rules for naming custom attributes
// (syntax, reserved names, near-duplicates), type inference and the
// validation and normalization of attribute values, from JSON and from CSV
// cells. Its functions are pure: they read no clock and no store.
package schema

import (
	"fmt"

	"github.com/kithcdp/kith"
)

// field returns the error field of the attribute name.
func field(name string) string {
	return "attributes." + name
}

// errorf returns an error about the attribute name.
func errorf(name, code, format string, args ...any) *kith.Error {
	return kith.FieldErrorf(field(name), code, format, args...)
}

// quote returns s quoted for a message, shortened when long so that a
// huge value never floods an error report.
func quote(s string) string {
	const max = 64
	r := []rune(s)
	if len(r) > max {
		return fmt.Sprintf("%q…", string(r[:max]))
	}
	return fmt.Sprintf("%q", s)
}
