package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/web"
)

const uiPassword = "correct horse battery"

// uiUser creates an admin UI user in workspace wsName and returns its email.
func (e *env) uiUser(wsName, email string) string {
	e.t.Helper()
	if _, err := web.CreateUser(context.Background(), e.store, wsName, email, uiPassword, time.Now()); err != nil {
		e.t.Fatal(err)
	}
	return email
}

// uiUpsert creates or updates a profile with the secret key and returns its
// clientId.
func (e *env) uiUpsert(secret string, body string) int64 {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.api.URL+"/api/v1/profiles", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+secret)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var out struct{ ClientID int64 }
	if res.StatusCode != http.StatusOK || json.Unmarshal(b, &out) != nil {
		e.t.Fatalf("upsert: %d %s", res.StatusCode, b)
	}
	return out.ClientID
}

// otherWorkspace creates a second workspace and returns its secret key.
func (e *env) otherWorkspace(name string) string {
	e.t.Helper()
	creds, err := kith.CreateWorkspace(context.Background(), e.store, kith.NewWorkspace(name, kith.ModeEmail), time.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	return creds.SecretKey
}

// uiClient signs in with a plain HTTP client (cookies kept, redirects not
// followed) and returns it.
func (e *env) uiClient(email string) *http.Client {
	e.t.Helper()
	c := e.signInAs(email, uiPassword)
	if c == nil {
		e.t.Fatalf("sign in as %s: refused", email)
	}
	return c
}

// signInAs signs in with a plain HTTP client (cookies kept, redirects not
// followed) and returns it, or nil when the sign-in is refused.
func (e *env) signInAs(email, password string) *http.Client {
	e.t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.PostForm(e.api.URL+"/login", url.Values{"email": {email}, "password": {password}, "token": {loginToken(e.t, c, e.api.URL)}})
	if err != nil {
		e.t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		return nil
	}
	return c
}

// loginToken loads the login page with c and returns its form token.
func loginToken(t *testing.T, c *http.Client, base string) string {
	t.Helper()
	_, page := get(t, c, base+"/login")
	_, rest, _ := strings.Cut(page, `name="token" value="`)
	token, _, _ := strings.Cut(rest, `"`)
	return token
}

// get answers a GET with c: status and body.
func get(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	res, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// signIn signs in in the browser tab and waits for the dashboard.
func (b *tab) signIn(base, email string) {
	b.t.Helper()
	b.do(chromedp.Navigate(base+"/login"),
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), uiPassword),
		clickID("signin"),
		chromedp.WaitVisible(chromedp.ID("stat-total")))
}

// waitText waits until the element sel's text, or the value of a text
// area in it, contains want.
func (b *tab) waitText(sel, want string) {
	b.t.Helper()
	js := fmt.Sprintf(`(() => { const el = document.querySelector(%q); if (!el) return '';
		return el.innerText + [...el.querySelectorAll('textarea')].map(t => '\n' + t.value).join(''); })()`, sel)
	eventually(b.t, fmt.Sprintf("%s to show %q", sel, want), func() error {
		got, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](js))
		if err != nil {
			return err
		}
		if !strings.Contains(got, want) {
			return fmt.Errorf("it shows %q", got)
		}
		return nil
	})
}

// screenshot saves the viewport as name.png in $KITH_SCREENSHOTS, or in
// a temporary directory, and logs where.
func (b *tab) screenshot(name string) {
	b.t.Helper()
	dir := os.Getenv("KITH_SCREENSHOTS")
	if dir == "" {
		dir = b.t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	png := run(b, chromedp.CaptureScreenshot())
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG")) {
		b.t.Fatalf("%s is not a PNG", path)
	}
	b.t.Logf("screenshot: %s", path)
}

// webSetPassword changes ann@shop.test's password.
func webSetPassword(t *testing.T, st kith.Store) error {
	return web.SetPassword(t.Context(), st, "ann@shop.test", "another good password")
}

// idle waits until htmx has no request, swap or settle in progress, so
// that a click lands on the page as it will stay.
func (b *tab) idle() {
	b.t.Helper()
	eventually(b.t, "htmx to be idle", func() error {
		busy, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](
			`document.readyState !== 'complete' || !!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')`))
		if err == nil && busy {
			err = fmt.Errorf("htmx is busy")
		}
		return err
	})
}
