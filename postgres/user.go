package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/kithcdp/kith"
)

const userColumns = `id, workspace_id, email, password_hash, role, created_at`

// CreateUser stores u and sets its ID (conflict when the email is taken).
// The failed statement aborts the transaction, so the conflict is wrapped.
func (t *tx) CreateUser(ctx context.Context, u *kith.User) error {
	created := orTime(u.CreatedAt, t.now())
	err := t.pg.QueryRow(ctx, `INSERT INTO users (workspace_id, email, password_hash, role, created_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		u.WorkspaceID, u.Email, u.PasswordHash, u.Role, created).Scan(&u.ID)
	if pe := pgError(err); pe != nil && pe.Code == codeUniqueViolation {
		return fmt.Errorf("postgres: create user: %w: %w", kith.Errorf(kith.ECodeConflict, "a user with email %s exists", u.Email), err)
	}
	if pe := pgError(err); pe != nil && pe.Code == codeForeignKeyViolation {
		return fmt.Errorf("postgres: create user: %w: %w", notFound("no workspace %d", u.WorkspaceID), err)
	}
	if err != nil {
		return wrap("create user", err)
	}
	u.CreatedAt = created
	return nil
}

// SetUserPassword replaces a user's password hash and ends its sessions.
func (t *tx) SetUserPassword(ctx context.Context, id int64, hash string) error {
	res, err := t.pg.Exec(ctx, `UPDATE users SET password_hash = $2 WHERE id = $1`, id, hash)
	if err != nil {
		return wrap("set password", err)
	}
	if res.RowsAffected() == 0 {
		return notFound("no user %d", id)
	}
	if _, err := t.pg.Exec(ctx, `DELETE FROM user_sessions WHERE user_id = $1`, id); err != nil {
		return wrap("end sessions", err)
	}
	return nil
}

// CreateUserSession stores s.
func (t *tx) CreateUserSession(ctx context.Context, s *kith.UserSession) error {
	_, err := t.pg.Exec(ctx, `INSERT INTO user_sessions (hash, user_id, workspace_id, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5)`, s.Hash, s.UserID, s.WorkspaceID, ts(s.CreatedAt), ts(s.ExpiresAt))
	if err != nil {
		return wrap("create session", err)
	}
	return nil
}

// DeleteUserSession removes a session by its token hash.
func (t *tx) DeleteUserSession(ctx context.Context, hash []byte) error {
	if _, err := t.pg.Exec(ctx, `DELETE FROM user_sessions WHERE hash = $1`, hash); err != nil {
		return wrap("delete session", err)
	}
	return nil
}

// DeleteExpiredUserSessions removes the sessions that expired by before.
func (t *tx) DeleteExpiredUserSessions(ctx context.Context, before time.Time) (int64, error) {
	res, err := t.pg.Exec(ctx, `DELETE FROM user_sessions WHERE expires_at <= $1`, ts(before))
	if err != nil {
		return 0, wrap("delete expired sessions", err)
	}
	return res.RowsAffected(), nil
}

// FindUserByEmail returns the user with email (not_found).
func (t *tx) FindUserByEmail(ctx context.Context, email string) (*kith.User, error) {
	return t.findUser(ctx, `email = $1`, email)
}

// FindUser returns the user with id (not_found).
func (t *tx) FindUser(ctx context.Context, id int64) (*kith.User, error) {
	return t.findUser(ctx, `id = $1`, id)
}

func (t *tx) findUser(ctx context.Context, where string, arg any) (*kith.User, error) {
	u, err := scanUser(t.pg.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE `+where, arg))
	if noRows(err) {
		return nil, notFound("no such user")
	}
	if err != nil {
		return nil, wrap("find user", err)
	}
	return u, nil
}

// ListUsers returns a workspace's users by email.
func (t *tx) ListUsers(ctx context.Context, ws int64) ([]*kith.User, error) {
	rows, err := t.pg.Query(ctx, `SELECT `+userColumns+` FROM users WHERE workspace_id = $1 ORDER BY email`, ws)
	if err != nil {
		return nil, wrap("list users", err)
	}
	defer rows.Close()
	var out []*kith.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, wrap("list users", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("list users", err)
	}
	return out, nil
}

// scanUser reads a row of userColumns.
func scanUser(row interface{ Scan(...any) error }) (*kith.User, error) {
	var u kith.User
	if err := row.Scan(&u.ID, &u.WorkspaceID, &u.Email, &u.PasswordHash, &u.Role, &u.CreatedAt); err != nil {
		return nil, err
	}
	u.CreatedAt = u.CreatedAt.UTC()
	return &u, nil
}

// CountUsers returns how many users a workspace has.
func (t *tx) CountUsers(ctx context.Context, ws int64) (int64, error) {
	var n int64
	if err := t.pg.QueryRow(ctx, `SELECT count(*) FROM users WHERE workspace_id = $1`, ws).Scan(&n); err != nil {
		return 0, wrap("count users", err)
	}
	return n, nil
}

// FindUserSession returns the session with a token hash (not_found).
func (t *tx) FindUserSession(ctx context.Context, hash []byte) (*kith.UserSession, error) {
	s := kith.UserSession{Hash: hash}
	err := t.pg.QueryRow(ctx, `SELECT user_id, workspace_id, created_at, expires_at FROM user_sessions WHERE hash = $1`, hash).
		Scan(&s.UserID, &s.WorkspaceID, &s.CreatedAt, &s.ExpiresAt)
	if noRows(err) {
		return nil, notFound("no such session")
	}
	if err != nil {
		return nil, wrap("find session", err)
	}
	s.CreatedAt, s.ExpiresAt = s.CreatedAt.UTC(), s.ExpiresAt.UTC()
	return &s, nil
}

// CountEvents counts the events a workspace received from the start of
// the hour holding since, from event_counts.
func (t *tx) CountEvents(ctx context.Context, ws int64, since time.Time, action string) (int64, error) {
	q := `SELECT coalesce(sum(count), 0)::bigint FROM event_counts WHERE workspace_id = $1 AND hour >= $2`
	args := []any{ws, since.UTC().Truncate(time.Hour)}
	if action != "" {
		q += ` AND action = $3`
		args = append(args, action)
	}
	var n int64
	if err := t.pg.QueryRow(ctx, q, args...).Scan(&n); err != nil {
		return 0, wrap("count events", err)
	}
	return n, nil
}

// ProfileActivity counts a profile's events by action.
func (t *tx) ProfileActivity(ctx context.Context, ws, clientID int64) (*kith.Activity, error) {
	rows, err := t.pg.Query(ctx, `SELECT action, count(*), min(time), max(time) FROM events
		WHERE workspace_id = $1 AND client_id = $2 GROUP BY action`, ws, clientID)
	if err != nil {
		return nil, wrap("profile activity", err)
	}
	defer rows.Close()
	a := &kith.Activity{ByAction: map[string]int64{}}
	for rows.Next() {
		var action string
		var n int64
		var first, last time.Time
		if err := rows.Scan(&action, &n, &first, &last); err != nil {
			return nil, wrap("profile activity", err)
		}
		a.ByAction[action] = n
		if a.First.IsZero() || first.Before(a.First) {
			a.First = first.UTC()
		}
		if last.After(a.Last) {
			a.Last = last.UTC()
		}
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("profile activity", err)
	}
	return a, nil
}
