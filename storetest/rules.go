package storetest

import (
	"testing"

	"github.com/google/uuid"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/identity"
)

// ruleTests checks the rules R1, R2, R4–R8 of SPEC §2 one by one (R3 and
// the conflict parts of R4 and R7 are in conflicts.go, R9 in
// concurrency.go).
var ruleTests = []testCase{
	{"R1_claimed_never_stolen", bothModes, testR1},
	{"R1_secondary_identifier_never_stolen", emailMode, testR1Secondary},
	{"R2_recognized_never_merged_implicitly", bothModes, testR2},
	{"R4_anonymous_joins_customer", bothModes, testR4},
	{"R4_merge_brings_identifiers_the_target_lacks", bothModes, testR4Fill},
	{"R5_anonymous_becomes_recognized", bothModes, testR5},
	{"R5_secondary_attached_to_uuid_profile", emailMode, testR5Secondary},
	{"R6_shared_device", bothModes, testR6},
	{"R7_fill_missing_identifiers", bothModes, testR7Fill},
	{"R8_create", bothModes, testR8},
	{"R8_uuid_policy_random", bothModes, testUUIDRandom},
	{"R8_uuid_policy_derived", bothModes, testUUIDDerived},
	{"ClientID_unknown_not_found", bothModes, testClientIDUnknown},
	{"ClientID_merged_away_answers_survivor", bothModes, testClientIDMergedAway},
}

// secondary returns an identifier that is not the main one but that a
// profile keeps: a customId in email mode, a contact email in customId
// mode.
func secondary(ws *kith.Workspace, name string) kith.Identifiers {
	if ws.IdentityMode == kith.ModeCustomID {
		return email(name + "@contact.example.org")
	}
	return custom("LOY-" + name)
}

// secondaryOf returns p's value of the kind secondary gives.
func secondaryOf(ws *kith.Workspace, p *kith.Profile) string {
	if ws.IdentityMode == kith.ModeCustomID {
		return p.Email
	}
	return p.CustomID
}

func secondaryValue(ws *kith.Workspace, name string) string {
	s := secondary(ws, name)
	return s.Email + s.CustomID
}

func testR1(t *testing.T, st kith.Store, ws *kith.Workspace) {
	u := newUUID()
	ada, bob := person(ws, "ada"), person(ws, "bob")
	r := mustApply(t, st, ws, ev(kith.ActionFormSubmit, ids(ada, browser(u))))
	p := mustApply(t, st, ws, upsert(bob))

	// Writes naming bob from ada's device leave the device with ada.
	mustApply(t, st, ws, ev(kith.ActionPageVisit, ids(bob, browser(u))))
	mustApply(t, st, ws, upsert(ids(bob, browser(u))))
	// A write addressed to bob's clientId with ada's identifier leaves it
	// with ada.
	res := mustApply(t, st, ws, ev(kith.ActionPageVisit, ids(clientID(p.ClientID), ada)))
	eq(t, "clientId write lands on", res.ClientID, p.ClientID)
	eq(t, "warnings", codes(res.Warnings), []string{kith.ECodeIdentityConflict})

	eq(t, "owner of ada's uuid", owner(t, st, ws, kith.KindUUID, u), r.ClientID)
	eq(t, "owner of ada", ownerOfMain(t, st, ws, ada), r.ClientID)
	eq(t, "owner of bob", ownerOfMain(t, st, ws, bob), p.ClientID)
	eq(t, "ada's uuids", profile(t, st, ws, r.ClientID).UUIDs, []string{u})
	eq(t, "bob's main identifier", mainOfProfile(ws, profile(t, st, ws, p.ClientID)), mainOf(ws, bob))
	eq(t, "ada's main identifier", mainOfProfile(ws, profile(t, st, ws, r.ClientID)), mainOf(ws, ada))
}

