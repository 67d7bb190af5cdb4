package storetest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/identity"
)

// eq reports a difference between got and want (reflect.DeepEqual).
func eq(t testing.TB, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

// jsonEq reports a difference between got and want compared as JSON, so
// that a float64 read back equals an int written, and []any a []string.
func jsonEq(t testing.TB, what string, got, want any) {
	t.Helper()
	if !sameJSON(got, want) {
		t.Errorf("%s = %s, want %s", what, mustJSON(got), mustJSON(want))
	}
}

func sameJSON(a, b any) bool {
	var x, y any
	if json.Unmarshal(mustJSON(a), &x) != nil || json.Unmarshal(mustJSON(b), &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

func mustJSON(v any) []byte {
	if r, ok := v.(json.RawMessage); ok {
		return r
	}
	b, err := json.Marshal(v)
	if err != nil {
		return []byte(fmt.Sprintf("%q", fmt.Sprint(v)))
	}
	return b
}

// wantCode checks that err carries the Kith error code code.
func wantCode(t testing.TB, what string, err error, code string) {
	t.Helper()
	if got := kith.ErrorCode(err); got != code {
		t.Errorf("%s: error %v (code %q), want code %q", what, err, got, code)
	}
}

// codes returns the codes of warnings, in order.
func codes(warnings []*kith.Error) []string {
	out := []string{}
	for _, w := range warnings {
		out = append(out, w.Code)
	}
	return out
}

// fields returns the fields of warnings, in order.
func fields(warnings []*kith.Error) []string {
	out := []string{}
	for _, w := range warnings {
		out = append(out, w.Field)
	}
	return out
}

// sorted returns a sorted copy of xs.
func sorted[T interface{ ~int64 | ~string }](xs []T) []T {
	out := slices.Clone(xs)
	slices.Sort(out)
	if out == nil {
		out = []T{}
	}
	return out
}

// list returns xs as a non-nil slice, for comparisons with sorted.
func list[T any](xs ...T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}

// wantResult checks the flags of a write's result.
func wantResult(t testing.TB, res *identity.Result, clientID int64, created, uuidConflict bool, merged ...int64) {
	t.Helper()
	if res.ClientID != clientID {
		t.Errorf("result clientId = %d, want %d", res.ClientID, clientID)
	}
	if res.Created != created {
		t.Errorf("result created = %v, want %v", res.Created, created)
	}
	if res.UUIDConflict != uuidConflict {
		t.Errorf("result uuidConflict = %v, want %v", res.UUIDConflict, uuidConflict)
	}
	eq(t, "result merged", sorted(res.Merged), sorted(merged))
}
