package http_test

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/kithcdp/kith"
)

// want sends a request and fails unless it answers status; it decodes a
// JSON answer into out when out is not nil.
func (e *apiEnv) want(status int, method, path, key string, body, out any) *apiResp {
	e.t.Helper()
	r := e.do(method, path, key, body)
	if r.Status != status {
		e.t.Fatalf("%s %s: %d, want %d: %s", method, path, r.Status, status, r.Body)
	}
	if out != nil {
		r.decode(e.t, out)
	}
	return r
}

// refused sends a request and checks that it is refused with status and
// code (and field, when not empty) and that it wrote nothing.
func (e *apiEnv) refused(status int, code, field, method, path, key string, body any) *problem {
	e.t.Helper()
	before, notes := e.counts(), e.rows("notes")
	p := wantProblem(e.t, e.do(method, path, key, body), status, code)
	if field != "" && !p.hasError(field, code) {
		e.t.Errorf("%s %s: errors lack %s/%s: %+v", method, path, field, code, p.Errors)
	}
	e.wantUnchanged(fmt.Sprintf("refused %s %s", method, path), before)
	if after := e.rows("notes"); after != notes {
		e.t.Errorf("refused %s %s changed the notes: %s before, %s after", method, path, notes, after)
	}
	return p
}

// secretKey adds a secret key called name to c's workspace and returns it.
func (e *apiEnv) secretKey(c *kith.Credentials, name string) string {
	e.t.Helper()
	text, k := kith.NewKey(c.Workspace.ID, kith.KeySecret, name, time.Now())
	err := e.store.Update(context.Background(), func(tx kith.Tx) error { return tx.CreateKey(context.Background(), k) })
	if err != nil {
		e.t.Fatalf("create key: %v", err)
	}
	return text
}

// newProfile upserts a profile with an email and returns it.
func (e *apiEnv) newProfile(key string, extra map[string]any) *profileView {
	e.t.Helper()
	body := map[string]any{"client": map[string]any{"email": newEmail()}}
	for k, v := range extra {
		body[k] = v
	}
	var a upsertAnswer
	e.want(http.StatusOK, "POST", "/api/v1/profiles", key, body, &a)
	return a.Profile
}

// anonymous sends a page visit from a new browser and returns its profile.
func (e *apiEnv) anonymous(c *kith.Credentials) *profileView {
	e.t.Helper()
	u := newUUID()
	e.events(c.TrackerKey, map[string]any{"action": "page.visit", "client": map[string]any{"uuid": u}})
	return e.lookup(c.SecretKey, byUUID(u))
}

// eventView is EVENT as answered.
type eventView struct {
	EventID  string           `json:"eventId"`
	Action   string           `json:"action"`
	Label    string           `json:"label"`
	Time     time.Time        `json:"time"`
	ClientID int64            `json:"clientId"`
	Source   string           `json:"source"`
	Params   map[string]any   `json:"params"`
	Client   kith.Identifiers `json:"client"`
}

type timelinePage struct {
	Events     []eventView `json:"events"`
	NextCursor string      `json:"nextCursor"`
}

// timeline reads a profile's whole timeline, newest first.
func (e *apiEnv) timeline(key string, id int64, query string) []eventView {
	e.t.Helper()
	var out []eventView
	cursor := ""
	for range 1000 {
		var page timelinePage
		e.want(http.StatusOK, "GET", fmt.Sprintf("/api/v1/profiles/%d/events?limit=100%s%s", id, query, cursor), key, nil, &page)
		out = append(out, page.Events...)
		if page.NextCursor == "" {
			return out
		}
		cursor = "&cursor=" + page.NextCursor
	}
	e.t.Fatal("timeline paging does not end")
	return nil
}

// actionsOf returns the actions of a timeline.
func actionsOf(events []eventView) []string {
	out := []string{}
	for _, ev := range events {
		out = append(out, ev.Action)
	}
	return out
}

// countOf counts the events of a timeline with action.
func countOf(events []eventView, action string) int {
	n := 0
	for _, ev := range events {
		if ev.Action == action {
			n++
		}
	}
	return n
}

// rows returns the notes table as text, to compare (counts() does not
// cover it).
func (e *apiEnv) rows(table string) string {
	e.t.Helper()
	var out string
	err := e.raw.QueryRow(`SELECT coalesce(group_concat(note_id || '|' || client_id || '|' || text || '|' || author || '|' ||
		updated_at, char(10)), '') FROM ` + table).Scan(&out)
	if err != nil {
		e.t.Fatalf("read %s: %v", table, err)
	}
	return out
}
