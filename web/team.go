package web

import (
	"net/http"

	"github.com/kithcdp/kith"
)

type usersData struct {
	Users []*kith.User
	// Input and Errors are those of a refused form, by field: email and
	// password (a new user), current, new and confirm (one's password).
	Input, Errors map[string]string
	// Created is the user just created; Password its generated password,
	// shown once.
	Created  string
	Password string
	// Changed says the signed-in user's password was just changed.
	Changed bool
}

// users lists the workspace's users, with the forms to add one and to
// change one's own password.
func (h *Handler) users(w http.ResponseWriter, r *http.Request) {
	h.renderUsers(w, r, http.StatusOK, usersData{Changed: r.URL.Query().Get("changed") == "1"})
}

func (h *Handler) renderUsers(w http.ResponseWriter, r *http.Request, status int, d usersData) {
	ctx := r.Context()
	err := h.Store.View(ctx, func(tx kith.ReadTx) error {
		var err error
		d.Users, err = tx.ListUsers(ctx, current(r).ws.ID)
		return err
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, htmxStatus(r, status), "users", page{Title: "Users", Nav: "users", Data: d})
}

// createUser adds a user to the workspace, with the rules of `kith user
// create`: a valid email no user has, a password of MinPasswordLen
// characters or more; an empty password makes a random one, shown once.
func (h *Handler) createUser(w http.ResponseWriter, r *http.Request) {
	email, password := r.PostFormValue("email"), r.PostFormValue("password")
	generated := password == ""
	if generated {
		password = RandomPassword()
	}
	u, err := CreateUser(r.Context(), h.Store, current(r).ws.Name, email, password, h.now())
	if err != nil {
		e := kith.AsError(err)
		if e == nil || e.Code == kith.ECodeInternal || e.Code == kith.ECodeUnavailable || e.Code == kith.ECodeNotFound {
			h.fail(w, r, err)
			return
		}
		field := e.Field
		if field != "password" {
			field = "email"
		}
		h.renderUsers(w, r, http.StatusUnprocessableEntity, usersData{Input: map[string]string{"email": email},
			Errors: map[string]string{field: e.Message}})
		return
	}
	d := usersData{Created: u.Email}
	if generated {
		d.Password = password
	}
	h.renderUsers(w, r, http.StatusOK, d)
}

// changePassword changes the signed-in user's password, given the current
// one, with the rules of `kith user passwd`. Every other session of the
// user ends; this browser stays signed in with a new session.
func (h *Handler) changePassword(w http.ResponseWriter, r *http.Request) {
	s := current(r)
	next, confirm := r.PostFormValue("new"), r.PostFormValue("confirm")
	errs := map[string]string{}
	var hash string
	var err error
	// The cheap checks first: hashing the new password costs a quarter
	// of a second.
	switch {
	case !checkPassword(s.user.PasswordHash, r.PostFormValue("current")):
		errs["current"] = "That is not your current password."
	case next != confirm:
		errs["confirm"] = "The two new passwords differ."
	default:
		if hash, err = HashPassword(next); err != nil {
			errs["new"] = kith.ErrorMessage(err)
		}
	}
	if len(errs) > 0 {
		h.renderUsers(w, r, http.StatusUnprocessableEntity, usersData{Errors: errs})
		return
	}
	ctx := r.Context()
	token, us := h.newSession(s.user)
	err = h.Store.Update(ctx, func(tx kith.Tx) error {
		if err := tx.SetUserPassword(ctx, s.user.ID, hash); err != nil {
			return err
		}
		return tx.CreateUserSession(ctx, us)
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	setSessionCookie(w, r, token, us)
	http.Redirect(w, r, "/users?changed=1", http.StatusSeeOther)
}
