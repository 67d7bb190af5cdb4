package storetest

import (
	"testing"

	"github.com/kithcdp/kith"
)

// conflictTests checks the conflict rules of SPEC §2: R3 (two strong
// identifiers on different profiles), R4's exception (an anonymous source
// holding a different identifier) and R7's identifier_mismatch; strict
// writes are refused before anything is written, events go on with a
// warning.
var conflictTests = []testCase{
	{"R3_strongest_wins_event_warns", bothModes, testR3Event},
	{"R3_strongest_wins_email_over_customId", emailMode, testR3EmailOverCustom},
	{"R3_strongest_that_exists", emailMode, testR3StrongestThatExists},
	{"R3_strict_conflict_refused_nothing_written", bothModes, testR3Strict},
	{"R4_not_applied_when_source_holds_other_identifier", bothModes, testR4Clash},
	{"R7_identifier_mismatch", bothModes, testR7Mismatch},
}

// mainField is the error field naming the main identifier of a write.
func mainField(ws *kith.Workspace) string { return "client." + string(ws.MainKind()) }

func testR3Event(t *testing.T, st kith.Store, ws *kith.Workspace) {
	ada, bob := person(ws, "ada"), person(ws, "bob")
	p := mustApply(t, st, ws, upsert(ada))
	q := mustApply(t, st, ws, upsert(bob))

	// clientId is stronger than the main identifier.
	res := mustApply(t, st, ws, ev(kith.ActionFormSubmit, ids(clientID(q.ClientID), ada), attr("city", "Gdańsk")))
	wantResult(t, res, q.ClientID, false, false)
	eq(t, "warning codes", codes(res.Warnings), []string{kith.ECodeIdentityConflict})
	eq(t, "warning fields", fields(res.Warnings), []string{mainField(ws)})
	eq(t, "form.submit on Q", countAction(t, st, ws, q.ClientID, kith.ActionFormSubmit), 1)
	eq(t, "form.submit on P", countAction(t, st, ws, p.ClientID, kith.ActionFormSubmit), 0)
	jsonEq(t, "Q's attributes", profile(t, st, ws, q.ClientID).Attributes, map[string]any{"city": "Gdańsk"})
	jsonEq(t, "P's attributes", profile(t, st, ws, p.ClientID).Attributes, map[string]any{})
	eq(t, "owner of ada", ownerOfMain(t, st, ws, ada), p.ClientID)
	eq(t, "Q's main identifier", mainOfProfile(ws, profile(t, st, ws, q.ClientID)), mainOf(ws, bob))
}

func testR3EmailOverCustom(t *testing.T, st kith.Store, ws *kith.Workspace) {
	p := mustApply(t, st, ws, upsert(email("ada@example.com")))
	q := mustApply(t, st, ws, upsert(ids(email("bob@example.com"), custom("LOY-Q"))))
	r := mustApply(t, st, ws, upsert(email("carol@example.com")))

	res := mustApply(t, st, ws, ev(kith.ActionFormSubmit, ids(email("ada@example.com"), custom("LOY-Q"))))
	wantResult(t, res, p.ClientID, false, false)
	eq(t, "warning codes", codes(res.Warnings), []string{kith.ECodeIdentityConflict})
	eq(t, "warning fields", fields(res.Warnings), []string{"client.customId"})
	eq(t, "form.submit on P", countAction(t, st, ws, p.ClientID, kith.ActionFormSubmit), 1)
	eq(t, "form.submit on Q", countAction(t, st, ws, q.ClientID, kith.ActionFormSubmit), 0)
	eq(t, "owner of LOY-Q", owner(t, st, ws, kith.KindCustomID, "LOY-Q"), q.ClientID)
	eq(t, "P's customId", profile(t, st, ws, p.ClientID).CustomID, "")

	// clientId > email > customId, all three on different profiles.
	res = mustApply(t, st, ws, ev(kith.ActionFormSubmit, ids(clientID(r.ClientID), email("ada@example.com"), custom("LOY-Q"))))
	wantResult(t, res, r.ClientID, false, false)
	eq(t, "warning codes", codes(res.Warnings), []string{kith.ECodeIdentityConflict, kith.ECodeIdentityConflict})
	eq(t, "warning fields", sorted(fields(res.Warnings)), []string{"client.customId", "client.email"})
	r2 := profile(t, st, ws, r.ClientID)
	eq(t, "R's email", r2.Email, "carol@example.com")
	eq(t, "R's customId", r2.CustomID, "")
	eq(t, "owner of ada", owner(t, st, ws, kith.KindEmail, "ada@example.com"), p.ClientID)
	eq(t, "owner of LOY-Q", owner(t, st, ws, kith.KindCustomID, "LOY-Q"), q.ClientID)
}

