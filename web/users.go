package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/kithcdp/kith"
)

// PasswordCost is the bcrypt cost of stored passwords.
const PasswordCost = 12

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 10

// HashPassword returns the bcrypt hash of a password (invalid when it is
// shorter than MinPasswordLen or longer than bcrypt's 72 bytes).
func HashPassword(password string) (string, error) {
	if utf8.RuneCountInString(password) < MinPasswordLen {
		return "", kith.FieldErrorf("password", kith.ECodeInvalid, "passwords are at least %d characters", MinPasswordLen)
	}
	if len(password) > 72 {
		return "", kith.FieldErrorf("password", kith.ECodeInvalid, "passwords are at most 72 bytes")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), PasswordCost)
	if err != nil {
		return "", err
	}
	return string(h), nil
}

// checkPassword reports whether password matches a stored hash.
func checkPassword(hash, password string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

// NormalizeUserEmail trims and lower-cases a user's email (invalid when it
// is not an address).
func NormalizeUserEmail(email string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(email))
	at := strings.LastIndexByte(e, '@')
	if at < 1 || at == len(e)-1 || len(e) > 254 || strings.ContainsAny(e, " \t\r\n<>") {
		return "", kith.FieldErrorf("email", kith.ECodeInvalidEmail, "%q is not an email address", email)
	}
	return e, nil
}

// CreateUser adds an admin user to the workspace called wsName (not_found
// without it, conflict when the email is taken).
func CreateUser(ctx context.Context, st kith.Store, wsName, email, password string, now time.Time) (*kith.User, error) {
	email, err := NormalizeUserEmail(email)
	if err != nil {
		return nil, err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return nil, err
	}
	u := &kith.User{Email: email, PasswordHash: hash, Role: kith.RoleAdmin, CreatedAt: now.UTC()}
	err = st.Update(ctx, func(tx kith.Tx) error {
		ws, err := tx.FindWorkspaceByName(ctx, wsName)
		if err != nil {
			return err
		}
		u.WorkspaceID = ws.ID
		return tx.CreateUser(ctx, u)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// SetPassword replaces a user's password and signs them out everywhere
// (not_found when no user has the email).
func SetPassword(ctx context.Context, st kith.Store, email, password string) error {
	email, err := NormalizeUserEmail(email)
	if err != nil {
		return err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	return st.Update(ctx, func(tx kith.Tx) error {
		u, err := tx.FindUserByEmail(ctx, email)
		if err != nil {
			return err
		}
		return tx.SetUserPassword(ctx, u.ID, hash)
	})
}

// EnsureAdmin creates the user admin@localhost with a random password in
// workspace wsName when it has no users, and returns that password ("" when
// the workspace had users already).
func EnsureAdmin(ctx context.Context, st kith.Store, wsName string, now time.Time) (string, error) {
	var n int64
	err := st.View(ctx, func(tx kith.ReadTx) error {
		ws, err := tx.FindWorkspaceByName(ctx, wsName)
		if err != nil {
			return err
		}
		n, err = tx.CountUsers(ctx, ws.ID)
		return err
	})
	if err != nil || n > 0 {
		return "", err
	}
	password := RandomPassword()
	_, err = CreateUser(ctx, st, wsName, "admin@localhost", password, now)
	if kith.ErrorCode(err) == kith.ECodeConflict {
		return "", nil // another node created it first
	}
	if err != nil {
		return "", err
	}
	return password, nil
}

// RandomPassword returns 20 random URL-safe characters.
func RandomPassword() string {
	b := make([]byte, 15)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
