package http_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kithcdp/kith"
)

func TestTimeline(t *testing.T) {
	e := startAPI(t, "NORMAL")
	c := e.workspace(kith.ModeEmail)
	sk := c.SecretKey
	email := newEmail()
	var evs []any
	for i := range 7 {
		evs = append(evs, map[string]any{"action": "page.visit", "label": fmt.Sprint("p", i),
			"time": time.Date(2026, 1, 1, 10, i, 0, 0, time.UTC).Format(time.RFC3339), "client": map[string]any{"email": email}})
	}
	res := e.events(sk, evs...)
	id := res[0].ClientID
	path := fmt.Sprintf("/api/v1/profiles/%d/events", id)

	// Pages of 3, newest first, system events included.
	var all []eventView
	cursor := ""
	pages := 0
	for {
		var page timelinePage
		e.want(200, "GET", path+"?limit=3"+cursor, sk, nil, &page)
		pages++
		all = append(all, page.Events...)
		if page.NextCursor == "" {
			break
		}
		// Events arriving meanwhile do not disturb the next page.
		e.events(sk, map[string]any{"action": "cart.add", "client": map[string]any{"email": email}})
		cursor = "&cursor=" + page.NextCursor
	}
	// The events are backdated: client.add, at receipt, is the newest.
	if pages != 3 || len(all) != 8 || all[0].Action != "client.add" || all[1].Label != "p6" || all[7].Label != "p0" {
		t.Fatalf("%d pages: %v", pages, actionsOf(all))
	}
	ev := all[1]
	if ev.ClientID != id || ev.Source != "api" || ev.Client.Email != email || ev.Params == nil || ev.EventID == "" {
		t.Errorf("event %+v", ev)
	}
	if all[0].Source != "system" {
		t.Errorf("client.add source %q", all[0].Source)
	}
	var filtered timelinePage
	e.want(200, "GET", path+"?action=cart.add", sk, nil, &filtered)
	if len(filtered.Events) != 2 || filtered.NextCursor != "" {
		t.Errorf("filtered %+v", filtered)
	}

	for _, tc := range []struct {
		status      int
		code, field string
		query       string
	}{
		{400, kith.ECodeInvalidCursor, "cursor", "?cursor=nope"},
		{400, kith.ECodeInvalidCursor, "cursor", "?cursor=cDox"}, // a list cursor
		{400, kith.ECodeInvalid, "limit", "?limit=0"},
		{400, kith.ECodeInvalid, "limit", "?limit=501"},
		{400, kith.ECodeInvalidAction, "action", "?action=" + strings.Repeat("a", 129)},
	} {
		e.refused(tc.status, tc.code, tc.field, "GET", path+tc.query, sk, nil)
	}
	e.refused(404, kith.ECodeNotFound, "", "GET", "/api/v1/profiles/987654/events", sk, nil)
	e.refused(404, kith.ECodeNotFound, "", "GET", fmt.Sprintf("/api/v1/profiles/%d/nothing", id), sk, nil)
	e.refused(400, kith.ECodeInvalidClientID, "clientId", "GET", "/api/v1/profiles/x/events", sk, nil)
}

func TestManualEvents(t *testing.T) {
	e := startAPI(t, "NORMAL")
	c := e.workspace(kith.ModeEmail)
	sk := c.SecretKey
	p := e.newProfile(sk, nil)
	path := byClientID(p.ClientID) + "/events"
	id := newUUID()
	var ev eventView
	e.want(201, "POST", path, sk, map[string]any{"eventId": id, "action": "call.inbound", "label": "Phone call",
		"time": "2026-01-02T10:00:00Z", "params": map[string]any{"minutes": 5}}, &ev)
	if ev.EventID != id || ev.Source != "manual" || ev.Action != "call.inbound" || ev.Label != "Phone call" ||
		ev.Params["minutes"] != 5.0 || ev.ClientID != p.ClientID || ev.Client.ClientID != p.ClientID ||
		!ev.Time.Equal(time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("manual event %+v", ev)
	}
	var again eventView
	e.want(200, "POST", path, sk, map[string]any{"eventId": id, "action": "call.inbound"}, &again)
	if again.EventID != id || again.Label != "Phone call" {
		t.Errorf("duplicate answered %+v", again)
	}
	var minimal eventView
	e.want(201, "POST", path, sk, map[string]any{"action": "visit.store"}, &minimal)
	if minimal.Time.IsZero() || minimal.Source != "manual" || minimal.Params == nil || len(minimal.Params) != 0 {
		t.Errorf("minimal manual event %+v", minimal)
	}
	if n := countOf(e.timeline(sk, p.ClientID, ""), "call.inbound"); n != 1 {
		t.Errorf("call.inbound stored %d times", n)
	}

	for _, tc := range []struct {
		code, field string
		body        any
	}{
		{kith.ECodeRequired, "action", map[string]any{"label": "x"}},
		{kith.ECodeReservedAction, "action", map[string]any{"action": "client.add"}},
		{kith.ECodeInvalidTime, "time", map[string]any{"action": "x", "time": "yesterday"}},
		{kith.ECodeInvalidParams, "params", map[string]any{"action": "x", "params": []int{1}}},
		{kith.ECodeInvalidEventID, "eventId", map[string]any{"action": "x", "eventId": "42"}},
		{kith.ECodeUnknownField, "client", map[string]any{"action": "x", "client": map[string]any{"uuid": newUUID()}}},
		{kith.ECodeInvalidJSON, "", `{"action":`},
	} {
		e.refused(400, tc.code, tc.field, "POST", path, sk, tc.body)
	}
	e.refused(404, kith.ECodeNotFound, "", "POST", "/api/v1/profiles/987654/events", sk, map[string]any{"action": "x"})
}
