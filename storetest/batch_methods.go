package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/kithcdp/kith"
)

// The store's batch methods: lookups of many identifiers or event ids at
// once, and the activity of many profiles written at once.

func testFindClientIDs(t *testing.T, st kith.Store, ws *kith.Workspace) {
	other := createWorkspace(t, st, ws.IdentityMode)
	const (
		ann    = "ann@example.com"
		obrien = "o'brien+shop@example.com"
		nobody = "nobody@example.com"
		theirs = "only-theirs@example.com"
	)
	// customIds that a careless encoding of the list would mangle.
	odd := []string{`LOY-<&>"\'`, "12345", "true", "Łódź-東京 42", "LOY-AB"}
	u1, u2, u3, u4, uo := newUUID(), newUUID(), newUUID(), newUUID(), newUUID()
	p1 := mustApply(t, st, ws, upsert(ids(email(ann), custom(odd[0]), browser(u1)))).ClientID
	p2 := mustApply(t, st, ws, upsert(ids(email(obrien), custom(odd[1]), browser(u2)))).ClientID
	a := mustApply(t, st, ws, ev(kith.ActionPageVisit, browser(u3))).ClientID
	mustApply(t, st, ws, ev(kith.ActionPageVisit, ids(clientID(a), browser(u4)))) // a second uuid
	var rest []int64
	for _, c := range odd[2:] {
		rest = append(rest, mustApply(t, st, ws, upsert(custom(c))).ClientID)
	}
	// The other workspace holds the same identifiers on its own profiles,
	// and some only it holds.
	q1 := mustApply(t, st, other, upsert(ids(email(ann), custom(odd[0]), browser(u1)))).ClientID
	mustApply(t, st, other, upsert(ids(email(theirs), custom("ONLY-THEIRS"), browser(uo))))

	// email
	found(t, "emails, all held", findIDs(t, st, ws, kith.KindEmail, ann, obrien), map[string]int64{ann: p1, obrien: p2})
	found(t, "email nobody holds", findIDs(t, st, ws, kith.KindEmail, nobody), nil)
	found(t, "emails, mixed with duplicates", findIDs(t, st, ws, kith.KindEmail, ann, nobody, obrien, ann, nobody),
		map[string]int64{ann: p1, obrien: p2})
	found(t, "no emails", findIDs(t, st, ws, kith.KindEmail), nil)
	found(t, "another workspace's email", findIDs(t, st, ws, kith.KindEmail, theirs), nil)
	found(t, "email in the other workspace", findIDs(t, st, other, kith.KindEmail, ann, obrien), map[string]int64{ann: q1})

	// customId: exact, case-sensitive values.
	wantC := map[string]int64{odd[0]: p1, odd[1]: p2}
	for i, c := range odd[2:] {
		wantC[c] = rest[i]
	}
	found(t, "customIds, mixed with duplicates", findIDs(t, st, ws, kith.KindCustomID,
		append(append([]string{"loy-ab", "Loy-Ab", "ONLY-THEIRS", "LOY-<&>"}, odd...), odd[0], odd[4])...), wantC)
	found(t, "no customIds", findIDs(t, st, ws, kith.KindCustomID), nil)
	found(t, "customId in the other workspace", findIDs(t, st, other, kith.KindCustomID, odd...), map[string]int64{odd[0]: q1})

	// uuid
	found(t, "uuids, mixed with duplicates", findIDs(t, st, ws, kith.KindUUID, u1, u2, u3, newUUID(), u4, uo, u1, u3),
		map[string]int64{u1: p1, u2: p2, u3: a, u4: a})
	found(t, "no uuids", findIDs(t, st, ws, kith.KindUUID), nil)
	found(t, "uuid in the other workspace", findIDs(t, st, other, kith.KindUUID, u1, u2), map[string]int64{u1: q1})
	// A long list: no limit on the number of values.
	long := []string{u2}
	for range 1500 {
		long = append(long, newUUID())
	}
	found(t, "1501 uuids", findIDs(t, st, ws, kith.KindUUID, long...), map[string]int64{u2: p2})

	// After a merge the uuids answer the survivor.
	mustMerge(t, st, ws, p1, a)
	found(t, "uuids after a merge", findIDs(t, st, ws, kith.KindUUID, u3, u4), map[string]int64{u3: p1, u4: p1})

	// clientIds are not looked up in batches.
	view(t, st, func(ctx context.Context, rx kith.ReadTx) error {
		got, err := rx.FindClientIDs(ctx, ws.ID, kith.KindClientID, []string{fmt.Sprint(p1)})
		if err == nil {
			t.Errorf("FindClientIDs(clientId) = %v, nil; want an error", got)
		}
		return nil
	})
}

