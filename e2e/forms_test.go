package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"

	kithhttp "github.com/kithcdp/kith/http"
)

// A pop-up form inserted into the page after load, whose submit the page
// handles in script (no navigation), is caught like any other form.
func TestPopupForm(t *testing.T) {
	e := newEnv(t)
	b := browser(t)
	uuid := b.open(e.shop.URL + "/popup")
	b.do(chromedp.WaitVisible(chromedp.ID("popup-email")))
	b.fill(map[string]string{"popup-email": "dora@example.com", "popup-first": "Dora"})
	b.do(clickID("popup-submit"), chromedp.WaitVisible(chromedp.ID("popup-done")))

	p := waitProfile(t, "pop-up subscriber", func() (*kithhttp.ProfileView, error) { return e.byEmail("dora@example.com") },
		e.hasEvents(map[string]int{"form.submit": 1, "page.visit": 1, "client.identify": 1}))
	if p.Attributes["firstName"] != "Dora" || len(p.Tags) != 1 || p.Tags[0] != "discount" || p.UUIDs[0] != uuid {
		t.Fatalf("profile %+v: want firstName, the pop-up's tag and the page's uuid", p)
	}
	if got := params(t, filter(e.events(p.ClientID), "form.submit")[0])["formType"]; got != "popup" {
		t.Fatalf("formType %v", got)
	}
}

// Passwords, payment card data and anti-forgery tokens never leave the
// page, whatever the field's type, name or mapping; the rest of the form
// is sent.
func TestSecretsNeverSent(t *testing.T) {
	secrets := map[string]string{
		"password":   "Sesame-Pass-77",      // a password shown as text
		"cardnumber": "4242 4242 4242 4242", // autocomplete=cc-number
		"expiry":     "12/34",               // autocomplete=cc-exp
		"cvc":        "cvc-9731",
		"pin":        "pin-5521",
		"note":       "4111 1111 1111 1111", // a card number in an innocent field
		"mappedcard": "5555555555554444",    // mapped, named cc-number
	}
	e := newEnv(t)
	b := browser(t)
	b.open(e.shop.URL + "/checkout")
	b.fill(map[string]string{"email": "eve@example.com", "message": "Leave it at the door"})
	b.fill(secrets)
	b.submit("submit")

	p := waitProfile(t, "buyer", func() (*kithhttp.ProfileView, error) { return e.byEmail("eve@example.com") },
		e.hasEvents(map[string]int{"form.submit": 1}))
	submit := params(t, filter(e.events(p.ClientID), "form.submit")[0])
	if submit["message"] != "Leave it at the door" || submit["formType"] != "checkout" {
		t.Fatalf("form.submit params %v: the harmless fields must be sent", submit)
	}
	for _, name := range []string{"password", "cardnumber", "exp", "cvc", "pin", "note", "cc-number", "csrf_token"} {
		if v, ok := submit[name]; ok {
			t.Errorf("form.submit params hold %s=%v", name, v)
		}
	}
	if _, ok := p.Attributes["card"]; ok {
		t.Errorf("the mapped card number became an attribute: %v", p.Attributes)
	}
	var values []string
	for _, v := range secrets {
		values = append(values, v)
	}
	// The digits alone too: a card number must not leave in another format.
	values = append(values, "4242424242424242", "4111111111111111", "csrf-value-7f3a")
	e.assertNotSent(t, []int64{p.ClientID}, values...)
	if len(e.rec.all()) == 0 {
		t.Fatal("no request recorded")
	}
}
