package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestUIUsers lists the workspace's users, adds users (refusals shown at
// the field, a generated password shown once), and changes one's own
// password: this browser stays signed in, other sessions end.
func TestUIUsers(t *testing.T) {
	e := newEnv(t)
	email := e.uiUser("shop", "ann@shop.test")
	e.otherWorkspace("other")
	e.uiUser("other", "zed@other.test")
	elsewhere := e.uiClient(email) // another browser of ann's

	b := browser(t)
	b.do(chromedp.EmulateViewport(1280, 800))
	b.signIn(e.api.URL, email)
	b.do(chromedp.Navigate(e.api.URL+"/users"), chromedp.WaitVisible(chromedp.ID("user-list")))
	b.waitText("#user-list", "ann@shop.test")
	if run(b, chromedp.Evaluate[bool](`document.getElementById('user-list').innerText.includes('zed@other.test')`)) {
		t.Fatal("another workspace's user is listed")
	}

	addUser := func(email, password string) {
		b.idle()
		// chromedp's SetValue cannot set an empty value.
		b.do(chromedp.SetValue(chromedp.ID("user-email"), email),
			chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.getElementById('user-password').value = %q`, password)),
			clickID("create-user"))
	}
	addUser("bob@shop.test", "short")
	b.waitText("#user-password-error", "at least 10 characters")
	addUser("zed@other.test", "long enough password")
	b.waitText("#user-email-error", "a user with email zed@other.test exists")
	// The browser checks the address too; the server does whatever sends it.
	if status, page := post(t, elsewhere, e.api.URL, "/users", "/users", url.Values{"email": {"ann@"}, "password": {"long enough password"}}); status != http.StatusUnprocessableEntity || !strings.Contains(page, `is not an email address`) {
		t.Errorf("an invalid email: %d", status)
	}
	addUser("BOB@shop.test", "")
	b.waitText("#user-created", "User bob@shop.test added")
	password := run(b, chromedp.Text(chromedp.ID("new-password")))
	b.waitText("#user-list", "bob@shop.test")
	b.screenshot("users")
	if c := e.signInAs("bob@shop.test", password); c == nil {
		t.Fatal("the new user cannot sign in with the generated password")
	}

	changePassword := func(current, next, confirm string) {
		b.idle()
		b.do(chromedp.SetValue(chromedp.ID("password-current"), current), chromedp.SetValue(chromedp.ID("password-new"), next),
			chromedp.SetValue(chromedp.ID("password-confirm"), confirm), clickID("save-password"))
	}
	changePassword("wrong password", "a brand new password", "a brand new password")
	b.waitText("#password-current-error", "not your current password")
	changePassword(uiPassword, "too short", "too short")
	b.waitText("#password-new-error", "at least 10 characters")
	changePassword(uiPassword, "a brand new password", "a brand new passwort")
	b.waitText("#password-confirm-error", "differ")
	changePassword(uiPassword, "a brand new password", "a brand new password")
	b.waitText("#password-changed", "Your password was changed")

	// This browser is still signed in, the other one is not, and the new
	// password signs in.
	b.do(chromedp.Navigate(e.api.URL+"/users"), chromedp.WaitVisible(chromedp.ID("user-list")))
	if status, _ := get(t, elsewhere, e.api.URL+"/users"); status != http.StatusSeeOther {
		t.Errorf("the other session after the change: %d, want a redirect to sign in", status)
	}
	if e.signInAs(email, "a brand new password") == nil {
		t.Error("the new password does not sign in")
	}
}
