package kith

import "time"

// Identity modes (SPEC §1).
const (
	ModeEmail    = "email"
	ModeCustomID = "customId"
)

// UUID policies (SPEC §2).
const (
	UUIDRandom  = "random"
	UUIDDerived = "derived"
)

// Workspace is a tenant: everything else lives in exactly one workspace.
type Workspace struct {
	ID                 int64     `json:"id"`
	Name               string    `json:"name"`
	IdentityMode       string    `json:"identityMode"`
	UUIDPolicy         string    `json:"uuidPolicy"`
	UUIDSalt           string    `json:"uuidSalt"`
	BlockedIdentifiers []string  `json:"blockedIdentifiers"`
	AllowedOrigins     []string  `json:"allowedOrigins"`
	SegmentUserIDAs    string    `json:"segmentUserIdAs"`
	CreatedAt          time.Time `json:"createdAt"`
}

// MainKind returns the workspace's main identifier kind.
func (ws *Workspace) MainKind() IdentifierKind {
	if ws.IdentityMode == ModeCustomID {
		return KindCustomID
	}
	return KindEmail
}

// EmailIsIdentifier reports whether email finds profiles in this workspace.
func (ws *Workspace) EmailIsIdentifier() bool { return ws.IdentityMode != ModeCustomID }

// MainIdentifier returns the value of the main identifier in ids.
func (ws *Workspace) MainIdentifier(email, customID string) string {
	if ws.IdentityMode == ModeCustomID {
		return customID
	}
	return email
}

// Key kinds (SPEC §3).
const (
	KeyTracker = "tracker"
	KeySecret  = "secret"
)

// Key is an API key. Only a hash of the secret text is stored.
type Key struct {
	ID          string     `json:"id"`
	WorkspaceID int64      `json:"-"`
	Kind        string     `json:"kind"`
	Name        string     `json:"name"`
	Hash        []byte     `json:"-"`
	Prefix      string     `json:"prefix"`
	CreatedAt   time.Time  `json:"createdAt"`
	RevokedAt   *time.Time `json:"revokedAt,omitempty"`
}
