package http_test

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"database/sql"

	"github.com/kithcdp/kith"
)

// pageVisit is a minimal valid event.
func pageVisit() map[string]any {
	return map[string]any{"action": "page.visit", "client": map[string]any{"uuid": newUUID()}}
}

func TestAuthRefusesMissingWrongAndRevokedKeys(t *testing.T) {
	e := startAPI(t, "NORMAL")
	c := e.workspace(kith.ModeEmail)

	// A key stored revoked, and one revoked in the store after creation,
	// before any request could cache it. (There is no revoke endpoint
	// yet; the store has no revoke method, so the second is revoked with
	// SQL on the database file.)
	now := time.Now()
	revokedText, revoked := kith.NewKey(c.Workspace.ID, kith.KeySecret, "revoked", now)
	revoked.RevokedAt = &now
	laterText, later := kith.NewKey(c.Workspace.ID, kith.KeySecret, "revoked later", now)
	trackerRevokedText, trackerRevoked := kith.NewKey(c.Workspace.ID, kith.KeyTracker, "revoked tracker", now)
	trackerRevoked.RevokedAt = &now
	err := e.store.Update(context.Background(), func(tx kith.Tx) error {
		for _, k := range []*kith.Key{revoked, later, trackerRevoked} {
			if err := tx.CreateKey(context.Background(), k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rw, err := sql.Open("sqlite", filepath.Join(e.dir, "kith.db")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer rw.Close()
	if _, err := rw.Exec("UPDATE api_keys SET revoked_at = ? WHERE id = ?", now.UnixMicro(), later.ID); err != nil {
		t.Fatal(err)
	}

	before := e.counts()
	events := map[string]any{"events": []any{pageVisit()}}
	type route struct{ method, path string }
	routes := []route{
		{"POST", "/api/v1/events"},
		{"POST", "/api/v1/profiles"},
		{"POST", "/api/v1/profiles/batch"},
		{"GET", "/api/v1/profiles/1"},
		{"GET", byEmail("ada@example.com")},
		{"GET", byUUID(newUUID())},
		{"GET", byCustomID("LOY-1")},
	}
	for _, rt := range routes {
		var body any
		if rt.method == "POST" {
			body = events
		}
		for name, edit := range map[string]func(*http.Request){
			"no key":       func(*http.Request) {},
			"empty bearer": func(r *http.Request) { r.Header.Set("Authorization", "Bearer ") },
			"wrong key": func(r *http.Request) {
				r.Header.Set("Authorization", "Bearer sk_0123456789abcdef0123456789abcdef0123456789abcdef")
			},
			"revoked key":       func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+revokedText) },
			"revoked later":     func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+laterText) },
			"revoked tracker":   func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+trackerRevokedText) },
			"basic auth":        func(r *http.Request) { r.SetBasicAuth(c.SecretKey, "") },
			"key without label": func(r *http.Request) { r.Header.Set("Authorization", c.SecretKey) },
		} {
			t.Run(rt.method+" "+rt.path+"/"+name, func(t *testing.T) {
				r := e.doWith(rt.method, rt.path, body, edit)
				wantProblem(t, r, http.StatusUnauthorized, kith.ECodeUnauthorized)
			})
		}
	}
	// ?key= works on ingestion only: revoked and wrong keys are refused
	// there too, and secret endpoints ignore it.
	for _, key := range []string{revokedText, laterText, "pk_nope"} {
		r := e.do("POST", "/api/v1/events?key="+key, "", events)
		wantProblem(t, r, http.StatusUnauthorized, kith.ECodeUnauthorized)
	}
	for _, rt := range routes[1:] {
		var body any
		if rt.method == "POST" {
			body = events
		}
		r := e.do(rt.method, rt.path+"?key="+c.SecretKey, "", body)
		wantProblem(t, r, http.StatusUnauthorized, kith.ECodeUnauthorized)
	}
	e.wantUnchanged("refused requests", before)
}

func TestTrackerKeyIsForbiddenOnSecretEndpoints(t *testing.T) {
	e := startAPI(t, "NORMAL")
	c := e.workspace(kith.ModeEmail)
	before := e.counts()
	upsert := map[string]any{"client": map[string]any{"email": "ada@example.com"}}
	for _, tc := range []struct {
		method, path string
		body         any
	}{
		{"POST", "/api/v1/profiles", upsert},
		{"POST", "/api/v1/profiles/batch", map[string]any{"profiles": []any{upsert}}},
		{"GET", "/api/v1/profiles/1", nil},
		{"GET", byEmail("ada@example.com"), nil},
		{"GET", byUUID(newUUID()), nil},
		{"GET", byCustomID("LOY-1"), nil},
	} {
		r := e.do(tc.method, tc.path, c.TrackerKey, tc.body)
		wantProblem(t, r, http.StatusForbidden, kith.ECodeForbidden)
	}
	e.wantUnchanged("tracker key on secret endpoints", before)

	// Both kinds of key send events, in the header or in ?key=.
	for _, key := range []string{c.TrackerKey, c.SecretKey} {
		res := e.events(key, pageVisit())
		if res[0].Status != "accepted" {
			t.Errorf("events with %s: %+v", key[:3], res[0])
		}
		r := e.do("POST", "/api/v1/events?key="+key, "", map[string]any{"events": []any{pageVisit()}})
		if r.Status != http.StatusOK {
			t.Errorf("events with ?key=%s…: %d %s", key[:3], r.Status, r.Body)
		}
	}
}

