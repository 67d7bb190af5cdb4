package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/kithcdp/kith"
)

// testEventCounts checks CountEvents: events counted by the hour (UTC) of
// their ReceivedAt and by action, from the start of the hour holding
// since, per workspace; a duplicate eventId and a rolled-back transaction
// count nothing.
func testEventCounts(t *testing.T, st kith.Store, ws *kith.Workspace) {
	ctx := t.Context()
	other := createWorkspace(t, st, kith.ModeEmail)
	p := mustApply(t, st, ws, ev("page.visit", ada))
	q := mustApply(t, st, other, ev("page.visit", ada))
	// Hours after the events the two profiles were created with.
	base := time.Now().UTC().Add(48 * time.Hour).Truncate(time.Hour)
	at := func(m int) time.Time { return base.Add(time.Duration(m) * time.Minute) }
	event := func(ws *kith.Workspace, clientID int64, action string, received time.Time) *kith.Event {
		return &kith.Event{EventID: newUUID(), WorkspaceID: ws.ID, ClientID: clientID, Action: action,
			Time: received, ReceivedAt: received, Source: kith.SourceAPI}
	}
	insert := func(events ...*kith.Event) error {
		return st.Update(ctx, func(tx kith.Tx) error { return tx.InsertEvents(ctx, events) })
	}
	dup := event(ws, p.ClientID, "page.visit", at(15))
	if err := insert(dup, event(ws, p.ClientID, "page.visit", at(45)), event(ws, p.ClientID, "form.submit", at(65)),
		event(other, q.ClientID, "page.visit", at(20))); err != nil {
		t.Fatal(err)
	}
	// A second transaction adds to the same hour; the resent event and
	// a rolled-back insert add nothing.
	again := *dup
	if err := insert(&again, event(ws, p.ClientID, "page.visit", at(50))); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("roll back")
	err := st.Update(ctx, func(tx kith.Tx) error {
		if err := tx.InsertEvents(ctx, []*kith.Event{event(ws, p.ClientID, "page.visit", at(30))}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("rolled-back update: %v", err)
	}

	for _, c := range []struct {
		ws     *kith.Workspace
		since  time.Time
		action string
		want   int64
	}{
		{ws, at(0), "", 4},
		{ws, at(30), "", 4}, // from the start of the hour
		{ws, at(0), "page.visit", 3},
		{ws, at(60), "", 1},
		{ws, at(119), "form.submit", 1},
		{ws, at(120), "", 0},
		{ws, at(0), "order.placed", 0},
		{other, at(0), "", 1},
	} {
		if n, err := countEvents(t, st, c.ws, c.since, c.action); err != nil || n != c.want {
			t.Errorf("CountEvents(ws %d, since %s, %q) = %d, %v; want %d", c.ws.ID, c.since.Format(time.TimeOnly), c.action, n, err, c.want)
		}
	}
}

// MigrationEvents stores three events of profile clientID in ws, received
// at 10:05 and 10:59 (page.visit) and 11:00 (form.submit) on a fixed day,
// and returns 10:00 of that day: the store tests take a store back to
// before its event counts, reopen it, and check with CheckMigratedCounts
// that the migration counted them.
func MigrationEvents(t testing.TB, st kith.Store, ws *kith.Workspace, clientID int64) time.Time {
	t.Helper()
	hour := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	var events []*kith.Event
	for _, e := range []struct {
		action string
		minute int
	}{{"page.visit", 5}, {"page.visit", 59}, {"form.submit", 60}} {
		at := hour.Add(time.Duration(e.minute) * time.Minute)
		events = append(events, &kith.Event{EventID: newUUID(), WorkspaceID: ws.ID, ClientID: clientID,
			Action: e.action, Time: at, ReceivedAt: at, Source: kith.SourceAPI})
	}
	if err := st.Update(t.Context(), func(tx kith.Tx) error { return tx.InsertEvents(t.Context(), events) }); err != nil {
		t.Fatal(err)
	}
	return hour
}

// CheckMigratedCounts checks the counts of MigrationEvents' events.
func CheckMigratedCounts(t testing.TB, st kith.Store, ws *kith.Workspace, hour time.Time) {
	t.Helper()
	for _, c := range []struct {
		since  time.Time
		action string
		want   int64
	}{
		{hour, "", 3},
		{hour, "page.visit", 2},
		{hour.Add(time.Hour), "", 1},
	} {
		if n, err := countEvents(t, st, ws, c.since, c.action); err != nil || n != c.want {
			t.Errorf("CountEvents(since %s, %q) = %d, %v; want %d", c.since.Format(time.TimeOnly), c.action, n, err, c.want)
		}
	}
}

// countEvents reads CountEvents in a View.
func countEvents(t testing.TB, st kith.Store, ws *kith.Workspace, since time.Time, action string) (n int64, err error) {
	err = st.View(t.Context(), func(tx kith.ReadTx) error {
		n, err = tx.CountEvents(t.Context(), ws.ID, since, action)
		return err
	})
	return n, err
}
