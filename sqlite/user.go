package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/kithcdp/kith"
)

const userColumns = `id, workspace_id, email, password_hash, role, created_at`

// CreateUser stores u and sets its ID (conflict when the email is taken).
func (t *tx) CreateUser(ctx context.Context, u *kith.User) error {
	created := orTime(u.CreatedAt, t.now())
	err := t.queryRow(ctx, `INSERT INTO users (workspace_id, email, password_hash, role, created_at)
		VALUES (?, ?, ?, ?, ?) RETURNING id`,
		u.WorkspaceID, u.Email, u.PasswordHash, u.Role, micros(created)).Scan(&u.ID)
	switch {
	case isUnique(err):
		return kith.Errorf(kith.ECodeConflict, "a user with email %s exists", u.Email)
	case isForeignKey(err):
		return notFound("no workspace %d", u.WorkspaceID)
	case err != nil:
		return storeErr("create user", err)
	}
	u.CreatedAt = created
	return nil
}

// SetUserPassword replaces a user's password hash and ends its sessions.
func (t *tx) SetUserPassword(ctx context.Context, id int64, hash string) error {
	c, err := t.affected(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, hash, id)
	if err != nil {
		return storeErr("set password", err)
	}
	if c == 0 {
		return notFound("no user %d", id)
	}
	if _, err := t.exec(ctx, `DELETE FROM user_sessions WHERE user_id = ?`, id); err != nil {
		return storeErr("end sessions", err)
	}
	return nil
}

// CreateUserSession stores s.
func (t *tx) CreateUserSession(ctx context.Context, s *kith.UserSession) error {
	_, err := t.exec(ctx, `INSERT INTO user_sessions (hash, user_id, workspace_id, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?)`, s.Hash, s.UserID, s.WorkspaceID, micros(s.CreatedAt), micros(s.ExpiresAt))
	if err != nil {
		return storeErr("create session", err)
	}
	return nil
}

// DeleteUserSession removes a session by its token hash.
func (t *tx) DeleteUserSession(ctx context.Context, hash []byte) error {
	if _, err := t.exec(ctx, `DELETE FROM user_sessions WHERE hash = ?`, hash); err != nil {
		return storeErr("delete session", err)
	}
	return nil
}

// DeleteExpiredUserSessions removes the sessions that expired by before.
func (t *tx) DeleteExpiredUserSessions(ctx context.Context, before time.Time) (int64, error) {
	n, err := t.affected(ctx, `DELETE FROM user_sessions WHERE expires_at <= ?`, micros(before))
	if err != nil {
		return 0, storeErr("delete expired sessions", err)
	}
	return n, nil
}

// FindUserByEmail returns the user with email (not_found).
func (t *tx) FindUserByEmail(ctx context.Context, email string) (*kith.User, error) {
	return t.findUser(ctx, `email = ?`, email)
}

// FindUser returns the user with id (not_found).
func (t *tx) FindUser(ctx context.Context, id int64) (*kith.User, error) {
	return t.findUser(ctx, `id = ?`, id)
}

func (t *tx) findUser(ctx context.Context, where string, arg any) (*kith.User, error) {
	u, err := scanUser(t.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("no such user")
	}
	if err != nil {
		return nil, storeErr("find user", err)
	}
	return u, nil
}

// ListUsers returns a workspace's users by email.
func (t *tx) ListUsers(ctx context.Context, ws int64) ([]*kith.User, error) {
	rows, err := t.query(ctx, `SELECT `+userColumns+` FROM users WHERE workspace_id = ? ORDER BY email`, ws)
	if err != nil {
		return nil, storeErr("list users", err)
	}
	defer rows.Close()
	var out []*kith.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, storeErr("list users", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, storeErr("list users", err)
	}
	return out, nil
}

// scanUser reads a row of userColumns.
func scanUser(row interface{ Scan(...any) error }) (*kith.User, error) {
	var u kith.User
	var created int64
	if err := row.Scan(&u.ID, &u.WorkspaceID, &u.Email, &u.PasswordHash, &u.Role, &created); err != nil {
		return nil, err
	}
	u.CreatedAt = fromMicros(created)
	return &u, nil
}

// CountUsers returns how many users a workspace has.
func (t *tx) CountUsers(ctx context.Context, ws int64) (int64, error) {
	var n int64
	if err := t.queryRow(ctx, `SELECT count(*) FROM users WHERE workspace_id = ?`, ws).Scan(&n); err != nil {
		return 0, storeErr("count users", err)
	}
	return n, nil
}

// FindUserSession returns the session with a token hash (not_found).
func (t *tx) FindUserSession(ctx context.Context, hash []byte) (*kith.UserSession, error) {
	s := kith.UserSession{Hash: hash}
	var created, expires int64
	err := t.queryRow(ctx, `SELECT user_id, workspace_id, created_at, expires_at FROM user_sessions WHERE hash = ?`, hash).
		Scan(&s.UserID, &s.WorkspaceID, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("no such session")
	}
	if err != nil {
		return nil, storeErr("find session", err)
	}
	s.CreatedAt, s.ExpiresAt = fromMicros(created), fromMicros(expires)
	return &s, nil
}

// CountEvents counts the events a workspace received from the start of
// the hour holding since, from event_counts.
func (t *tx) CountEvents(ctx context.Context, ws int64, since time.Time, action string) (int64, error) {
	q := `SELECT coalesce(sum(count), 0) FROM event_counts WHERE workspace_id = ? AND hour >= ?`
	args := []any{ws, micros(since.UTC().Truncate(time.Hour))}
	if action != "" {
		q += ` AND action = ?`
		args = append(args, action)
	}
	var n int64
	if err := t.queryRow(ctx, q, args...).Scan(&n); err != nil {
		return 0, storeErr("count events", err)
	}
	return n, nil
}

// ProfileActivity counts a profile's events by action.
func (t *tx) ProfileActivity(ctx context.Context, ws, clientID int64) (*kith.Activity, error) {
	rows, err := t.query(ctx, `SELECT action, count(*), min(time), max(time) FROM events
		WHERE workspace_id = ? AND client_id = ? GROUP BY action`, ws, clientID)
	if err != nil {
		return nil, storeErr("profile activity", err)
	}
	defer rows.Close()
	a := &kith.Activity{ByAction: map[string]int64{}}
	for rows.Next() {
		var action string
		var n, first, last int64
		if err := rows.Scan(&action, &n, &first, &last); err != nil {
			return nil, storeErr("profile activity", err)
		}
		a.ByAction[action] = n
		if f := fromMicros(first); a.First.IsZero() || f.Before(a.First) {
			a.First = f
		}
		if l := fromMicros(last); l.After(a.Last) {
			a.Last = l
		}
	}
	if err := rows.Err(); err != nil {
		return nil, storeErr("profile activity", err)
	}
	return a, nil
}
