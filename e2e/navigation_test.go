package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	kithhttp "github.com/kithcdp/kith/http"
)

// The uuid cookie survives reloads and navigation: one visitor, one
// profile. The cookie is first-party, two years, SameSite=Lax (SPEC §4).
func TestCookiePersists(t *testing.T) {
	e := newEnv(t)
	b := browser(t)
	uuid := b.open(e.shop.URL + "/")
	b.do(chromedp.Reload())
	if got := b.uuid(); got != uuid {
		t.Fatalf("after a reload the uuid is %s, was %s", got, uuid)
	}
	if got := b.open(e.shop.URL + "/about"); got != uuid || b.cookie() != uuid {
		t.Fatalf("on the next page the uuid is %s and the cookie %s, was %s", got, b.cookie(), uuid)
	}

	cookies := run(b, chromedp.Action[network.GetCookiesResult](func(ctx context.Context, tg *chromedp.Target) (network.GetCookiesResult, error) {
		return cdp.Call(ctx, tg, network.GetCookies, network.GetCookiesParams{URLs: []string{e.shop.URL}})
	}))
	var c *network.Cookie
	for _, x := range cookies.Cookies {
		if x.Name == "_kith_uuid" {
			c = x
		}
	}
	if c == nil {
		t.Fatalf("no _kith_uuid cookie in %v", cookies.Cookies)
	}
	// The tracker asks for two years; Chromium caps every cookie at 400
	// days (and the tracker renews it on each page load).
	expires := time.Unix(int64(c.Expires), 0)
	if c.Value != uuid || c.Path != "/" || c.SameSite != network.CookieSameSiteLax || c.HTTPOnly ||
		expires.Before(time.Now().AddDate(0, 0, 399)) {
		t.Fatalf("cookie %+v (expires %s): want the uuid, Path=/, SameSite=Lax, 400 days", c, expires)
	}

	p := waitProfile(t, "profile", func() (*kithhttp.ProfileView, error) { return e.byUUID(uuid) },
		e.hasEvents(map[string]int{"page.visit": 3}))
	if len(p.UUIDs) != 1 {
		t.Fatalf("profile %+v: want one uuid", p)
	}
	if got := visitedPaths(t, e.events(p.ClientID)); !slices.Equal(got, []string{"/", "/", "/about"}) {
		t.Fatalf("visits %v", got)
	}
}

// A single-page app's route changes are page visits: pushState, the back
// button (popstate) and hash routes; an in-page anchor is not.
func TestSPARouteChange(t *testing.T) {
	e := newEnv(t)
	b := browser(t)
	uuid := b.open(e.shop.URL + "/spa")
	visits := func(want ...string) *kithhttp.ProfileView {
		t.Helper()
		return waitProfile(t, "visits "+strings.Join(want, " "), func() (*kithhttp.ProfileView, error) { return e.byUUID(uuid) },
			func(p *kithhttp.ProfileView) error {
				if got := visitedPaths(t, e.events(p.ClientID)); !slices.Equal(got, want) {
					return fmt.Errorf("visits %v", got)
				}
				return nil
			})
	}
	visits("/spa")
	b.do(clickID("anchor"), clickID("cart"))
	p := visits("/spa", "/spa/cart")
	cart := params(t, filter(e.events(p.ClientID), "page.visit")[1])
	if cart["title"] != "Cart" || cart["referrer"] != e.shop.URL+"/spa" {
		t.Fatalf("route change params %v: want the new title, the previous route as referrer", cart)
	}
	b.do(clickID("back"))
	visits("/spa", "/spa/cart", "/spa#details")
	b.do(clickID("account"))
	visits("/spa", "/spa/cart", "/spa#details", "/spa#/account")
}

// A page on an origin that is not in the workspace's allowed origins
// cannot use its tracker key: the events request is refused with 403 and
// nothing is stored.
func TestOriginNotAllowed(t *testing.T) {
	e := newEnv(t)
	b := browser(t)
	uuid := b.open(e.evil.URL + "/")

	var refused request
	eventually(t, "the refused request", func() error {
		for _, r := range e.rec.all() {
			if r.Origin == e.evil.URL {
				refused = r
				return nil
			}
		}
		return fmt.Errorf("no request from %s yet", e.evil.URL)
	})
	if refused.Status != 403 || !strings.Contains(refused.Answer, "origin_not_allowed") || !strings.Contains(refused.Body, uuid) {
		t.Fatalf("request %+v: want the page.visit refused with 403 origin_not_allowed", refused)
	}
	if p, err := e.byUUID(uuid); err != nil || p != nil {
		t.Fatalf("a profile was created for a refused origin: %+v, %v", p, err)
	}

	// The same page on the allowed origin works: the refusal is the origin's.
	ok := b.open(e.shop.URL + "/")
	waitProfile(t, "allowed origin", func() (*kithhttp.ProfileView, error) { return e.byUUID(ok) },
		e.hasEvents(map[string]int{"page.visit": 1}))
}