func testR3StrongestThatExists(t *testing.T, st kith.Store, ws *kith.Workspace) {
	// The email is new, the customId exists on an anonymous profile: the
	// write belongs to that profile, which receives the email.
	u := newUUID()
	q := mustApply(t, st, ws, ev(kith.ActionPageVisit, ids(custom("LOY-Q"), browser(u))))
	res := mustApply(t, st, ws, ev(kith.ActionFormSubmit, ids(email("dora@example.com"), custom("LOY-Q"))))
	wantResult(t, res, q.ClientID, false, false)
	eq(t, "warnings", codes(res.Warnings), []string{})
	p := profile(t, st, ws, q.ClientID)
	eq(t, "email", p.Email, "dora@example.com")
	eq(t, "owner of dora", owner(t, st, ws, kith.KindEmail, "dora@example.com"), q.ClientID)
	eq(t, "client.identify events", countAction(t, st, ws, q.ClientID, kith.ActionClientIdentify), 1)
}

func testR3Strict(t *testing.T, st kith.Store, ws *kith.Workspace) {
	ada, bob := person(ws, "ada"), person(ws, "bob")
	u := newUUID()
	p := mustApply(t, st, ws, upsert(ids(ada, browser(u)), attr("firstName", "Ada"), tags("old")))
	q := mustApply(t, st, ws, upsert(bob, attr("firstName", "Bob")))
	profiles := []int64{p.ClientID, q.ClientID}

	// Everything the refused write carries would create something:
	// a new uuid, a new custom attribute, a new tag, an agreement.
	refused := func(client kith.Identifiers) {
		t.Helper()
		wantRefused(t, st, ws, kith.ECodeIdentityConflict, profiles,
			upsert(client, attr("firstName", "Mallory"), attr("newAttr", 1.0), tags("newtag"), agree("email", true)))
		eq(t, "definition of newAttr", defType(t, st, ws, "newAttr"), "")
	}
	refused(ids(clientID(q.ClientID), ada, browser(newUUID())))
	refused(ids(clientID(q.ClientID), ada))
	if ws.IdentityMode == kith.ModeEmail {
		mustApply(t, st, ws, upsert(ids(bob, custom("LOY-Q"))))
		refused(ids(ada, custom("LOY-Q"), browser(newUUID())))
		refused(ids(ada, custom("LOY-Q"), browser(u)))
	}
}

