package kith

import (
	"reflect"
	"testing"
	"time"
)

// TestCountStored checks that only stored events (with a Seq) are counted,
// by workspace, hour (UTC) and action, and that the counts come sorted in
// that order, which the stores rely on to lock count rows in one order.
func TestCountStored(t *testing.T) {
	h := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	paris := time.FixedZone("CET", 3600)
	ev := func(ws int64, at time.Time, action string, seq int64) *Event {
		return &Event{WorkspaceID: ws, ReceivedAt: at, Action: action, Seq: seq}
	}
	got := CountStored([]*Event{
		ev(2, h.Add(5*time.Minute), "b", 1),
		ev(1, h.Add(61*time.Minute), "a", 2),
		ev(1, h.Add(59*time.Minute).In(paris), "b", 3),
		ev(1, h.Add(time.Minute), "b", 4),
		ev(1, h.Add(2*time.Minute), "a", 5),
		ev(1, h.Add(3*time.Minute), "a", 0), // a duplicate the store skipped
	})
	want := []EventCount{
		{WorkspaceID: 1, Hour: h, Action: "a", Count: 1},
		{WorkspaceID: 1, Hour: h, Action: "b", Count: 2},
		{WorkspaceID: 1, Hour: h.Add(time.Hour), Action: "a", Count: 1},
		{WorkspaceID: 2, Hour: h, Action: "b", Count: 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("CountStored = %+v\nwant %+v", got, want)
	}
}
