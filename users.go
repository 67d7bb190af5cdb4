package kith

import (
	"context"
	"time"
)

// User roles.
const (
	RoleAdmin = "admin"
)

// User is a person who signs in to the admin UI of one workspace. Emails
// are unique across the installation, so that an email alone says which
// workspace a user signs in to.
type User struct {
	ID          int64
	WorkspaceID int64
	Email       string
	// PasswordHash is the password's bcrypt hash, never the password.
	PasswordHash string
	Role         string
	CreatedAt    time.Time
}

// UserSession is a signed-in browser. Only a hash of its token is stored.
type UserSession struct {
	Hash        []byte
	UserID      int64
	WorkspaceID int64
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

// UserReader holds the reads of admin UI users and their sessions.
type UserReader interface {
	// FindUserByEmail returns the user with email, compared as stored
	// (lower-cased by callers) (not_found).
	FindUserByEmail(ctx context.Context, email string) (*User, error)
	// FindUser returns the user with id (not_found).
	FindUser(ctx context.Context, id int64) (*User, error)
	// CountUsers returns how many users the workspace ws has.
	CountUsers(ctx context.Context, ws int64) (int64, error)
	// ListUsers returns the users of the workspace ws, by email.
	ListUsers(ctx context.Context, ws int64) ([]*User, error)
	// FindUserSession returns the session whose token hash is hash, expired
	// or not (not_found).
	FindUserSession(ctx context.Context, hash []byte) (*UserSession, error)
	// CountEvents returns how many events the workspace ws received from
	// the start of the hour (UTC) holding since, only those of action when
	// it is not empty. Stores keep these counts per hour as events are
	// stored (CountStored), so a count reads a few rows whatever the
	// traffic; erasing a profile later does not take its events back out.
	// The admin UI's dashboard and checklist show it.
	CountEvents(ctx context.Context, ws int64, since time.Time, action string) (int64, error)
	// ProfileActivity returns how many events profile clientID has by
	// action, and the time of its oldest and newest event (zero without
	// events). The profile card's activity summary shows it.
	ProfileActivity(ctx context.Context, ws, clientID int64) (*Activity, error)
}

// Activity summarizes a profile's events.
type Activity struct {
	ByAction map[string]int64
	First    time.Time
	Last     time.Time
}

// UserWriter holds the writes of admin UI users and their sessions.
type UserWriter interface {
	// CreateUser stores u and sets its ID (conflict when the email is
	// taken, not_found without the workspace).
	CreateUser(ctx context.Context, u *User) error
	// SetUserPassword replaces the password hash of user id and ends every
	// session of that user (not_found).
	SetUserPassword(ctx context.Context, id int64, hash string) error
	// CreateUserSession stores s.
	CreateUserSession(ctx context.Context, s *UserSession) error
	// DeleteUserSession removes the session whose token hash is hash; one
	// that does not exist is no error.
	DeleteUserSession(ctx context.Context, hash []byte) error
	// DeleteExpiredUserSessions removes the sessions of every workspace
	// that expired at or before before, and returns how many it removed.
	DeleteExpiredUserSessions(ctx context.Context, before time.Time) (int64, error)
}
