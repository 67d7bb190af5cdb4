package e2e

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// csrfOf returns the CSRF token of a page's first form.
func csrfOf(body string) string {
	_, rest, _ := strings.Cut(body, `name="csrf" value="`)
	token, _, _ := strings.Cut(rest, `"`)
	return token
}

// TestUIKeys creates a key from the settings page, shows its text once,
// and revokes it: the API refuses it afterwards.
func TestUIKeys(t *testing.T) {
	e := newEnv(t)
	c := e.uiClient(e.uiUser("shop", "ann@shop.test"))
	_, body := get(t, c, e.api.URL+"/settings")
	res, err := c.PostForm(e.api.URL+"/settings/keys", url.Values{"csrf": {csrfOf(body)}, "kind": {"secret"}, "name": {"CRM sync"}})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	page := string(raw)
	_, rest, ok := strings.Cut(page, `id="new-key-text">`)
	key, _, _ := strings.Cut(rest, "<")
	if !ok || !strings.HasPrefix(key, "sk_") {
		t.Fatalf("the new key is not shown: %d", res.StatusCode)
	}
	if _, again := get(t, c, e.api.URL+"/settings"); strings.Contains(again, key) {
		t.Fatal("the key text is shown twice")
	}
	if p, err := e.withKey(key, "/api/v1/profiles/stats"); err != nil || p != http.StatusOK {
		t.Fatalf("the new key: %d %v", p, err)
	}
	_, body = get(t, c, e.api.URL+"/settings")
	i := strings.LastIndex(body, `/revoke"`)
	j := strings.LastIndex(body[:i], `/settings/keys/`)
	id := body[j+len(`/settings/keys/`) : i]
	res, err = c.PostForm(e.api.URL+"/settings/keys/"+id+"/revoke", url.Values{"csrf": {csrfOf(body)}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke answered %d", res.StatusCode)
	}
	eventually(t, "the revoked key to be refused", func() error {
		if s, err := e.withKey(key, "/api/v1/profiles/stats"); err != nil || s != http.StatusUnauthorized {
			return errStatus(s)
		}
		return nil
	})
}

type errStatus int

func (s errStatus) Error() string { return http.StatusText(int(s)) }

// withKey answers the status of a GET with an API key.
func (e *env) withKey(key, path string) (int, error) {
	req, _ := http.NewRequest(http.MethodGet, e.api.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	res.Body.Close()
	return res.StatusCode, nil
}

// TestUIWorkspaceSettings changes the allowed origins and the uuid policy,
// and shows a refused origin.
func TestUIWorkspaceSettings(t *testing.T) {
	e := newEnv(t)
	c := e.uiClient(e.uiUser("shop", "ann@shop.test"))
	s, body := post(t, c, e.api.URL, "/settings", "/settings/workspace", url.Values{"uuidPolicy": {"derived"}, "allowedOrigins": {"not an origin"}})
	if s != http.StatusUnprocessableEntity || !strings.Contains(body, `id="settings-error"`) {
		t.Fatalf("a bad origin: %d", s)
	}
	s, _ = post(t, c, e.api.URL, "/settings", "/settings/workspace", url.Values{"uuidPolicy": {"derived"}, "allowedOrigins": {"https://shop.example.com\nhttps://www.shop.example.com"}})
	if s != http.StatusSeeOther {
		t.Fatalf("save settings: %d", s)
	}
	_, page := get(t, c, e.api.URL+"/settings")
	if !strings.Contains(page, "https://www.shop.example.com") || !strings.Contains(page, `value="derived" selected`) {
		t.Fatal("the settings were not saved")
	}
}
