package kith

import (
	"cmp"
	"encoding/json"
	"slices"
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

// EventCount is how many events a workspace received in one hour (UTC)
// with one action: the unit in which the stores keep the counts that
// CountEvents reads.
type EventCount struct {
	WorkspaceID int64
	Hour        time.Time
	Action      string
	Count       int64
}

// CountStored counts the events a store has just stored (those with a
// Seq) by workspace, hour of ReceivedAt and action, in that order: stores
// add them to their counts in one order, so that concurrent transactions
// lock count rows in the same order.
func CountStored(events []*Event) []EventCount {
	type key struct {
		ws     int64
		hour   time.Time
		action string
	}
	n := map[key]int64{}
	for _, e := range events {
		if e.Seq != 0 {
			n[key{e.WorkspaceID, e.ReceivedAt.UTC().Truncate(time.Hour), e.Action}]++
		}
	}
	out := make([]EventCount, 0, len(n))
	for k, c := range n {
		out = append(out, EventCount{WorkspaceID: k.ws, Hour: k.hour, Action: k.action, Count: c})
	}
	slices.SortFunc(out, func(a, b EventCount) int {
		return cmp.Or(cmp.Compare(a.WorkspaceID, b.WorkspaceID), a.Hour.Compare(b.Hour), cmp.Compare(a.Action, b.Action))
	})
	return out
}