func testR1Secondary(t *testing.T, st kith.Store, ws *kith.Workspace) {
	q := mustApply(t, st, ws, upsert(ids(email("carol@example.com"), custom("LOY-1"))))
	p := mustApply(t, st, ws, upsert(email("bob@example.com")))
	res := mustApply(t, st, ws, ev(kith.ActionPageVisit, ids(email("bob@example.com"), custom("LOY-1"))))
	eq(t, "lands on", res.ClientID, p.ClientID)
	eq(t, "owner of LOY-1", owner(t, st, ws, kith.KindCustomID, "LOY-1"), q.ClientID)
	eq(t, "bob's customId", profile(t, st, ws, p.ClientID).CustomID, "")
	eq(t, "carol's customId", profile(t, st, ws, q.ClientID).CustomID, "LOY-1")
}

func testR2(t *testing.T, st kith.Store, ws *kith.Workspace) {
	u1, u2 := newUUID(), newUUID()
	ada, bob := person(ws, "ada"), person(ws, "bob")
	r := mustApply(t, st, ws, ev(kith.ActionFormSubmit, ids(ada, browser(u1))))
	p := mustApply(t, st, ws, ev(kith.ActionFormSubmit, ids(bob, secondary(ws, "bob"), browser(u2))))

	writes := []*identity.Write{
		ev(kith.ActionPageVisit, ids(bob, browser(u1))),
		ev(kith.ActionPageVisit, ids(ada, browser(u2))),
		ev(kith.ActionPageVisit, ids(clientID(r.ClientID), bob)),
		ev(kith.ActionPageVisit, ids(clientID(p.ClientID), ada, browser(u1))),
		upsert(ids(ada, browser(u2))),
	}
	if ws.IdentityMode == kith.ModeEmail {
		writes = append(writes, ev(kith.ActionPageVisit, ids(ada, secondary(ws, "bob"), browser(u2))))
	}
	for _, w := range writes {
		res := mustApply(t, st, ws, w)
		if len(res.Merged) != 0 {
			t.Errorf("%s merged %v: two recognized profiles merged implicitly", describe(w), res.Merged)
		}
	}
	for _, id := range []int64{r.ClientID, p.ClientID} {
		eq(t, "client.merge events", countAction(t, st, ws, id, kith.ActionClientMerge), 0)
		eq(t, "clientId answers itself", survivor(t, st, ws, id), id)
	}
	eq(t, "ada's uuids", profile(t, st, ws, r.ClientID).UUIDs, []string{u1})
	eq(t, "bob's uuids", profile(t, st, ws, p.ClientID).UUIDs, []string{u2})
	eq(t, "bob's secondary", secondaryOf(ws, profile(t, st, ws, p.ClientID)), secondaryValue(ws, "bob"))
	eq(t, "ada's secondary", secondaryOf(ws, profile(t, st, ws, r.ClientID)), "")
}

func testR4(t *testing.T, st kith.Store, ws *kith.Workspace) {
	// Two anonymous visitors (two browsers) turn out to be ada.
	u1, u2 := newUUID(), newUUID()
	a1 := mustApply(t, st, ws, ev(kith.ActionPageVisit, browser(u1)))
	a2 := mustApply(t, st, ws, ev(kith.ActionPageVisit, browser(u2)))
	ada := person(ws, "ada")
	// The first browser identifies: R5, it becomes ada's profile.
	p := mustApply(t, st, ws, ev(kith.ActionFormSubmit, ids(ada, browser(u1))))
	wantResult(t, p, a1.ClientID, false, false)
	// The second browser identifies as ada too: R4, it joins her.
	res := mustApply(t, st, ws, ev(kith.ActionFormSubmit, ids(ada, browser(u2))))
	wantResult(t, res, a1.ClientID, false, false, a2.ClientID)

	got := profile(t, st, ws, a1.ClientID)
	eq(t, "uuids", sorted(got.UUIDs), sorted([]string{u1, u2}))
	eq(t, "previousClientIds", got.PreviousClientIDs, []int64{a2.ClientID})
	wantGone(t, st, ws, a2.ClientID)
	eq(t, "page.visit events", countAction(t, st, ws, a1.ClientID, kith.ActionPageVisit), 2)
	eq(t, "client.add events (both profiles')", countAction(t, st, ws, a1.ClientID, kith.ActionClientAdd), 2)
	eq(t, "client.identify events", countAction(t, st, ws, a1.ClientID, kith.ActionClientIdentify), 1)

	// A strict upsert joins an anonymous profile the same way.
	u3 := newUUID()
	a3 := mustApply(t, st, ws, ev(kith.ActionPageVisit, browser(u3)))
	up := mustApply(t, st, ws, upsert(ids(ada, browser(u3))))
	wantResult(t, up, a1.ClientID, false, false, a3.ClientID)
	wantGone(t, st, ws, a3.ClientID)
	eq(t, "owner of the third uuid", owner(t, st, ws, kith.KindUUID, u3), a1.ClientID)

	// A clientId is a strong identifier too.
	u4 := newUUID()
	a4 := mustApply(t, st, ws, ev(kith.ActionPageVisit, browser(u4)))
	byID := mustApply(t, st, ws, ev(kith.ActionPageVisit, ids(clientID(a1.ClientID), browser(u4))))
	wantResult(t, byID, a1.ClientID, false, false, a4.ClientID)
	eq(t, "uuids at the end", sorted(profile(t, st, ws, a1.ClientID).UUIDs), sorted([]string{u1, u2, u3, u4}))
}

