package e2e

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// TestUISignInRequired sends visitors without a session to the login page,
// and refuses a wrong password.
func TestUISignInRequired(t *testing.T) {
	e := newEnv(t)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Get(e.api.URL + "/profiles")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Fatalf("GET /profiles without a session: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	e.uiUser("shop", "ann@shop.test")
	for _, tc := range []struct {
		password, token string
		want            int
	}{
		{"wrong password", "", http.StatusUnauthorized},
		{uiPassword, "forged", http.StatusForbidden}, // login CSRF
		{uiPassword, "", http.StatusSeeOther},
	} {
		if tc.token == "" {
			tc.token = loginToken(t, c, e.api.URL)
		}
		res, err = c.PostForm(e.api.URL+"/login", url.Values{"email": {"ann@shop.test"}, "password": {tc.password}, "token": {tc.token}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != tc.want {
			t.Fatalf("password %q, token %q: %d, want %d", tc.password, tc.token, res.StatusCode, tc.want)
		}
	}
}

// TestUICSRF refuses a form post without the session's CSRF token, and
// accepts it with the token.
func TestUICSRF(t *testing.T) {
	e := newEnv(t)
	id := e.uiUpsert(e.secret, `{"client":{"email":"ada@example.com"}}`)
	c := e.uiClient(e.uiUser("shop", "ann@shop.test"))
	card := e.api.URL + "/profiles/" + strconv.FormatInt(id, 10)
	res, err := c.PostForm(card+"/tags", url.Values{"tag": {"vip"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("a post without the CSRF token answered %d, want 403", res.StatusCode)
	}
	_, body := get(t, c, card)
	res, err = c.PostForm(card+"/tags", url.Values{"tag": {"vip"}, "csrf": {csrfOf(body)}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a post with the CSRF token answered %d, want 303", res.StatusCode)
	}
	if p, _ := e.byEmail("ada@example.com"); p == nil || len(p.Tags) != 1 || p.Tags[0] != "vip" {
		t.Fatalf("the tag did not land: %+v", p)
	}
}

// TestUIWorkspaceIsolation: a user of one workspace cannot open another
// workspace's profile.
func TestUIWorkspaceIsolation(t *testing.T) {
	e := newEnv(t)
	otherSecret := e.otherWorkspace("other")
	theirs := e.uiUpsert(otherSecret, `{"client":{"email":"bob@other.test"},"attributes":{"firstName":"Bob"}}`)
	e.uiUpsert(e.secret, `{"client":{"email":"ada@example.com"}}`)
	c := e.uiClient(e.uiUser("shop", "ann@shop.test"))
	status, body := get(t, c, e.api.URL+"/profiles/"+strconv.FormatInt(theirs, 10))
	if status != http.StatusNotFound || strings.Contains(body, "bob@other.test") {
		t.Fatalf("another workspace's profile answered %d", status)
	}
	if _, body := get(t, c, e.api.URL+"/profiles?q=bob"); strings.Contains(body, "bob@other.test") {
		t.Fatal("the search found another workspace's profile")
	}
	// Its own user sees it.
	c2 := e.uiClient(e.uiUser("other", "olga@other.test"))
	if status, body := get(t, c2, e.api.URL+"/profiles/"+strconv.FormatInt(theirs, 10)); status != http.StatusOK || !strings.Contains(body, "bob@other.test") {
		t.Fatalf("the owner's user got %d", status)
	}
}
