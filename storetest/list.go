package storetest

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/identity"
)

// listTests check the profile list: filters, search, paging and counts.
var listTests = []testCase{
	{"List_filters_search_paging", emailMode, testListFilters},
	{"List_customId_mode", customMode, testListCustomMode},
	{"List_search_many_matches", emailMode, testListManyMatches},
	{"List_stats_follow_every_change", bothModes, testStats},
	{"List_stats_follow_an_identity_mode_switch", emailMode, testStatsModeSwitch},
}

// desc returns ids sorted newest first, never nil.
func desc(ids ...int64) []int64 {
	out := sorted(ids)
	slices.Reverse(out)
	return out
}

// walk reads every page of f with pages of size n, following the cursor
// as the API does, and returns the clientIds in order.
func walk(t testing.TB, st kith.Store, ws *kith.Workspace, f kith.ProfileFilter, n int) []int64 {
	t.Helper()
	out := []int64{}
	f.Limit = n
	for range 100000 {
		got := listIDs(t, st, ws, f)
		if len(got) > n {
			t.Fatalf("a page of %d profiles, limit %d", len(got), n)
		}
		out = append(out, got...)
		if len(got) < n {
			return out
		}
		f.Before = got[len(got)-1]
	}
	t.Fatal("paging does not end")
	return nil
}

func testListFilters(t *testing.T, st kith.Store, ws *kith.Workspace) {
	u3 := "abcdef01-2345-4678-9abc-" + newUUID()[24:]
	p1 := mustApply(t, st, ws, upsert(ids(email("ada.lovelace@example.com"), custom("LOY-Ada-1")),
		attr("firstName", "Ada"), attr("lastName", "Lovelace"), tags("vip"))).ClientID
	p2 := mustApply(t, st, ws, upsert(email("bob@example.com"), attr("firstName", "Łukasz"),
		attr("lastName", "Żółć"), attr("displayName", "Luke"))).ClientID
	p3 := mustApply(t, st, ws, ev(kith.ActionPageVisit, browser(u3), tags("vip"))).ClientID
	p4 := mustApply(t, st, ws, ev(kith.ActionPageVisit, browser(newUUID()), attr("firstName", "Adam"))).ClientID
	p5 := mustApply(t, st, ws, upsert(ids(email("ADAM@example.com"), custom("adm-5")))).ClientID
	a6 := mustApply(t, st, ws, ev(kith.ActionPageVisit, browser(newUUID()))).ClientID
	mustMerge(t, st, ws, p1, a6)
	other := createWorkspace(t, st, kith.ModeEmail)
	mustApply(t, st, other, upsert(email("ada@example.org"), attr("firstName", "Ada"), tags("vip")))

	all := desc(p1, p2, p3, p4, p5)
	for _, c := range []struct {
		name string
		f    kith.ProfileFilter
		want []int64
	}{
		{"all", kith.ProfileFilter{}, all},
		{"anonymous", kith.ProfileFilter{Anonymous: boolRef(true)}, desc(p3, p4)},
		{"recognized", kith.ProfileFilter{Anonymous: boolRef(false)}, desc(p1, p2, p5)},
		{"tag", kith.ProfileFilter{Tag: "vip"}, desc(p1, p3)},
		{"tag and anonymous", kith.ProfileFilter{Tag: "vip", Anonymous: boolRef(true)}, desc(p3)},
		{"unknown tag", kith.ProfileFilter{Tag: "nope"}, desc()},
		{"email, name prefixes", kith.ProfileFilter{Query: "ada"}, desc(p1, p4, p5)},
		{"upper case", kith.ProfileFilter{Query: " ADA "}, desc(p1, p4, p5)},
		{"email prefix", kith.ProfileFilter{Query: "ada.lov"}, desc(p1)},
		{"customId, case-insensitive", kith.ProfileFilter{Query: "loy-ada"}, desc(p1)},
		{"customId exact", kith.ProfileFilter{Query: "adm-5"}, desc(p5)},
		{"first name, Unicode", kith.ProfileFilter{Query: "łuk"}, desc(p2)},
		{"first name, Unicode upper case", kith.ProfileFilter{Query: "ŁUKASZ"}, desc(p2)},
		{"last name", kith.ProfileFilter{Query: "żÓŁ"}, desc(p2)},
		{"display name", kith.ProfileFilter{Query: "Luke"}, desc(p2)},
		{"last name, not infix", kith.ProfileFilter{Query: "velace"}, desc()},
		{"uuid prefix", kith.ProfileFilter{Query: "abcdef01-23"}, desc(p3)},
		{"uuid exact, upper case", kith.ProfileFilter{Query: strings.ToUpper(u3)}, desc(p3)},
		{"search and recognized", kith.ProfileFilter{Query: "ada", Anonymous: boolRef(false)}, desc(p1, p5)},
		{"search and tag", kith.ProfileFilter{Query: "ada", Tag: "vip"}, desc(p1)},
		{"no match", kith.ProfileFilter{Query: "zzz"}, desc()},
		{"before", kith.ProfileFilter{Before: p3}, desc(p1, p2)},
		{"limit", kith.ProfileFilter{Limit: 2}, all[:2]},
		{"search with before and limit", kith.ProfileFilter{Query: "ada", Before: p5, Limit: 1}, desc(p4)},
	} {
		eq(t, c.name, listIDs(t, st, ws, c.f), c.want)
	}
	// A clientId finds its profile; a previous clientId finds the survivor.
	for _, c := range []struct{ id, want int64 }{{p2, p2}, {a6, p1}} {
		q := strconv.FormatInt(c.id, 10)
		got := read(t, st, func(ctx context.Context, rx kith.ReadTx) ([]*kith.Profile, error) {
			return rx.ListProfiles(ctx, ws.ID, kith.ProfileFilter{Query: q})
		})
		found := false
		for _, p := range got {
			if p.ClientID == c.want {
				found = true
			} else if !slices.ContainsFunc(p.UUIDs, func(u string) bool { return strings.HasPrefix(u, q) }) {
				t.Errorf("search %q found %d, which neither has that clientId nor a uuid starting so", q, p.ClientID)
			}
		}
		if !found {
			t.Errorf("search %q did not find %d", q, c.want)
		}
	}
	// Pages are whole profiles, as FindProfile reads them.
	got := read(t, st, func(ctx context.Context, rx kith.ReadTx) ([]*kith.Profile, error) {
		return rx.ListProfiles(ctx, ws.ID, kith.ProfileFilter{Query: "ada.lov"})
	})
	if len(got) == 1 {
		eq(t, "listed profile", canonicalProfile(got[0]), canonicalProfile(profile(t, st, ws, p1)))
	}
	for _, f := range []kith.ProfileFilter{{}, {Query: "ada"}, {Anonymous: boolRef(false)}, {Tag: "vip"}} {
		want := listIDs(t, st, ws, f)
		for _, n := range []int{1, 2, 3} {
			eq(t, fmt.Sprintf("pages of %d of %+v", n, f), walk(t, st, ws, f, n), want)
		}
	}
}

