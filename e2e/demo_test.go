package e2e

import (
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"

	kithhttp "github.com/kithcdp/kith/http"
)

// The demo shop (package demo) is served by the API server at /demo/ and
// works as its README says: opened with ?key=pk_…, it loads the tracker,
// and its pop-up, newsletter and login forms reach Kith — the password
// does not.
func TestDemoShop(t *testing.T) {
	e := newEnv(t)
	b := browser(t)
	uuid := b.open(e.api.URL + "/demo/?key=" + url.QueryEscape(e.tracker))
	waitProfile(t, "demo visitor", func() (*kithhttp.ProfileView, error) { return e.byUUID(uuid) },
		e.hasEvents(map[string]int{"page.visit": 1}))

	b.do(clickID("offer"), chromedp.WaitVisible(chromedp.ID("popup-email")))
	b.fill(map[string]string{"popup-email": "demo@example.com"})
	b.do(clickID("popup-submit"), chromedp.WaitVisible(chromedp.CSS(".thanks")))
	p := waitProfile(t, "demo subscriber", func() (*kithhttp.ProfileView, error) { return e.byEmail("demo@example.com") },
		e.hasEvents(map[string]int{"form.submit": 1}))
	if p.UUIDs[0] != uuid || len(p.Tags) != 2 {
		t.Fatalf("profile %+v: want the visitor's profile with the pop-up's tags", p)
	}

	// The key is remembered: the other pages need no ?key=.
	if got := b.follow(`a[href="newsletter.html"]`); got != uuid {
		t.Fatalf("uuid %s on the newsletter page, was %s", got, uuid)
	}
	b.fill(map[string]string{"email": "demo@example.com", "firstName": "Dee"})
	b.do(clickID("consent"), clickID("subscribe"), chromedp.WaitVisible(chromedp.CSS(".thanks")))
	p = waitProfile(t, "demo newsletter", func() (*kithhttp.ProfileView, error) { return e.byEmail("demo@example.com") },
		e.hasEvents(map[string]int{"form.submit": 2}))
	if p.Attributes["firstName"] != "Dee" || !p.Agreements["email"] || len(p.Tags) != 4 {
		t.Fatalf("profile %+v: want firstName, the email consent and both forms' tags", p)
	}

	if got := b.follow(`a[href="login.html"]`); got != uuid {
		t.Fatalf("uuid %s on the login page, was %s", got, uuid)
	}
	const password = "demo-Passw0rd"
	b.fill(map[string]string{"loyaltyId": "CARD-7", "password": password})
	b.do(clickID("login"), chromedp.WaitVisible(chromedp.CSS(".thanks")))
	p = waitProfile(t, "demo login", func() (*kithhttp.ProfileView, error) { return e.byEmail("demo@example.com") },
		e.hasEvents(map[string]int{"form.submit": 3}))
	if p.CustomID != "CARD-7" {
		t.Fatalf("profile %+v: want customId CARD-7", p)
	}
	e.assertNotSent(t, []int64{p.ClientID}, password)
}