func testR4Clash(t *testing.T, st kith.Store, ws *kith.Workspace) {
	// A is anonymous but holds a secondary identifier; P holds another
	// value of it. Merging would drop one of them: R3 applies instead.
	u := newUUID()
	a := mustApply(t, st, ws, ev(kith.ActionPageVisit, ids(secondary(ws, "anon"), browser(u)), tags("a-tag")))
	ada := person(ws, "ada")
	p := mustApply(t, st, ws, upsert(ids(ada, secondary(ws, "ada"))))
	profiles := []int64{a.ClientID, p.ClientID}

	wantRefused(t, st, ws, kith.ECodeIdentityConflict, profiles,
		upsert(ids(ada, browser(u)), attr("firstName", "Ada"), tags("p-tag")))

	res := mustApply(t, st, ws, ev(kith.ActionFormSubmit, ids(ada, browser(u))))
	eq(t, "lands on", res.ClientID, p.ClientID)
	eq(t, "created", res.Created, false)
	eq(t, "merged", len(res.Merged), 0)
	eq(t, "warning codes", codes(res.Warnings), []string{kith.ECodeIdentityConflict})
	eq(t, "A's clientId answers", survivor(t, st, ws, a.ClientID), a.ClientID)
	ap := profile(t, st, ws, a.ClientID)
	eq(t, "A's uuids", ap.UUIDs, []string{u})
	eq(t, "A's secondary", secondaryOf(ws, ap), secondaryValue(ws, "anon"))
	pp := profile(t, st, ws, p.ClientID)
	eq(t, "P's secondary", secondaryOf(ws, pp), secondaryValue(ws, "ada"))
	eq(t, "P's previousClientIds", len(pp.PreviousClientIDs), 0)
	eq(t, "owner of u", owner(t, st, ws, kith.KindUUID, u), a.ClientID)
	eq(t, "client.merge on P", countAction(t, st, ws, p.ClientID, kith.ActionClientMerge), 0)
	eq(t, "form.submit on P", countAction(t, st, ws, p.ClientID, kith.ActionFormSubmit), 1)
	eq(t, "form.submit on A", countAction(t, st, ws, a.ClientID, kith.ActionFormSubmit), 0)
}

func testR7Mismatch(t *testing.T, st kith.Store, ws *kith.Workspace) {
	ada := person(ws, "ada")
	p := mustApply(t, st, ws, upsert(ada))
	bob := person(ws, "bob") // new: nobody holds it

	// Strict: another main identifier for P is refused whole.
	wantRefused(t, st, ws, kith.ECodeIdentifierMismatch, []int64{p.ClientID},
		upsert(ids(clientID(p.ClientID), bob), attr("firstName", "Bob"), tags("t")))
	eq(t, "owner of bob", ownerOfMain(t, st, ws, bob), int64(0))

	// Event: stored on P with a warning; the identifier is not applied,
	// the rest of the write is.
	res := mustApply(t, st, ws, ev(kith.ActionFormSubmit, ids(clientID(p.ClientID), bob), attr("firstName", "Bob")))
	wantResult(t, res, p.ClientID, false, false)
	eq(t, "warning codes", codes(res.Warnings), []string{kith.ECodeIdentifierMismatch})
	eq(t, "warning fields", fields(res.Warnings), []string{mainField(ws)})
	got := profile(t, st, ws, p.ClientID)
	eq(t, "main identifier", mainOfProfile(ws, got), mainOf(ws, ada))
	jsonEq(t, "attributes", got.Attributes, map[string]any{"firstName": "Bob"})
	eq(t, "owner of bob", ownerOfMain(t, st, ws, bob), int64(0))
	eq(t, "form.submit on P", countAction(t, st, ws, p.ClientID, kith.ActionFormSubmit), 1)

	if ws.IdentityMode != kith.ModeEmail {
		return
	}
	// The secondary identifier the same way.
	mustApply(t, st, ws, upsert(ids(ada, custom("LOY-1"))))
	wantRefused(t, st, ws, kith.ECodeIdentifierMismatch, []int64{p.ClientID}, upsert(ids(ada, custom("LOY-2"))))
	res = mustApply(t, st, ws, ev(kith.ActionPageVisit, ids(ada, custom("LOY-2"))))
	wantResult(t, res, p.ClientID, false, false)
	eq(t, "warning codes", codes(res.Warnings), []string{kith.ECodeIdentifierMismatch})
	eq(t, "warning fields", fields(res.Warnings), []string{"client.customId"})
	eq(t, "customId", profile(t, st, ws, p.ClientID).CustomID, "LOY-1")
	eq(t, "owner of LOY-2", owner(t, st, ws, kith.KindCustomID, "LOY-2"), int64(0))
}