func testR4Fill(t *testing.T, st kith.Store, ws *kith.Workspace) {
	u := newUUID()
	sec := secondary(ws, "anon")
	a := mustApply(t, st, ws, ev(kith.ActionPageVisit, ids(sec, browser(u))))
	if profile(t, st, ws, a.ClientID).Recognized(ws) {
		t.Fatalf("test bug: profile with only %+v is recognized", sec)
	}
	ada := person(ws, "ada")
	p := mustApply(t, st, ws, upsert(ada))
	res := mustApply(t, st, ws, ev(kith.ActionFormSubmit, ids(ada, browser(u))))
	wantResult(t, res, p.ClientID, false, false, a.ClientID)
	got := profile(t, st, ws, p.ClientID)
	eq(t, "P's secondary identifier (from A)", secondaryOf(ws, got), secondaryValue(ws, "anon"))
	if ws.IdentityMode == kith.ModeEmail {
		eq(t, "owner of A's customId", owner(t, st, ws, kith.KindCustomID, sec.CustomID), p.ClientID)
	} else {
		eq(t, "profiles with A's email", byEmail(t, st, ws, sec.Email), []int64{p.ClientID})
	}
}

func testR5(t *testing.T, st kith.Store, ws *kith.Workspace) {
	u := newUUID()
	a := mustApply(t, st, ws, ev(kith.ActionPageVisit, browser(u), attr("firstName", "Ada")))
	ada := person(ws, "ada")
	res := mustApply(t, st, ws, upsert(ids(ada, browser(u)), attr("lastName", "Lovelace")))
	wantResult(t, res, a.ClientID, false, false)
	p := profile(t, st, ws, a.ClientID)
	eq(t, "main identifier", mainOfProfile(ws, p), mainOf(ws, ada))
	jsonEq(t, "attributes", p.Attributes, map[string]any{"firstName": "Ada", "lastName": "Lovelace"})
	eq(t, "client.identify events", countAction(t, st, ws, a.ClientID, kith.ActionClientIdentify), 1)

	// In customId mode an anonymous profile may hold a contact email; it
	// still becomes recognized by its customId.
	if ws.IdentityMode == kith.ModeCustomID {
		u2 := newUUID()
		b := mustApply(t, st, ws, ev(kith.ActionPageVisit, ids(email("bob@example.com"), browser(u2))))
		if profile(t, st, ws, b.ClientID).Recognized(ws) {
			t.Errorf("a profile with only an email is recognized in customId mode")
		}
		res := mustApply(t, st, ws, ev(kith.ActionFormSubmit, ids(custom("CUST-bob"), browser(u2))))
		wantResult(t, res, b.ClientID, false, false)
		bp := profile(t, st, ws, b.ClientID)
		eq(t, "customId", bp.CustomID, "CUST-bob")
		eq(t, "contact email kept", bp.Email, "bob@example.com")
		idf := eventsOf(t, st, ws, b.ClientID, kith.ActionClientIdentify)
		if len(idf) != 1 {
			t.Fatalf("client.identify events = %d, want 1", len(idf))
		}
		jsonEq(t, "client.identify params", params[map[string]any](t, idf[0]), map[string]any{"customId": "CUST-bob"})
	}
}

