package storetest

import (
	"strings"
	"testing"

	"github.com/kithcdp/kith"
)

// customModeTests checks what differs between the identity modes: in
// customId mode email is an ordinary contact field; in email mode it is
// the unique main identifier.
var customModeTests = []testCase{
	{"CustomIDMode_email_is_a_contact_field", customMode, testEmailIsContact},
	{"EmailMode_email_is_unique", emailMode, testEmailIsUnique},
	{"CustomID_case_sensitive_and_unicode", bothModes, testCustomIDCase},
}

func testEmailIsContact(t *testing.T, st kith.Store, ws *kith.Workspace) {
	const shared = "family@example.com"
	p1 := mustApply(t, st, ws, upsert(ids(custom("C1"), email(shared))))
	p2 := mustApply(t, st, ws, upsert(ids(custom("C2"), email(shared))))
	wantResult(t, p1, p1.ClientID, true, false)
	wantResult(t, p2, p2.ClientID, true, false)
	if p1.ClientID == p2.ClientID {
		t.Fatalf("two customIds with the same email share profile %d", p1.ClientID)
	}
	eq(t, "FindClientID(email)", owner(t, st, ws, kith.KindEmail, shared), int64(0))
	eq(t, "FindClientIDsByEmail", byEmail(t, st, ws, shared), sorted([]int64{p1.ClientID, p2.ClientID}))

	// An email never finds a profile: a write with only an email makes a
	// new, anonymous one.
	n := mustApply(t, st, ws, ev(kith.ActionPageVisit, email(shared)))
	wantResult(t, n, n.ClientID, true, false)
	if n.ClientID == p1.ClientID || n.ClientID == p2.ClientID {
		t.Fatalf("an email-only write found profile %d", n.ClientID)
	}
	np := profile(t, st, ws, n.ClientID)
	eq(t, "email-only profile's email", np.Email, shared)
	if np.Recognized(ws) {
		t.Errorf("a profile without customId is recognized in customId mode")
	}
	if !profile(t, st, ws, p1.ClientID).Recognized(ws) {
		t.Errorf("a profile with a customId is anonymous in customId mode")
	}

	// An email held by others is no conflict: it is filled like any field.
	q := mustApply(t, st, ws, upsert(custom("C4")))
	res := mustApply(t, st, ws, upsert(ids(custom("C4"), email(shared))))
	wantResult(t, res, q.ClientID, false, false)
	eq(t, "warnings", codes(res.Warnings), []string{})
	eq(t, "C4's email", profile(t, st, ws, q.ClientID).Email, shared)
	eq(t, "FindClientIDsByEmail", byEmail(t, st, ws, shared), sorted([]int64{p1.ClientID, p2.ClientID, n.ClientID, q.ClientID}))

}

func testEmailIsUnique(t *testing.T, st kith.Store, ws *kith.Workspace) {
	p := mustApply(t, st, ws, upsert(email("ada@example.com")))
	res := mustApply(t, st, ws, upsert(ids(email("ada@example.com"), custom("LOY-1"))))
	wantResult(t, res, p.ClientID, false, false)
	eq(t, "FindClientID(email)", owner(t, st, ws, kith.KindEmail, "ada@example.com"), p.ClientID)
	eq(t, "FindClientIDsByEmail", byEmail(t, st, ws, "ada@example.com"), []int64{p.ClientID})
	// Case and surrounding spaces do not make another email.
	res = mustApply(t, st, ws, ev(kith.ActionPageVisit, email("  Ada@Example.COM ")))
	wantResult(t, res, p.ClientID, false, false)
	eq(t, "email as stored", profile(t, st, ws, p.ClientID).Email, "ada@example.com")
}

func testCustomIDCase(t *testing.T, st kith.Store, ws *kith.Workspace) {
	// customId is case-sensitive (SPEC §1): these are three customers.
	var got []int64
	for _, c := range []string{"LOY-Ab", "loy-ab", "LOY-AB"} {
		res := mustApply(t, st, ws, upsert(custom(c)))
		if !res.Created {
			t.Errorf("customId %q found profile %d: customIds are case-sensitive", c, res.ClientID)
		}
		got = append(got, res.ClientID)
		eq(t, "owner of "+c, owner(t, st, ws, kith.KindCustomID, c), res.ClientID)
	}
	eq(t, "owner of an unknown case variant", owner(t, st, ws, kith.KindCustomID, "Loy-Ab"), int64(0))
	// Any BMP text round-trips, trimmed.
	res := mustApply(t, st, ws, upsert(custom("  Łódź-Ωμέγα-東京-42  ")))
	eq(t, "customId as stored", profile(t, st, ws, res.ClientID).CustomID, "Łódź-Ωμέγα-東京-42")
	eq(t, "owner of the unicode customId", owner(t, st, ws, kith.KindCustomID, "Łódź-Ωμέγα-東京-42"), res.ClientID)
	// uuids are case-insensitive: they are stored lower-cased.
	u := newUUID()
	a := mustApply(t, st, ws, ev(kith.ActionPageVisit, browser(strings.ToUpper(u))))
	eq(t, "uuid as stored", profile(t, st, ws, a.ClientID).UUIDs, []string{u})
	b := mustApply(t, st, ws, ev(kith.ActionPageVisit, browser(u)))
	eq(t, "upper- and lower-case uuid", b.ClientID, a.ClientID)
}