func testFindClientIDsCustomMode(t *testing.T, st kith.Store, ws *kith.Workspace) {
	const contact = "contact@example.com"
	u := newUUID()
	p := mustApply(t, st, ws, upsert(ids(custom("C1"), email(contact), browser(u)))).ClientID
	mustApply(t, st, ws, upsert(ids(custom("C2"), email(contact))))
	// An email-mode workspace where the same email is an identifier.
	em := createWorkspace(t, st, kith.ModeEmail)
	e := mustApply(t, st, em, upsert(email(contact))).ClientID

	found(t, "a contact email by KindEmail", findIDs(t, st, ws, kith.KindEmail, contact), nil)
	found(t, "the email in the email-mode workspace", findIDs(t, st, em, kith.KindEmail, contact), map[string]int64{contact: e})
	found(t, "customIds", findIDs(t, st, ws, kith.KindCustomID, "C1", "C3", "c1"), map[string]int64{"C1": p})
	found(t, "uuids", findIDs(t, st, ws, kith.KindUUID, u, newUUID()), map[string]int64{u: p})
}

func testFindEventOwners(t *testing.T, st kith.Store, ws *kith.Workspace) {
	other := createWorkspace(t, st, ws.IdentityMode)
	e1, e2, e3, e4, shared, missing := newUUID(), newUUID(), newUUID(), newUUID(), newUUID(), newUUID()
	p := mustApply(t, st, ws, ev("order.placed", ada, rawEventID(e1))).ClientID
	mustApply(t, st, ws, ev("order.placed", ada, rawEventID(e2)))
	u := newUUID()
	a := mustApply(t, st, ws, ev(kith.ActionPageVisit, browser(u), rawEventID(e3))).ClientID
	mustApply(t, st, ws, ev("order.placed", ada, rawEventID(shared)))
	q := mustApply(t, st, other, ev("order.placed", ada, rawEventID(e4))).ClientID
	mustApply(t, st, other, ev("order.placed", ada, rawEventID(shared)))

	found(t, "stored events", eventOwners(t, st, ws, e1, e2, e3), map[string]int64{e1: p, e2: p, e3: a})
	found(t, "event ids nobody stored", eventOwners(t, st, ws, missing, newUUID()), nil)
	found(t, "mixed with duplicates", eventOwners(t, st, ws, missing, e3, e1, e3, e4),
		map[string]int64{e1: p, e3: a})
	found(t, "no event ids", eventOwners(t, st, ws), nil)
	found(t, "another workspace's event", eventOwners(t, st, ws, e4), nil)
	found(t, "an id stored in both workspaces", eventOwners(t, st, ws, shared), map[string]int64{shared: p})
	found(t, "the other workspace", eventOwners(t, st, other, e4, shared, e1), map[string]int64{e4: q, shared: q})

	// A merge moves the events: their owner is the survivor.
	mustApply(t, st, ws, ev(kith.ActionFormSubmit, ids(ada, browser(u))))
	found(t, "events of a merged-away profile", eventOwners(t, st, ws, e3, e1), map[string]int64{e1: p, e3: p})
}