func testR5Secondary(t *testing.T, st kith.Store, ws *kith.Workspace) {
	// A recognized profile without a customId receives the new customId
	// that comes with its uuid.
	u := newUUID()
	r := mustApply(t, st, ws, ev(kith.ActionFormSubmit, ids(email("ada@example.com"), browser(u))))
	res := mustApply(t, st, ws, ev(kith.ActionPageVisit, ids(custom("LOY-7"), browser(u))))
	wantResult(t, res, r.ClientID, false, false)
	eq(t, "customId", profile(t, st, ws, r.ClientID).CustomID, "LOY-7")
	eq(t, "owner of LOY-7", owner(t, st, ws, kith.KindCustomID, "LOY-7"), r.ClientID)
	eq(t, "client.identify events", countAction(t, st, ws, r.ClientID, kith.ActionClientIdentify), 0)

	// An anonymous profile receives a customId and stays anonymous (email
	// is the main identifier): no client.identify.
	u2 := newUUID()
	a := mustApply(t, st, ws, ev(kith.ActionPageVisit, browser(u2)))
	res = mustApply(t, st, ws, ev(kith.ActionPageVisit, ids(custom("LOY-8"), browser(u2))))
	wantResult(t, res, a.ClientID, false, false)
	p := profile(t, st, ws, a.ClientID)
	eq(t, "customId", p.CustomID, "LOY-8")
	if p.Recognized(ws) {
		t.Errorf("a profile with a customId but no email is recognized in email mode")
	}
	eq(t, "client.identify events", countAction(t, st, ws, a.ClientID, kith.ActionClientIdentify), 0)
}

func testR6(t *testing.T, st kith.Store, ws *kith.Workspace) {
	// A strict upsert from a device that belongs to someone else is no
	// error: a new profile, uuidConflict.
	u := newUUID()
	ada, bob := person(ws, "ada"), person(ws, "bob")
	r := mustApply(t, st, ws, ev(kith.ActionFormSubmit, ids(ada, browser(u))))
	res := mustApply(t, st, ws, upsert(ids(bob, browser(u))))
	wantResult(t, res, res.ClientID, true, true)
	if res.ClientID == r.ClientID {
		t.Fatalf("bob's upsert landed on ada's profile")
	}
	eq(t, "owner of the device", owner(t, st, ws, kith.KindUUID, u), r.ClientID)
	if n := profile(t, st, ws, res.ClientID); len(n.UUIDs) != 1 || n.UUIDs[0] == u {
		t.Errorf("bob's uuids = %v, want one generated uuid", n.UUIDs)
	}

	// After the tracker reset, bob's browser sends bob's new uuid: it is
	// attached to bob; ada keeps hers.
	u2 := newUUID()
	res2 := mustApply(t, st, ws, ev(kith.ActionPageVisit, ids(bob, browser(u2))))
	wantResult(t, res2, res.ClientID, false, false)
	eq(t, "owner of bob's new uuid", owner(t, st, ws, kith.KindUUID, u2), res.ClientID)
	eq(t, "ada's uuids", profile(t, st, ws, r.ClientID).UUIDs, []string{u})
}

