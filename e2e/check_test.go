package e2e

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kithcdp/kith"
	kithhttp "github.com/kithcdp/kith/http"
)

// eventually calls check until it returns nil, failing t with the last
// error after a deadline. Browsers send asynchronously: tests wait on the
// outcome, never for a fixed time.
func eventually(t *testing.T, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitProfile waits until lookup finds a profile that satisfies ok, and
// returns it.
func waitProfile(t *testing.T, what string, lookup func() (*kithhttp.ProfileView, error), ok func(*kithhttp.ProfileView) error) *kithhttp.ProfileView {
	t.Helper()
	var p *kithhttp.ProfileView
	eventually(t, what, func() error {
		var err error
		if p, err = lookup(); err != nil {
			return err
		}
		if p == nil {
			return fmt.Errorf("no profile")
		}
		if ok != nil {
			return ok(p)
		}
		return nil
	})
	// ok may have looked at events newer than p (hasEvents reads the
	// timeline after the lookup): read p again, so it holds everything
	// those events did.
	if again, err := lookup(); err == nil && again != nil {
		return again
	}
	return p
}

// hasEvents is a waitProfile condition: the profile's timeline holds at
// least n events with each action.
func (e *env) hasEvents(want map[string]int) func(*kithhttp.ProfileView) error {
	return func(p *kithhttp.ProfileView) error {
		got := actions(e.events(p.ClientID))
		for a, n := range want {
			if got[a] < n {
				return fmt.Errorf("profile %d has %d %s events, want %d (timeline %v)", p.ClientID, got[a], a, n, got)
			}
		}
		return nil
	}
}

// actions counts events by action.
func actions(evs []*kith.Event) map[string]int {
	m := map[string]int{}
	for _, ev := range evs {
		m[ev.Action]++
	}
	return m
}

// filter returns the events with one action, oldest first.
func filter(evs []*kith.Event, action string) []*kith.Event {
	var out []*kith.Event
	for _, ev := range evs {
		if ev.Action == action {
			out = append(out, ev)
		}
	}
	return out
}

// params decodes an event's params.
func params(t *testing.T, ev *kith.Event) map[string]any {
	t.Helper()
	m := map[string]any{}
	if len(ev.Params) > 0 {
		if err := json.Unmarshal(ev.Params, &m); err != nil {
			t.Fatalf("event %s params %s: %v", ev.Action, ev.Params, err)
		}
	}
	return m
}

// visitedPaths lists the URL paths (with any fragment) of a timeline's
// page.visit events, oldest first.
func visitedPaths(t *testing.T, evs []*kith.Event) []string {
	t.Helper()
	var out []string
	for _, ev := range filter(evs, "page.visit") {
		u, err := url.Parse(fmt.Sprint(params(t, ev)["url"]))
		if err != nil {
			t.Fatal(err)
		}
		p := u.Path
		if u.Fragment != "" {
			p += "#" + u.Fragment
		}
		out = append(out, p)
	}
	return out
}

// assertNotSent checks that no secret reached the server: neither in any
// request body the browser sent, nor in any stored event of the profiles.
func (e *env) assertNotSent(t *testing.T, clientIDs []int64, secrets ...string) {
	t.Helper()
	for _, r := range e.rec.all() {
		for _, s := range secrets {
			if strings.Contains(r.Body, s) {
				t.Errorf("the browser sent %q: %s", s, r.Body)
			}
		}
	}
	for _, id := range clientIDs {
		for _, ev := range e.events(id) {
			stored, _ := json.Marshal(ev)
			for _, s := range secrets {
				if strings.Contains(string(stored), s) {
					t.Errorf("a stored %s event holds %q: %s", ev.Action, s, stored)
				}
			}
		}
	}
}
