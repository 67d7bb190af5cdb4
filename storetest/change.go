package storetest

import (
	"context"
	"testing"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/identity"
)

// changeTests check explicit identifier changes (the PATCH API), the one
// way besides merges and erasure to move an email or customId (R1, R7).
var changeTests = []testCase{
	{"Change_main_identifier", bothModes, testChangeMain},
	{"Change_identifier_refusals", bothModes, testChangeRefusals},
	{"Change_email_is_contact_in_customId_mode", customMode, testChangeContactEmail},
}

func changeID(t testing.TB, st kith.Store, ws *kith.Workspace, id int64, kind kith.IdentifierKind, v string) error {
	t.Helper()
	return session(t, st, ws, func(ctx context.Context, s *identity.Session) error {
		return s.ChangeIdentifier(ctx, id, kind, v)
	})
}

type identifierChangedParams struct {
	Type string  `json:"type"`
	Old  *string `json:"old"`
	New  *string `json:"new"`
}

func strRef(s string) *string { return &s }

func testChangeMain(t *testing.T, st kith.Store, ws *kith.Workspace) {
	kind := ws.MainKind()
	u := newUUID()
	a := mustApply(t, st, ws, ev(kith.ActionPageVisit, browser(u)))
	first, second := mainOf(ws, person(ws, "ada")), mainOf(ws, person(ws, "ada2"))

	// Setting the main identifier recognizes the profile.
	if err := changeID(t, st, ws, a.ClientID, kind, first); err != nil {
		t.Fatalf("set: %v", err)
	}
	p := profile(t, st, ws, a.ClientID)
	eq(t, "main identifier", mainOfProfile(ws, p), first)
	eq(t, "owner", owner(t, st, ws, kind, first), a.ClientID)
	eq(t, "client.identify", countAction(t, st, ws, a.ClientID, kith.ActionClientIdentify), 1)
	evs := eventsOf(t, st, ws, a.ClientID, kith.ActionIdentifierChanged)
	if len(evs) != 1 {
		t.Fatalf("identifierChanged events: %d", len(evs))
	}
	eq(t, "set event", params[identifierChangedParams](t, evs[0]), identifierChangedParams{Type: string(kind), New: strRef(first)})
	eq(t, "set event source", evs[0].Source, kith.SourceSystem)

	// Changing it moves the value: the old one is free.
	if err := changeID(t, st, ws, a.ClientID, kind, second); err != nil {
		t.Fatalf("change: %v", err)
	}
	eq(t, "owner of the new value", owner(t, st, ws, kind, second), a.ClientID)
	eq(t, "owner of the old value", owner(t, st, ws, kind, first), int64(0))
	evs = eventsOf(t, st, ws, a.ClientID, kith.ActionIdentifierChanged)
	eq(t, "change event", params[identifierChangedParams](t, evs[0]),
		identifierChangedParams{Type: string(kind), Old: strRef(first), New: strRef(second)})
	// The old value now makes a new profile of its own.
	b := mustApply(t, st, ws, upsert(person(ws, "ada")))
	if b.ClientID == a.ClientID || !b.Created {
		t.Errorf("the released value resolved to %d (created %v)", b.ClientID, b.Created)
	}
	// The same value again changes nothing.
	if err := changeID(t, st, ws, a.ClientID, kind, second); err != nil {
		t.Fatalf("same value: %v", err)
	}
	eq(t, "events after a no-op", countAction(t, st, ws, a.ClientID, kith.ActionIdentifierChanged), 2)

	// Removing it makes the profile anonymous again.
	if err := changeID(t, st, ws, a.ClientID, kind, ""); err != nil {
		t.Fatalf("remove: %v", err)
	}
	p = profile(t, st, ws, a.ClientID)
	eq(t, "main identifier after removal", mainOfProfile(ws, p), "")
	eq(t, "recognized", p.Recognized(ws), false)
	evs = eventsOf(t, st, ws, a.ClientID, kith.ActionIdentifierChanged)
	eq(t, "removal event", params[identifierChangedParams](t, evs[0]), identifierChangedParams{Type: string(kind), Old: strRef(second)})
	eq(t, "uuid stays", owner(t, st, ws, kith.KindUUID, u), a.ClientID)

	// The secondary identifier (customId in email mode) changes the same way.
	if ws.EmailIsIdentifier() {
		if err := changeID(t, st, ws, a.ClientID, kith.KindCustomID, "LOY-9"); err != nil {
			t.Fatalf("set customId: %v", err)
		}
		eq(t, "customId owner", owner(t, st, ws, kith.KindCustomID, "LOY-9"), a.ClientID)
		eq(t, "still anonymous", profile(t, st, ws, a.ClientID).Recognized(ws), false)
	}
	// A merged-away clientId changes its survivor.
	c := mustApply(t, st, ws, ev(kith.ActionPageVisit, browser(newUUID())))
	mustMerge(t, st, ws, a.ClientID, c.ClientID)
	third := mainOf(ws, person(ws, "ada3"))
	if err := changeID(t, st, ws, c.ClientID, kind, third); err != nil {
		t.Fatalf("change through a merged-away clientId: %v", err)
	}
	eq(t, "owner through the old id", owner(t, st, ws, kind, third), a.ClientID)
}