func testListCustomMode(t *testing.T, st kith.Store, ws *kith.Workspace) {
	p1 := mustApply(t, st, ws, upsert(ids(custom("Card-0001"), email("shared@example.com")))).ClientID
	p2 := mustApply(t, st, ws, upsert(ids(custom("card-0002"), email("shared@example.com")))).ClientID
	p3 := mustApply(t, st, ws, ev(kith.ActionPageVisit, browser(newUUID()), attr("firstName", "Cardiff"))).ClientID
	eq(t, "recognized by customId", listIDs(t, st, ws, kith.ProfileFilter{Anonymous: boolRef(false)}), desc(p1, p2))
	eq(t, "anonymous", listIDs(t, st, ws, kith.ProfileFilter{Anonymous: boolRef(true)}), desc(p3))
	eq(t, "customId prefix, any case", listIDs(t, st, ws, kith.ProfileFilter{Query: "CARD-"}), desc(p1, p2))
	eq(t, "customId and name", listIDs(t, st, ws, kith.ProfileFilter{Query: "card"}), desc(p1, p2, p3))
	eq(t, "contact email", listIDs(t, st, ws, kith.ProfileFilter{Query: "shared@"}), desc(p1, p2))
}

// manyMatches is more than the stores' searchCap (10000): a search for
// their common prefix makes both stores scan profiles instead of sorting
// matches.
const manyMatches = 10050

