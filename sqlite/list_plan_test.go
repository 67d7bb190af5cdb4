package sqlite

import (
	"strings"
	"testing"

	"github.com/kithcdp/kith"
)

// TestListQueriesUseIndexes guards the plans of the profile list: the
// search statements read their covering index alone, and the scans walk
// an index in clientId order without sorting.
func TestListQueriesUseIndexes(t *testing.T) {
	s := OpenTest(t)
	type plan struct {
		name, query string
		args        []any
		want        string // a step the plan must have
	}
	var plans []plan
	for _, q := range searchSources {
		plans = append(plans, plan{"search", q, []any{1, "a", "b"}, "COVERING INDEX"}, plan{"probe", probe(q), []any{1, "a", "b", 10}, "COVERING INDEX"})
	}
	plans = append(plans, plan{"uuid", searchUUIDs, []any{1, "a", "b"}, "uuid>? AND uuid<?"})
	anon, s1 := true, newSearch("ada")
	for _, f := range []kith.ProfileFilter{
		{}, {Before: 10}, {Anonymous: &anon}, {Tag: "vip"}, {Tag: "vip", Anonymous: &anon, Before: 5},
	} {
		for _, srch := range []*search{nil, s1, newSearch("12")} {
			q := scanQuery(1, f, srch)
			plans = append(plans, plan{"scan", q.sql.String(), q.args, "USING"})
		}
		q := filterQuery(1, f, "[1,2]")
		plans = append(plans, plan{"filter", q.sql.String(), q.args, "USING"})
	}
	for _, p := range plans {
		steps := explain(t, s, p.query, p.args...)
		all := strings.Join(steps, " | ")
		// The filter's IN list is a json_each table scanned on purpose.
		for _, step := range steps {
			if strings.HasPrefix(step, "SCAN ") && !strings.Contains(step, "json_each") || strings.Contains(step, "TEMP B-TREE") &&
				!(p.name == "filter" && strings.Contains(step, "ORDER BY")) {
				t.Errorf("%s: plan %s\n%s", p.name, all, p.query)
			}
		}
		if !strings.Contains(all, p.want) {
			t.Errorf("%s: plan %s lacks %q", p.name, all, p.want)
		}
	}
}
