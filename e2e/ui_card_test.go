package e2e

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestUIProfileCard works through the admin UI as a marketer would: sign
// in, find a profile by email, edit it, and see every change in its
// timeline. It also takes the screenshots of the dashboard, the list and
// the card at 1280×800.
func TestUIProfileCard(t *testing.T) {
	e := newEnv(t)
	id := e.uiUpsert(e.secret, `{"client":{"email":"ada@example.com","customId":"LOY-1"},
		"attributes":{"firstName":"Ada","lastName":"Lovelace","city":"London","club":"<script>alert(1)</script>"},
		"tags":["newsletter"],"agreements":{"sms":true}}`)
	for i, email := range []string{"grace@example.com", "alan@example.com", "edsger@example.com"} {
		e.uiUpsert(e.secret, `{"client":{"email":"`+email+`"},"attributes":{"firstName":"Customer `+strconv.Itoa(i+1)+`"}}`)
	}
	e.uiUpsert(e.secret, `{"client":{"uuid":"0b7c4c4e-1c39-4f53-9b5e-1d7bb6d1f2a1"}}`)
	email := e.uiUser("shop", "ann@shop.test")

	b := browser(t)
	b.do(chromedp.EmulateViewport(1280, 800))
	b.signIn(e.api.URL, email)
	b.waitText("#stat-total", "5")
	b.screenshot("dashboard")

	// Find the profile by email.
	b.do(chromedp.Navigate(e.api.URL+"/profiles"), chromedp.WaitVisible(chromedp.ID("q")))
	b.screenshot("list")
	b.do(chromedp.SendKeys(chromedp.ID("q"), "ada@example.com"), clickID("search"))
	eventually(t, "the search to find one profile", func() error {
		n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`location.search.includes('q=') ? document.querySelectorAll('a.who').length : -1`))
		if err == nil && n != 1 {
			err = fmt.Errorf("%d profiles listed", n)
		}
		return err
	})
	b.waitText("table.list", "ada@example.com")
	b.do(chromedp.Click(chromedp.CSS("a.who")), chromedp.WaitVisible(chromedp.ID("profile-title")))
	b.waitText("#profile-title", "Ada Lovelace")

	// A value that looks like markup is text.
	if v := run(b, chromedp.Evaluate[string](`document.getElementById('val-club').value`)); v != "<script>alert(1)</script>" {
		t.Fatalf("the club field holds %q", v)
	}
	if run(b, chromedp.Evaluate[bool](`[...document.scripts].some(s => s.textContent.includes('alert(1)'))`)) {
		t.Fatal("an attribute value became a script")
	}
	b.waitText("#timeline", "club set to <script>alert(1)</script>")

	// Edit an attribute in place: its Save button shows once the field
	// has the focus.
	setAttr := func(name, value string) {
		b.idle()
		b.do(chromedp.Click(chromedp.ID("val-"+name)), chromedp.SetValue(chromedp.ID("val-"+name), value),
			chromedp.Click(chromedp.CSS("#attr-"+name+" button")))
	}
	setAttr("city", "Paris")
	b.waitText("#timeline", "city changed from London to Paris")

	// A refused birthDate is explained at the field, and nothing changes.
	setAttr("birthDate", "2999-01-01")
	b.waitText("#attr-birthDate .field-error", "future")
	setAttr("birthDate", "1990-12-10")
	b.waitText("#timeline", "birthDate set to 1990-12-10")

	// Toggle an agreement: audited with source ui.
	b.idle()
	b.do(clickID("agreement-email"))
	b.waitText("#timeline", "email consent granted (source ui)")

	// Add a tag and a note.
	b.idle()
	b.do(chromedp.SendKeys(chromedp.ID("new-tag"), "vip"), clickID("add-tag"))
	b.waitText("#timeline", "Tag vip added")
	b.waitText("#tags", "vip")
	b.idle()
	b.do(chromedp.SendKeys(chromedp.ID("note-text"), "Called about the late parcel."), clickID("add-note"))
	b.waitText("#notes", "Called about the late parcel.")
	b.waitText("#notes", email)
	b.waitText("#timeline", "Note added")

	// The changes went through the same paths as the API.
	p, err := e.byEmail("ada@example.com")
	if err != nil || p == nil {
		t.Fatalf("profile: %v", err)
	}
	if p.Attributes["city"] != "Paris" || p.Attributes["birthDate"] != "1990-12-10" || !p.Agreements["email"] {
		t.Fatalf("the profile is %+v", p)
	}
	if p.ClientID != id {
		t.Fatalf("clientId %d, want %d", p.ClientID, id)
	}
	b.do(chromedp.Navigate(e.api.URL+"/profiles/"+strconv.FormatInt(id, 10)), chromedp.WaitVisible(chromedp.ID("profile-title")))
	b.screenshot("card")
	b.do(chromedp.Navigate(e.api.URL+"/settings"), chromedp.WaitVisible(chromedp.ID("snippet")))
	b.screenshot("settings")
	b.do(chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
		chromedp.Navigate(e.api.URL+"/profiles/"+strconv.FormatInt(id, 10)), chromedp.WaitVisible(chromedp.ID("profile-title")))
	b.screenshot("card-phone")
}
