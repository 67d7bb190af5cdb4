package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/kithcdp/kith"
)

// cookieName is the session cookie.
const cookieName = "kith_session"

// session is the signed-in user of a request.
type session struct {
	user *kith.User
	ws   *kith.Workspace
	hash []byte
	csrf string
}

type sessionKey struct{}

func current(r *http.Request) *session {
	s, _ := r.Context().Value(sessionKey{}).(*session)
	return s
}

// tokenHash is how a session token is stored.
func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte("kith-session:" + token))
	return h[:]
}

// csrfToken is the session's CSRF token: derived from the session token,
// so only a page of the session can know it, and nothing more is stored.
func csrfToken(token string) string {
	h := sha256.Sum256([]byte("kith-csrf:" + token))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

// secure reports whether the browser reached us over HTTPS.
func secure(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

// signedIn runs next for a signed-in user, or sends the browser to the
// login page. Writes (every method but GET and HEAD) must carry the
// session's CSRF token, as the csrf form field or the X-CSRF-Token header
// (403 without it).
func (h *Handler) signedIn(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, err := h.lookup(r)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if s == nil {
			if r.Method != http.MethodGet {
				http.Error(w, "sign in first", http.StatusUnauthorized)
				return
			}
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			got := r.Header.Get("X-CSRF-Token")
			if got == "" {
				got = r.PostFormValue("csrf")
			}
			if subtle.ConstantTimeCompare([]byte(got), []byte(s.csrf)) != 1 {
				http.Error(w, "missing or wrong CSRF token: reload the page and try again", http.StatusForbidden)
				return
			}
		}
		next(w, r.WithContext(context.WithValue(r.Context(), sessionKey{}, s)))
	}
}

// lookup returns the request's valid session, or nil.
func (h *Handler) lookup(r *http.Request) (*session, error) {
	c, err := r.Cookie(cookieName)
	if err != nil || c.Value == "" {
		return nil, nil
	}
	s := &session{hash: tokenHash(c.Value), csrf: csrfToken(c.Value)}
	ctx := r.Context()
	err = h.Store.View(ctx, func(tx kith.ReadTx) error {
		us, err := tx.FindUserSession(ctx, s.hash)
		if err != nil {
			return err
		}
		if !h.now().Before(us.ExpiresAt) {
			return kith.Errorf(kith.ECodeNotFound, "session expired")
		}
		if s.user, err = tx.FindUser(ctx, us.UserID); err != nil {
			return err
		}
		s.ws, err = tx.FindWorkspace(ctx, s.user.WorkspaceID)
		return err
	})
	if kith.ErrorCode(err) == kith.ECodeNotFound {
		return nil, nil
	}
	return s, err
}

// loginCookie holds the login form's CSRF token (double submit), so that
// another site cannot sign a browser in to an account of its choosing.
const loginCookie = "kith_login"

type loginData struct {
	Email, Next, Error, Token string
}

func (h *Handler) loginPage(w http.ResponseWriter, r *http.Request) {
	h.renderLogin(w, r, http.StatusOK, loginData{Next: safeNext(r.URL.Query().Get("next"))})
}

// renderLogin shows the login form with a fresh login token.
func (h *Handler) renderLogin(w http.ResponseWriter, r *http.Request, status int, d loginData) {
	d.Token = randomToken()
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: d.Token, Path: "/login", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: secure(r), MaxAge: 3600})
	h.render(w, r, status, "login", page{Title: "Sign in", Data: d})
}

// randomToken returns 32 random bytes, base64url-encoded.
func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("web: no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// dummyHash is checked against when no user has the email, so that the
// answer takes as long as for a wrong password.
var dummyHash, _ = HashPassword("no such user, no such password")

// login checks the email and password and starts a session.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	email := strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))
	password := r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	if c, err := r.Cookie(loginCookie); err != nil || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue("token"))) != 1 {
		h.renderLogin(w, r, http.StatusForbidden, loginData{Email: email, Next: next, Error: "The sign-in form expired. Please try again."})
		return
	}
	ctx := r.Context()
	var u *kith.User
	err := h.Store.View(ctx, func(tx kith.ReadTx) error {
		var err error
		u, err = tx.FindUserByEmail(ctx, email)
		return err
	})
	if err != nil && kith.ErrorCode(err) != kith.ECodeNotFound {
		h.fail(w, r, err)
		return
	}
	hash := dummyHash
	if u != nil {
		hash = u.PasswordHash
	}
	if !checkPassword(hash, password) || u == nil {
		h.renderLogin(w, r, http.StatusUnauthorized, loginData{Email: email, Next: next, Error: "That email and password do not match."})
		return
	}
	token, us := h.newSession(u)
	if err := h.Store.Update(ctx, func(tx kith.Tx) error { return tx.CreateUserSession(ctx, us) }); err != nil {
		h.fail(w, r, err)
		return
	}
	setSessionCookie(w, r, token, us)
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: "", Path: "/login", MaxAge: -1})
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// newSession returns a new session of u (to be stored) and its token.
func (h *Handler) newSession(u *kith.User) (string, *kith.UserSession) {
	token := randomToken()
	ttl := h.SessionTTL
	if ttl <= 0 {
		ttl = 12 * time.Hour
	}
	now := h.now()
	return token, &kith.UserSession{Hash: tokenHash(token), UserID: u.ID, WorkspaceID: u.WorkspaceID, CreatedAt: now, ExpiresAt: now.Add(ttl)}
}

// setSessionCookie gives the browser the token of session us.
func setSessionCookie(w http.ResponseWriter, r *http.Request, token string, us *kith.UserSession) {
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: token, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: secure(r), Expires: us.ExpiresAt})
}

// logout ends the session.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := h.Store.Update(ctx, func(tx kith.Tx) error { return tx.DeleteUserSession(ctx, current(r).hash) }); err != nil {
		h.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: secure(r), MaxAge: -1})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// safeNext keeps a post-login destination on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, `\`) {
		return "/"
	}
	return next
}
