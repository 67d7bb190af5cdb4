package e2e

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	kithhttp "github.com/kithcdp/kith/http"
)

// upsert sends POST /api/v1/profiles with the secret key, as a shop's
// backend does.
func (e *env) upsert(t *testing.T, body string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.api.URL+"/api/v1/profiles", bytes.NewBufferString(body))
	req.Header.Set("Authorization", "Bearer "+e.secret)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("upsert: %d", res.StatusCode)
	}
}

// The shop's backend identified the browser's uuid as Ada behind the
// tracker's back; then Bob submits a pop-up form on that browser. The
// tracker cannot foresee it, the server answers uuidConflict (R6), and the
// tracker — reading the cross-origin answer — moves the browser to Bob.
func TestUUIDConflictHandled(t *testing.T) {
	e := newEnv(t)
	b := browser(t)
	uuidAda := b.open(e.shop.URL + "/popup")
	waitProfile(t, "anonymous profile", func() (*kithhttp.ProfileView, error) { return e.byUUID(uuidAda) }, nil)
	e.upsert(t, fmt.Sprintf(`{"client":{"uuid":%q,"email":"ada@example.com"}}`, uuidAda))

	b.do(chromedp.WaitVisible(chromedp.ID("popup-email")))
	b.fill(map[string]string{"popup-email": "bob@example.com"})
	b.do(clickID("popup-submit"))
	bob := waitProfile(t, "Bob's profile", func() (*kithhttp.ProfileView, error) { return e.byEmail("bob@example.com") },
		e.hasEvents(map[string]int{"form.submit": 1, "user.identify": 1}))
	// The tracker's follow-up user.identify gave the browser's new uuid to
	// Bob (R6 gave his new profile a server-generated one).
	uuidBob := b.uuid()
	if uuidBob == uuidAda {
		t.Fatal("the tracker kept Ada's uuid after a uuidConflict")
	}
	waitProfile(t, "the browser's uuid on Bob", func() (*kithhttp.ProfileView, error) { return e.byUUID(uuidBob) },
		func(p *kithhttp.ProfileView) error {
			if p.ClientID != bob.ClientID {
				return fmt.Errorf("uuid %s is on profile %d, not Bob's %d", uuidBob, p.ClientID, bob.ClientID)
			}
			return nil
		})
	b.open(e.shop.URL + "/about")
	waitProfile(t, "Bob's next visit", func() (*kithhttp.ProfileView, error) { return e.byEmail("bob@example.com") },
		e.hasEvents(map[string]int{"page.visit": 1}))
}

// The same, with a form that leaves the page, on a network slow enough
// that the page is gone before the answer comes: the tracker never reads
// that uuidConflict. The next page must still move the browser to Bob,
// or Bob's browsing is recorded on Ada's profile.
func TestUUIDConflictAcrossNavigation(t *testing.T) {
	e := newEnv(t)
	b := browser(t)
	uuidAda := b.open(e.shop.URL + "/newsletter")
	waitProfile(t, "anonymous profile", func() (*kithhttp.ProfileView, error) { return e.byUUID(uuidAda) }, nil)
	e.upsert(t, fmt.Sprintf(`{"client":{"uuid":%q,"email":"ada@example.com"}}`, uuidAda))

	// The form.submit is stored at once; its answer waits until the
	// thank-you page has sent its own visit.
	e.rec.holdAnswers(func(body string) bool { return strings.Contains(body, `"form.submit"`) },
		func(reqs []request) bool {
			return slices.ContainsFunc(reqs, func(r request) bool { return strings.Contains(r.Body, "/thanks") })
		})
	b.fill(map[string]string{"email": "bob@example.com"})
	b.submit("submit")

	bob := waitProfile(t, "Bob's profile", func() (*kithhttp.ProfileView, error) { return e.byEmail("bob@example.com") },
		e.hasEvents(map[string]int{"form.submit": 1, "page.visit": 1}))
	eventually(t, "the browser to be Bob's", func() error {
		if u := b.uuid(); u == uuidAda {
			return fmt.Errorf("the browser still has Ada's uuid %s", u)
		}
		return nil
	})
	b.open(e.shop.URL + "/about")
	waitProfile(t, "Bob's next visit", func() (*kithhttp.ProfileView, error) { return e.byEmail("bob@example.com") },
		e.hasEvents(map[string]int{"page.visit": 2}))
	if got := visitedPaths(t, e.events(bob.ClientID)); !slices.Equal(got, []string{"/thanks", "/about"}) {
		t.Fatalf("Bob's visits %v", got)
	}
	ada, err := e.byEmail("ada@example.com")
	if err != nil || ada == nil {
		t.Fatal(ada, err)
	}
	if got := visitedPaths(t, e.events(ada.ClientID)); !slices.Equal(got, []string{"/newsletter"}) {
		t.Fatalf("Ada's visits %v: Bob's pages landed on her profile", got)
	}
}