func testListManyMatches(t *testing.T, st kith.Store, ws *kith.Workspace) {
	var all, recognized, tagged, taggedAnon, sparse []int64
	err := st.Update(t.Context(), func(tx kith.Tx) error {
		all, recognized, tagged, taggedAnon, sparse = nil, nil, nil, nil, nil
		now := tick()
		for i := range manyMatches {
			p := &kith.Profile{UUIDs: []string{newUUID()}, Attributes: map[string]any{"firstName": fmt.Sprint("Anna", i)},
				Agreements: map[string]kith.Agreement{}, CreatedAt: now}
			if i%3 == 0 {
				p.Email = fmt.Sprintf("anna%d@example.com", i)
			}
			if err := tx.CreateProfile(t.Context(), ws, p); err != nil {
				return err
			}
			all = append(all, p.ClientID)
			if p.Email != "" {
				recognized = append(recognized, p.ClientID)
			}
			if i%5 == 0 {
				if _, err := tx.AddProfileTags(t.Context(), ws.ID, p.ClientID, []string{"t5"}); err != nil {
					return err
				}
				tagged = append(tagged, p.ClientID)
				if p.Email == "" {
					taggedAnon = append(taggedAnon, p.ClientID)
				}
			}
			if strings.HasPrefix(fmt.Sprint(i), "77") {
				sparse = append(sparse, p.ClientID)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("create profiles: %v", err)
	}
	eq(t, "first page", listIDs(t, st, ws, kith.ProfileFilter{Query: "anna", Limit: 50}), desc(all...)[:50])
	eq(t, "all pages", walk(t, st, ws, kith.ProfileFilter{Query: "ANNA"}, 1000), desc(all...))
	eq(t, "recognized", walk(t, st, ws, kith.ProfileFilter{Query: "anna", Anonymous: boolRef(false)}, 700), desc(recognized...))
	eq(t, "tagged", walk(t, st, ws, kith.ProfileFilter{Query: "anna", Tag: "t5"}, 300), desc(tagged...))
	eq(t, "tagged and anonymous", listIDs(t, st, ws, kith.ProfileFilter{Query: "anna", Tag: "t5", Anonymous: boolRef(true)}),
		desc(taggedAnon...))
	eq(t, "few matches", walk(t, st, ws, kith.ProfileFilter{Query: "anna77"}, 40), desc(sparse...))
	eq(t, "stats", stats(t, st, ws), kith.ProfileStats{Total: manyMatches, Recognized: int64(len(recognized)),
		Anonymous: int64(manyMatches - len(recognized))})
}

func testStats(t *testing.T, st kith.Store, ws *kith.Workspace) {
	check := func(what string, total, recognized int64) {
		t.Helper()
		eq(t, what, stats(t, st, ws), kith.ProfileStats{Total: total, Recognized: recognized, Anonymous: total - recognized})
		eq(t, what+": listed", int64(len(listIDs(t, st, ws, kith.ProfileFilter{}))), total)
		eq(t, what+": listed recognized", int64(len(listIDs(t, st, ws, kith.ProfileFilter{Anonymous: boolRef(false)}))), recognized)
	}
	check("empty", 0, 0)
	uA, uB := newUUID(), newUUID()
	a := mustApply(t, st, ws, ev(kith.ActionPageVisit, browser(uA)))
	check("anonymous visitor", 1, 0)
	p := mustApply(t, st, ws, upsert(person(ws, "ada")))
	check("customer", 2, 1)
	mustApply(t, st, ws, ev(kith.ActionFormSubmit, ids(person(ws, "cy"), browser(uA)))) // R5
	check("visitor identified", 2, 2)
	mustApply(t, st, ws, ev(kith.ActionPageVisit, browser(uB)))
	mustApply(t, st, ws, ev(kith.ActionFormSubmit, ids(person(ws, "ada"), browser(uB)))) // R4
	check("anonymous merged into the customer", 2, 2)
	mustMerge(t, st, ws, p.ClientID, a.ClientID)
	check("explicit merge", 1, 1)
	if err := changeID(t, st, ws, p.ClientID, ws.MainKind(), ""); err != nil {
		t.Fatal(err)
	}
	check("main identifier removed", 1, 0)
	q := mustApply(t, st, ws, upsert(person(ws, "bob")))
	mustSession(t, st, ws, func(ctx context.Context, s *identity.Session) error {
		_, err := s.Erase(ctx, q.ClientID, false)
		return err
	})
	check("erased", 1, 0)
	other := createWorkspace(t, st, ws.IdentityMode)
	mustApply(t, st, other, upsert(person(other, "ada")))
	check("another workspace's profile", 1, 0)
	eq(t, "other workspace", stats(t, st, other), kith.ProfileStats{Total: 1, Recognized: 1})
}

func testStatsModeSwitch(t *testing.T, st kith.Store, ws *kith.Workspace) {
	mustApply(t, st, ws, upsert(email("ada@example.com")))
	mustApply(t, st, ws, upsert(email("eve@example.com")))
	mustApply(t, st, ws, upsert(ids(email("bob@example.com"), custom("B-1"))))
	mustApply(t, st, ws, ev(kith.ActionPageVisit, ids(browser(newUUID()), custom("C-1"))))
	mustApply(t, st, ws, ev(kith.ActionPageVisit, browser(newUUID())))
	eq(t, "email mode", stats(t, st, ws), kith.ProfileStats{Total: 5, Recognized: 3, Anonymous: 2})
	mode := kith.ModeCustomID
	if _, err := updateWorkspace(t, st, ws.ID, kith.WorkspaceUpdate{IdentityMode: &mode}); err != nil {
		t.Fatalf("switch: %v", err)
	}
	// customId recognizes now: bob and the third profile.
	eq(t, "customId mode", stats(t, st, ws), kith.ProfileStats{Total: 5, Recognized: 2, Anonymous: 3})
	switched := workspace(t, st, ws.ID)
	eq(t, "listed recognized", len(listIDs(t, st, switched, kith.ProfileFilter{Anonymous: boolRef(false)})), 2)
	mustApply(t, st, switched, upsert(custom("D-1")))
	eq(t, "after a new customer", stats(t, st, switched), kith.ProfileStats{Total: 6, Recognized: 3, Anonymous: 3})
}
