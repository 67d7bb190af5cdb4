package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestUITagNames checks tags whose names hold characters that mean
// something in a URL (/ ? # % and spaces) everywhere the UI names them:
// the catalogue's links and forms, the profile card, the list's filter.
func TestUITagNames(t *testing.T) {
	e := newEnv(t)
	const spring, odd = "vip/2026 spring", "a?b#c%d &e"
	id := e.uiUpsert(e.secret, `{"client":{"email":"ada@example.com"},"tags":["`+spring+`","`+odd+`","plain"]}`)
	e.uiUpsert(e.secret, `{"client":{"email":"bob@example.com"},"tags":["plain"]}`)
	email := e.uiUser("shop", "ann@shop.test")

	// The catalogue's forms reach the tag (over HTTP: the form's URL).
	c := e.uiClient(email)
	_, page := get(t, c, e.api.URL+"/tags")
	if !strings.Contains(page, `action="/tags/vip%2F2026%20spring"`) || !strings.Contains(page, `action="/tags/a%3Fb%23c%25d%20&amp;e/delete"`) {
		t.Fatal("the catalogue's forms do not escape the tag names")
	}
	if s, _ := post(t, c, e.api.URL, "/tags", "/tags/vip%2F2026%20spring", url.Values{"color": {"#3366aa"}, "description": {"spring VIPs"}}); s != http.StatusSeeOther {
		t.Fatalf("update %q: %d", spring, s)
	}
	if _, page := get(t, c, e.api.URL+"/tags"); !strings.Contains(page, "spring VIPs") {
		t.Fatalf("the description of %q was not saved", spring)
	}

	b := browser(t)
	b.signIn(e.api.URL, email)
	// The catalogue's link filters the list by the tag.
	b.do(chromedp.Navigate(e.api.URL+"/tags"), chromedp.WaitVisible(chromedp.ID("tag-name")))
	b.do(chromedp.Click(chromedp.CSS(`a[href="/profiles?tag=vip%2f2026%20spring"]`)), chromedp.WaitVisible(chromedp.ID("tag-filter")))
	b.waitText("table.list", "ada@example.com")
	listed := func() string {
		return run(b, chromedp.Evaluate[string](`[...document.querySelectorAll('a.who')].map(a => a.innerText).join(' ')`))
	}
	if got := listed(); strings.Contains(got, "bob@example.com") {
		t.Errorf("the filter by %q lists %q", spring, got)
	}
	if v := run(b, chromedp.Value(chromedp.ID("tag-filter"))); v != spring {
		t.Errorf("the tag filter shows %q", v)
	}
	// The filter's select does so too, for the other name.
	b.do(chromedp.SetValue(chromedp.ID("tag-filter"), odd), clickID("search"))
	eventually(t, "the list filtered by "+odd, func() error {
		u := run(b, chromedp.Evaluate[string](`location.search`))
		if q, _ := url.ParseQuery(strings.TrimPrefix(u, "?")); q.Get("tag") != odd {
			return fmt.Errorf("the URL is %s", u)
		}
		if got := listed(); !strings.Contains(got, "ada@example.com") || strings.Contains(got, "bob@example.com") {
			return fmt.Errorf("it lists %q", got)
		}
		return nil
	})

	// The card removes the tag.
	b.do(chromedp.Navigate(fmt.Sprintf("%s/profiles/%d", e.api.URL, id)), chromedp.WaitVisible(chromedp.ID("tags")))
	b.waitText("#tags", odd)
	b.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`button[aria-label=%q]`, "Remove tag "+odd))))
	eventually(t, "the tag to be removed", func() error {
		if got := run(b, chromedp.Evaluate[string](`document.getElementById('tags').innerText`)); strings.Contains(got, odd) || !strings.Contains(got, spring) {
			return fmt.Errorf("the card's tags are %q", got)
		}
		return nil
	})

	// The catalogue deletes the other one (the confirmation accepted).
	b.do(chromedp.Navigate(e.api.URL+"/tags"), chromedp.WaitVisible(chromedp.ID("tag-name")),
		chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`),
		chromedp.Click(chromedp.CSS(`form[action="/tags/vip%2F2026%20spring/delete"] button`)))
	eventually(t, "the tag to be deleted", func() error {
		if got := run(b, chromedp.Evaluate[string](`document.querySelector('main').innerText`)); strings.Contains(got, spring) {
			return fmt.Errorf("the catalogue still lists it")
		}
		return nil
	})
	p, err := e.byEmail("ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(p.Tags, ",") != "plain" {
		t.Errorf("ada's tags are %q, want only plain", p.Tags)
	}
}
