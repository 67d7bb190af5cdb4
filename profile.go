package kith

import "time"

// Agreement channels (SPEC §1), in display order.
var Channels = []string{"email", "sms", "push", "webPush", "bluetooth", "rfid", "wifi"}

// IsChannel reports whether name is an agreement channel.
func IsChannel(name string) bool {
	for _, c := range Channels {
		if c == name {
			return true
		}
	}
	return false
}

// Agreement is one channel's marketing consent and when it was last decided.
type Agreement struct {
	Granted   bool      `json:"granted"`
	ChangedAt time.Time `json:"changedAt"`
	Source    string    `json:"source,omitempty"`
}

// Device is a browser or app seen in a profile's events.
type Device struct {
	Browser    string    `json:"browser"`
	OS         string    `json:"os"`
	DeviceType string    `json:"deviceType"`
	LastSeenAt time.Time `json:"lastSeenAt"`
}

// Profile is one customer. Stores fill UUIDs, Tags, Devices and
// PreviousClientIDs only when reading a whole profile (FindProfile).
type Profile struct {
	ClientID          int64
	WorkspaceID       int64
	Email             string
	CustomID          string
	UUIDs             []string
	Attributes        map[string]any
	Tags              []string
	Agreements        map[string]Agreement
	Devices           []Device
	CreatedAt         time.Time
	UpdatedAt         time.Time
	LastActivityAt    time.Time
	PreviousClientIDs []int64
}

// Recognized reports whether p has the main identifier of ws.
func (p *Profile) Recognized(ws *Workspace) bool {
	return ws.MainIdentifier(p.Email, p.CustomID) != ""
}

// Identifier returns p's value of an identifier kind.
func (p *Profile) Identifier(kind IdentifierKind) string {
	switch kind {
	case KindEmail:
		return p.Email
	case KindCustomID:
		return p.CustomID
	}
	return ""
}

// SetIdentifier sets p's value of an email or customId kind.
func (p *Profile) SetIdentifier(kind IdentifierKind, v string) {
	switch kind {
	case KindEmail:
		p.Email = v
	case KindCustomID:
		p.CustomID = v
	}
}

// Note is free text on a profile.
type Note struct {
	NoteID    int64     `json:"noteId"`
	ClientID  int64     `json:"-"`
	Text      string    `json:"text"`
	Author    string    `json:"author"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Merge is a merge journal entry: exactly what moved from the sources into
// the target, so that the merge can be undone later.
type Merge struct {
	ID          int64          `json:"id"`
	WorkspaceID int64          `json:"-"`
	TargetID    int64          `json:"targetClientId"`
	SourceIDs   []int64        `json:"sourceClientIds"`
	Reason      string         `json:"reason"`
	Moved       map[string]any `json:"moved"`
	CreatedAt   time.Time      `json:"createdAt"`
}

// Merge reasons.
const (
	MergeImplicit = "identify"
	MergeExplicit = "api"
)