func testRecordActivity(t *testing.T, st kith.Store, ws *kith.Workspace) {
	t0, t1, t2, t3, t4 := ago(5*time.Hour), ago(4*time.Hour), ago(3*time.Hour), ago(2*time.Hour), ago(time.Hour)
	p := mustApply(t, st, ws, ev(kith.ActionPageVisit, ada, at(t1))).ClientID
	q := mustApply(t, st, ws, ev(kith.ActionPageVisit, email("bob@example.com"), at(t1))).ClientID
	lastActivity(t, st, ws, "setup", p, t1)

	mustRecord := func(what string, acts ...kith.ActivityUpdate) {
		t.Helper()
		if err := recordActivity(t, st, ws, acts...); err != nil {
			t.Fatalf("%s: RecordActivity: %v", what, err)
		}
	}
	mustRecord("forward", kith.ActivityUpdate{ClientID: p, At: t2})
	lastActivity(t, st, ws, "moved forward", p, t2)
	mustRecord("back", kith.ActivityUpdate{ClientID: p, At: t0})
	lastActivity(t, st, ws, "an earlier time never moves it back", p, t2)
	mustRecord("same", kith.ActivityUpdate{ClientID: p, At: t2})
	lastActivity(t, st, ws, "the same time", p, t2)

	// Devices, keyed by browser+os+deviceType, keep their latest sighting.
	mustRecord("device", kith.ActivityUpdate{ClientID: p, Devices: []kith.Device{seenAt(firefox, t1)}})
	lastActivity(t, st, ws, "a zero At leaves it", p, t2)
	eq(t, "devices", devicesOf(t, st, ws, p), map[string]time.Time{devKey(firefox): t1})
	mustRecord("older sighting", kith.ActivityUpdate{ClientID: p, Devices: []kith.Device{seenAt(firefox, t0)}})
	eq(t, "devices after an older sighting", devicesOf(t, st, ws, p), map[string]time.Time{devKey(firefox): t1})
	otherOS, otherType := firefox, firefox
	otherOS.OS, otherType.DeviceType = "Windows", "tablet"
	mustRecord("newer sighting", kith.ActivityUpdate{ClientID: p, Devices: []kith.Device{
		seenAt(firefox, t3), seenAt(otherOS, t0), seenAt(otherType, t2)}})
	eq(t, "devices after a newer sighting", devicesOf(t, st, ws, p), map[string]time.Time{
		devKey(firefox): t3, devKey(otherOS): t0, devKey(otherType): t2})

	// Several profiles in one call, not in clientId order.
	mustRecord("several", kith.ActivityUpdate{ClientID: q, At: t4, Devices: []kith.Device{seenAt(chrome, t4)}},
		kith.ActivityUpdate{ClientID: p, At: t3, Devices: []kith.Device{seenAt(otherOS, t1)}})
	lastActivity(t, st, ws, "several: q", q, t4)
	lastActivity(t, st, ws, "several: p", p, t3)
	eq(t, "q's devices", devicesOf(t, st, ws, q), map[string]time.Time{devKey(chrome): t4})
	eq(t, "p's devices", devicesOf(t, st, ws, p), map[string]time.Time{
		devKey(firefox): t3, devKey(otherOS): t1, devKey(otherType): t2})
	// Nothing to do.
	mustRecord("empty")
	mustRecord("no time, no device", kith.ActivityUpdate{ClientID: q})
	lastActivity(t, st, ws, "after nothing", q, t4)
}

func testRecordActivityMissing(t *testing.T, st kith.Store, ws *kith.Workspace) {
	t1, t2 := ago(2*time.Hour), ago(time.Hour)
	p := mustApply(t, st, ws, ev(kith.ActionPageVisit, ada, at(t1))).ClientID
	u := newUUID()
	gone := mustApply(t, st, ws, ev(kith.ActionPageVisit, browser(u))).ClientID
	mustMerge(t, st, ws, p, gone)
	other := createWorkspace(t, st, ws.IdentityMode)
	theirs := mustApply(t, st, other, ev(kith.ActionPageVisit, ada, at(t1))).ClientID
	unknown := max(p, theirs, gone) + 1000000
	dev := []kith.Device{seenAt(firefox, t2)}
	for _, c := range []struct {
		name string
		acts []kith.ActivityUpdate
	}{
		{"unknown clientId", []kith.ActivityUpdate{{ClientID: p, At: t2}, {ClientID: unknown, At: t2}}},
		{"unknown clientId, devices only", []kith.ActivityUpdate{{ClientID: unknown, Devices: dev}}},
		{"merged-away profile", []kith.ActivityUpdate{{ClientID: gone, At: t2}, {ClientID: p, At: t2}}},
		{"merged-away profile, devices only", []kith.ActivityUpdate{{ClientID: p, Devices: dev}, {ClientID: gone, Devices: dev}}},
		{"another workspace's profile", []kith.ActivityUpdate{{ClientID: theirs, At: t2}}},
		{"another workspace's profile, devices only", []kith.ActivityUpdate{{ClientID: theirs, Devices: dev}}},
	} {
		err := recordActivity(t, st, ws, c.acts...)
		if !errors.Is(err, kith.ErrRetry) {
			t.Errorf("%s: RecordActivity(%+v) = %v, want an error wrapping kith.ErrRetry", c.name, c.acts, err)
		}
	}
	// The other workspace's profile was not touched.
	lastActivity(t, st, other, "the other workspace's profile", theirs, t1)
	eq(t, "the other workspace's devices", devicesOf(t, st, other, theirs), map[string]time.Time{})
}