func testR7Fill(t *testing.T, st kith.Store, ws *kith.Workspace) {
	// An anonymous profile addressed by clientId receives a main
	// identifier.
	a := mustApply(t, st, ws, ev(kith.ActionPageVisit, browser(newUUID())))
	ada := person(ws, "ada")
	res := mustApply(t, st, ws, upsert(ids(clientID(a.ClientID), ada)))
	wantResult(t, res, a.ClientID, false, false)
	eq(t, "main identifier", mainOfProfile(ws, profile(t, st, ws, a.ClientID)), mainOf(ws, ada))
	eq(t, "owner of ada", ownerOfMain(t, st, ws, ada), a.ClientID)
	eq(t, "client.identify events", countAction(t, st, ws, a.ClientID, kith.ActionClientIdentify), 1)

	// A recognized profile receives the secondary identifier it lacks.
	sec := secondary(ws, "ada")
	res = mustApply(t, st, ws, ev(kith.ActionPageVisit, ids(ada, sec)))
	wantResult(t, res, a.ClientID, false, false)
	eq(t, "warnings", codes(res.Warnings), []string{})
	eq(t, "secondary identifier", secondaryOf(ws, profile(t, st, ws, a.ClientID)), secondaryValue(ws, "ada"))

	// Sending the same values again changes nothing and warns nothing.
	res = mustApply(t, st, ws, upsert(ids(clientID(a.ClientID), ada, sec)))
	wantResult(t, res, a.ClientID, false, false)
	eq(t, "warnings", codes(res.Warnings), []string{})
}

func testR8(t *testing.T, st kith.Store, ws *kith.Workspace) {
	ada := person(ws, "ada")
	res := mustApply(t, st, ws, upsert(ids(ada, secondary(ws, "ada"))))
	wantResult(t, res, res.ClientID, true, false)
	p := profile(t, st, ws, res.ClientID)
	eq(t, "main identifier", mainOfProfile(ws, p), mainOf(ws, ada))
	eq(t, "secondary identifier", secondaryOf(ws, p), secondaryValue(ws, "ada"))
	if len(p.UUIDs) != 1 || !kith.IsUUID(p.UUIDs[0]) {
		t.Fatalf("uuids = %v, want one generated uuid", p.UUIDs)
	}
	adds := eventsOf(t, st, ws, p.ClientID, kith.ActionClientAdd)
	if len(adds) != 1 {
		t.Fatalf("client.add events = %d, want 1", len(adds))
	}
	eq(t, "client.add source", params[addParams](t, adds[0]).Source, kith.SourceAPI)
	if !p.CreatedAt.Equal(adds[0].Time) {
		t.Errorf("createdAt %v, client.add time %v: want the same receipt time", p.CreatedAt, adds[0].Time)
	}

	// A second, different customer is a second profile with its own id.
	res2 := mustApply(t, st, ws, upsert(person(ws, "bob")))
	if !res2.Created || res2.ClientID == res.ClientID || res2.ClientID <= 0 {
		t.Errorf("second create = %+v, want a new profile with another positive clientId", res2)
	}
}

func uuidVersion(t testing.TB, s string) int {
	t.Helper()
	u, err := uuid.Parse(s)
	if err != nil {
		t.Fatalf("generated uuid %q: %v", s, err)
	}
	return int(u.Version())
}

func testUUIDRandom(t *testing.T, st kith.Store, ws *kith.Workspace) {
	res := mustApply(t, st, ws, upsert(person(ws, "ada")))
	p := profile(t, st, ws, res.ClientID)
	if len(p.UUIDs) != 1 {
		t.Fatalf("uuids = %v, want one", p.UUIDs)
	}
	eq(t, "uuid version", uuidVersion(t, p.UUIDs[0]), 4)
	if p.UUIDs[0] == identity.DerivedUUID(ws.UUIDSalt, mainOf(ws, person(ws, "ada"))) {
		t.Errorf("random policy produced the derived uuid")
	}
}

