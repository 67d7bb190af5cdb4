package kith

import (
	"encoding/json"
	"time"
)

// Event sources.
const (
	SourceAPI     = "api"
	SourceTracker = "tracker"
	SourceForm    = "form"
	SourceImport  = "import"
	SourceUI      = "ui"
	SourceManual  = "manual"
	SourceSegment = "segment"
	SourceSystem  = "system"
)

// System event actions (SPEC §1).
const (
	ActionClientAdd          = "client.add"
	ActionClientIdentify     = "client.identify"
	ActionClientMerge        = "client.merge"
	ActionProfileUpdated     = "profile.updated"
	ActionTagAdded           = "profile.tagAdded"
	ActionTagRemoved         = "profile.tagRemoved"
	ActionAgreementChanged   = "profile.agreementChanged"
	ActionIdentifierChanged  = "profile.identifierChanged"
	ActionNoteAdded          = "profile.noteAdded"
	ActionPageVisit          = "page.visit"
	ActionFormSubmit         = "form.submit"
	MaxActionRunes           = 128
	MaxEventsPerRequest      = 1000
	MaxProfilesPerBatch      = 1000
	MaxMergeSources          = 20
	MaxEventBodyBytes        = 1 << 20
	MaxLabelRunes            = 256
	systemActionPrefixClient = "client."
)

// IsSystemAction reports whether action is reserved for events Kith writes.
func IsSystemAction(action string) bool {
	switch action {
	case ActionClientAdd, ActionClientIdentify, ActionClientMerge, ActionProfileUpdated,
		ActionTagAdded, ActionTagRemoved, ActionAgreementChanged, ActionIdentifierChanged,
		ActionNoteAdded:
		return true
	}
	return false
}

// EventContext is where an event came from.
type EventContext struct {
	UserAgent string `json:"userAgent,omitempty"`
	IP        string `json:"ip,omitempty"`
	URL       string `json:"url,omitempty"`
	Referrer  string `json:"referrer,omitempty"`
}

// Event is something that happened to or was done by a profile.
type Event struct {
	EventID     string
	WorkspaceID int64
	ClientID    int64
	Action      string
	Label       string
	Time        time.Time
	ReceivedAt  time.Time
	Source      string
	Params      json.RawMessage
	Client      Identifiers
	Context     EventContext
	// Seq orders events received at the same time; stores assign it.
	Seq int64
}