func TestTrackerKeyOrigins(t *testing.T) {
	e := startAPI(t, "NORMAL")
	ws := kith.NewWorkspace("shop", kith.ModeEmail)
	ws.AllowedOrigins = []string{"https://shop.example"}
	c, err := kith.CreateWorkspace(context.Background(), e.store, ws, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	body := map[string]any{"events": []any{pageVisit()}}
	withOrigin := func(origin, key string) func(*http.Request) {
		return func(r *http.Request) {
			r.Header.Set("Origin", origin)
			r.Header.Set("Authorization", "Bearer "+key)
		}
	}
	before := e.counts()
	r := e.doWith("POST", "/api/v1/events", body, withOrigin("https://evil.example", c.TrackerKey))
	wantProblem(t, r, http.StatusForbidden, kith.ECodeOriginNotAllowed)
	e.wantUnchanged("a tracker key from a foreign origin", before)
	if r := e.doWith("POST", "/api/v1/events", body, withOrigin("https://shop.example", c.TrackerKey)); r.Status != http.StatusOK {
		t.Errorf("allowed origin: %d %s", r.Status, r.Body)
	}
	// Secret keys are not limited to origins.
	if r := e.doWith("POST", "/api/v1/events", body, withOrigin("https://evil.example", c.SecretKey)); r.Status != http.StatusOK {
		t.Errorf("secret key from another origin: %d %s", r.Status, r.Body)
	}
}

func TestWorkspaceIsolation(t *testing.T) {
	e := startAPI(t, "NORMAL")
	a := e.workspace(kith.ModeEmail)
	b := e.workspace(kith.ModeEmail)

	email, u := newEmail(), newUUID()
	r := e.do("POST", "/api/v1/profiles", b.SecretKey, map[string]any{
		"client": map[string]any{"email": email, "customId": "B-1", "uuid": u}})
	if r.Status != http.StatusOK {
		t.Fatalf("upsert in B: %d %s", r.Status, r.Body)
	}
	var up struct {
		ClientID int64 `json:"clientId"`
	}
	r.decode(t, &up)

	for _, path := range []string{byClientID(up.ClientID), byEmail(email), byUUID(u), byCustomID("B-1")} {
		wantProblem(t, e.do("GET", path, a.SecretKey, nil), http.StatusNotFound, kith.ECodeNotFound)
		e.lookup(b.SecretKey, path) // B itself finds it
	}

	// An event in A naming B's clientId is refused; one with B's other
	// identifiers makes a profile of A's own and leaves B's untouched.
	res := e.events(a.SecretKey,
		map[string]any{"action": "x.y", "client": map[string]any{"clientId": up.ClientID}},
		map[string]any{"action": "x.y", "client": map[string]any{"email": email, "customId": "B-1", "uuid": u},
			"profile": map[string]any{"attributes": map[string]any{"firstName": "Mallory"}}})
	if res[0].Status != "rejected" || !hasCode(res[0].Errors, "client.clientId", kith.ECodeNotFound) {
		t.Errorf("A naming B's clientId: %+v", res[0])
	}
	if res[1].Status != "accepted" || res[1].ClientID == up.ClientID || res[1].UUIDConflict {
		t.Errorf("A with B's identifiers: %+v", res[1])
	}
	pb := e.lookup(b.SecretKey, byClientID(up.ClientID))
	if len(pb.Attributes) != 0 || len(pb.UUIDs) != 1 || pb.Email != email {
		t.Errorf("B's profile changed by A's write: %+v", pb)
	}
	pa := e.lookup(a.SecretKey, byEmail(email))
	if pa.ClientID != res[1].ClientID || pa.Attributes["firstName"] != "Mallory" {
		t.Errorf("A's own profile: %+v", pa)
	}
	// Upserts and batches in A never reach B either.
	r = e.do("POST", "/api/v1/profiles", a.SecretKey, map[string]any{"client": map[string]any{"clientId": up.ClientID}})
	wantProblem(t, r, http.StatusNotFound, kith.ECodeNotFound)
}