func testUUIDDerived(t *testing.T, st kith.Store, _ *kith.Workspace) {
	for _, mode := range []string{kith.ModeEmail, kith.ModeCustomID} {
		ws := createWorkspace(t, st, mode, derived("s4lt-"))
		ada := person(ws, "ada")
		res := mustApply(t, st, ws, upsert(ids(ada, secondary(ws, "ada"))))
		p := profile(t, st, ws, res.ClientID)
		want := identity.DerivedUUID("s4lt-", mainOf(ws, ada))
		eq(t, mode+": uuids", p.UUIDs, []string{want})
		eq(t, mode+": uuid version", uuidVersion(t, want), 5)
		eq(t, mode+": owner of the derived uuid", owner(t, st, ws, kith.KindUUID, want), res.ClientID)

		// A given uuid is used as is.
		u := newUUID()
		res = mustApply(t, st, ws, upsert(ids(person(ws, "bob"), browser(u))))
		eq(t, mode+": given uuid kept", profile(t, st, ws, res.ClientID).UUIDs, []string{u})

		// A profile created beside a shared device (R6) gets the derived
		// uuid of its own identifier.
		carl := person(ws, "carl")
		res = mustApply(t, st, ws, ev(kith.ActionFormSubmit, ids(carl, browser(u))))
		if res.Created && res.UUIDConflict {
			eq(t, mode+": uuids of the R6 profile", profile(t, st, ws, res.ClientID).UUIDs,
				[]string{identity.DerivedUUID("s4lt-", mainOf(ws, carl))})
		} else {
			t.Errorf("%s: write from bob's device as carl = %+v, want a new profile with uuidConflict", mode, res)
		}

		// Without a main identifier there is nothing to derive from.
		res = mustApply(t, st, ws, upsert(secondary(ws, "carol")))
		p = profile(t, st, ws, res.ClientID)
		if len(p.UUIDs) != 1 || uuidVersion(t, p.UUIDs[0]) != 4 {
			t.Errorf("%s: uuids of a profile without main identifier = %v, want one v4", mode, p.UUIDs)
		}
	}
}

func testClientIDUnknown(t *testing.T, st kith.Store, ws *kith.Workspace) {
	p := mustApply(t, st, ws, upsert(person(ws, "ada")))
	unknown := p.ClientID + 1000000
	wantRefused(t, st, ws, kith.ECodeNotFound, []int64{p.ClientID},
		upsert(ids(clientID(unknown), browser(newUUID())), attr("firstName", "X")))
	u := newUUID()
	_, err := apply(t, st, ws, ev(kith.ActionPageVisit, ids(clientID(unknown), browser(u))))
	wantCode(t, "event with an unknown clientId", err, kith.ECodeNotFound)
	eq(t, "owner of its uuid", owner(t, st, ws, kith.KindUUID, u), int64(0))
	eq(t, "unknown clientId answers", survivor(t, st, ws, unknown), int64(0))
}

func testClientIDMergedAway(t *testing.T, st kith.Store, ws *kith.Workspace) {
	u := newUUID()
	a := mustApply(t, st, ws, ev(kith.ActionPageVisit, browser(u)))
	ada := person(ws, "ada")
	p := mustApply(t, st, ws, upsert(ada))
	mustApply(t, st, ws, ev(kith.ActionFormSubmit, ids(ada, browser(u))))

	eq(t, "A's clientId answers", survivor(t, st, ws, a.ClientID), p.ClientID)
	wantGone(t, st, ws, a.ClientID)
	eq(t, "previousClientIds", profile(t, st, ws, p.ClientID).PreviousClientIDs, []int64{a.ClientID})

	res := mustApply(t, st, ws, upsert(clientID(a.ClientID), attr("firstName", "Ada")))
	wantResult(t, res, p.ClientID, false, false)
	res = mustApply(t, st, ws, ev("cart.add", clientID(a.ClientID)))
	wantResult(t, res, p.ClientID, false, false)
	eq(t, "cart.add on the survivor", countAction(t, st, ws, p.ClientID, "cart.add"), 1)
	jsonEq(t, "survivor's attributes", profile(t, st, ws, p.ClientID).Attributes, map[string]any{"firstName": "Ada"})
	// The old clientId together with the survivor's own identifier is no
	// conflict: both name the same profile.
	res = mustApply(t, st, ws, upsert(ids(clientID(a.ClientID), ada)))
	wantResult(t, res, p.ClientID, false, false)
	eq(t, "warnings", codes(res.Warnings), []string{})
}