func testChangeRefusals(t *testing.T, st kith.Store, ws *kith.Workspace) {
	kind := ws.MainKind()
	ada, bob := person(ws, "ada"), person(ws, "bob")
	p := mustApply(t, st, ws, upsert(ada))
	q := mustApply(t, st, ws, upsert(bob))
	before := snapshot(t, st, ws, []int64{p.ClientID, q.ClientID}, ada, bob)

	err := changeID(t, st, ws, p.ClientID, kind, mainOf(ws, bob))
	wantCode(t, "take another profile's main identifier", err, kith.ECodeConflict)
	if e := kith.AsError(err); e == nil || e.Field != string(kind) {
		t.Errorf("conflict field: %+v", e)
	}
	if ws.EmailIsIdentifier() {
		mustApply(t, st, ws, upsert(ids(bob, custom("LOY-B"))))
		before = snapshot(t, st, ws, []int64{p.ClientID, q.ClientID}, ada, bob)
		wantCode(t, "take another profile's customId", changeID(t, st, ws, p.ClientID, kith.KindCustomID, "LOY-B"), kith.ECodeConflict)
	}
	wantCode(t, "unknown profile", changeID(t, st, ws, q.ClientID+1000, kind, "x@example.com"), kith.ECodeNotFound)
	wantCode(t, "uuid", changeID(t, st, ws, p.ClientID, kith.KindUUID, newUUID()), kith.ECodeInvalid)
	wantUnchanged(t, "refused changes", before, snapshot(t, st, ws, []int64{p.ClientID, q.ClientID}, ada, bob))
}

func testChangeContactEmail(t *testing.T, st kith.Store, ws *kith.Workspace) {
	p := mustApply(t, st, ws, upsert(ids(person(ws, "ada"), email("shared@example.com"))))
	q := mustApply(t, st, ws, upsert(person(ws, "bob")))
	// Email is not unique here: two profiles may share it.
	if err := changeID(t, st, ws, q.ClientID, kith.KindEmail, "shared@example.com"); err != nil {
		t.Fatalf("share a contact email: %v", err)
	}
	eq(t, "profiles with the email", byEmail(t, st, ws, "shared@example.com"), []int64{p.ClientID, q.ClientID})
	eq(t, "recognized by customId", profile(t, st, ws, q.ClientID).Recognized(ws), true)
	evs := eventsOf(t, st, ws, q.ClientID, kith.ActionIdentifierChanged)
	if len(evs) != 1 || params[identifierChangedParams](t, evs[0]).Type != "email" {
		t.Errorf("identifierChanged events %v", evs)
	}
	eq(t, "no client.identify for a contact email", countAction(t, st, ws, q.ClientID, kith.ActionClientIdentify), 0)
}
