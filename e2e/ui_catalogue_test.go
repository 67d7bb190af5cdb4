package e2e

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// post submits a form with the CSRF token of the page at path and
// answers the status and body.
func post(t *testing.T, c *http.Client, base, path, form string, v url.Values) (int, string) {
	t.Helper()
	_, page := get(t, c, base+path)
	v.Set("csrf", csrfOf(page))
	res, err := c.PostForm(base+form, v)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// TestUICatalogue defines attributes and tags from the catalogue pages,
// and shows the catalogue's refusals.
func TestUICatalogue(t *testing.T) {
	e := newEnv(t)
	c := e.uiClient(e.uiUser("shop", "ann@shop.test"))
	base := e.api.URL
	if s, _ := post(t, c, base, "/attributes", "/attributes", url.Values{"name": {"ClubMember"}, "type": {"boolean"}}); s != http.StatusSeeOther {
		t.Fatalf("define ClubMember: %d", s)
	}
	s, body := post(t, c, base, "/attributes", "/attributes", url.Values{"name": {"club_member"}, "type": {"boolean"}})
	if s != http.StatusUnprocessableEntity || !strings.Contains(body, "ClubMember") || !strings.Contains(body, `id="catalogue-error"`) {
		t.Fatalf("a near-duplicate name: %d", s)
	}
	if s, _ := post(t, c, base, "/tags", "/tags", url.Values{"name": {"vip"}, "color": {"#aa3366"}}); s != http.StatusSeeOther {
		t.Fatalf("create tag: %d", s)
	}
	if s, body := post(t, c, base, "/tags", "/tags", url.Values{"name": {"gold"}, "color": {"red"}}); s != http.StatusUnprocessableEntity || !strings.Contains(body, "catalogue-error") {
		t.Fatalf("a bad colour: %d", s)
	}
	if _, page := get(t, c, base+"/tags"); !strings.Contains(page, "#aa3366") {
		t.Fatal("the tag is not listed with its colour")
	}
	if s, _ := post(t, c, base, "/tags", "/tags/vip/delete", url.Values{}); s != http.StatusSeeOther {
		t.Fatalf("delete tag: %d", s)
	}
	if _, page := get(t, c, base+"/tags"); strings.Contains(page, "#aa3366") {
		t.Fatal("the deleted tag is still listed")
	}
}
