package http

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kithcdp/kith"
)

// Page sizes of the timeline and the profile list.
const (
	defaultPageSize = 50
	maxPageSize     = 500
)

// EventView is EVENT as read back (SPEC §3).
type EventView struct {
	EventID  string           `json:"eventId"`
	Action   string           `json:"action"`
	Label    string           `json:"label"`
	Time     time.Time        `json:"time"`
	ClientID int64            `json:"clientId"`
	Source   string           `json:"source"`
	Params   json.RawMessage  `json:"params"`
	Client   kith.Identifiers `json:"client"`
}

// NewEventView returns the API form of a stored event.
func NewEventView(e *kith.Event) *EventView {
	params := e.Params
	if len(params) == 0 {
		params = json.RawMessage("{}")
	}
	return &EventView{EventID: e.EventID, Action: e.Action, Label: e.Label, Time: e.Time,
		ClientID: e.ClientID, Source: e.Source, Params: params, Client: e.Client}
}

func eventViews(events []*kith.Event) []*EventView {
	out := make([]*EventView, len(events))
	for i, e := range events {
		out[i] = NewEventView(e)
	}
	return out
}

// Cursors are opaque to callers: base64url of "KIND:VALUES". A timeline
// cursor is the (time, seq) position of the last event of a page, which
// stays valid however many events arrive meanwhile.
const (
	timelineCursor = "t"
	listCursor     = "p"
)

func encodeCursor(kind string, values ...int64) string {
	parts := []string{kind}
	for _, v := range values {
		parts = append(parts, strconv.FormatInt(v, 10))
	}
	return base64.RawURLEncoding.EncodeToString([]byte(strings.Join(parts, ":")))
}

// decodeCursor returns the n values of a cursor of kind (invalid_cursor).
func decodeCursor(raw, kind string, n int) ([]int64, error) {
	bad := kith.FieldErrorf("cursor", kith.ECodeInvalidCursor, "cursor %q is not one this endpoint handed out", raw)
	b, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil {
		return nil, bad
	}
	parts := strings.Split(string(b), ":")
	if len(parts) != n+1 || parts[0] != kind {
		return nil, bad
	}
	out := make([]int64, n)
	for i, p := range parts[1:] {
		if out[i], err = strconv.ParseInt(p, 10, 64); err != nil {
			return nil, bad
		}
	}
	return out, nil
}

// pageSize reads ?limit (invalid).
func pageSize(r *http.Request) (int, error) {
	raw := r.URL.Query().Get("limit")
	if raw == "" {
		return defaultPageSize, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 || n > maxPageSize {
		return 0, kith.FieldErrorf("limit", kith.ECodeInvalid, "limit is 1–%d, not %q", maxPageSize, raw)
	}
	return n, nil
}

// timeline is GET /api/v1/profiles/{clientId}/events?limit&cursor&action:
// the timeline newest first, system events included.
func (s *Server) timeline(w http.ResponseWriter, r *http.Request) {
	id, err := pathClientID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	limit, err := pageSize(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	f := kith.EventFilter{Action: q.Get("action"), Limit: limit + 1}
	if n := utf8.RuneCountInString(f.Action); n > kith.MaxActionRunes {
		s.writeError(w, r, kith.FieldErrorf("action", kith.ECodeInvalidAction, "action is at most %d characters", kith.MaxActionRunes))
		return
	}
	if c := q.Get("cursor"); c != "" {
		v, err := decodeCursor(c, timelineCursor, 2)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		f.Before = &kith.EventPosition{Time: time.UnixMicro(v[0]).UTC(), Seq: v[1]}
	}
	ws := caller(r).workspace
	var events []*kith.Event
	err = s.Store.View(r.Context(), func(tx kith.ReadTx) error {
		var err error
		if f.ClientID, err = resolve(r.Context(), tx, ws.ID, id); err != nil {
			return err
		}
		events, err = tx.ListEvents(r.Context(), ws.ID, f)
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := struct {
		Events     []*EventView `json:"events"`
		NextCursor string       `json:"nextCursor,omitempty"`
	}{}
	if len(events) > limit {
		last := events[limit-1]
		events = events[:limit]
		out.NextCursor = encodeCursor(timelineCursor, last.Time.UnixMicro(), last.Seq)
	}
	out.Events = eventViews(events)
	writeJSON(w, http.StatusOK, out)
}

// addManualEvent is POST /api/v1/profiles/{clientId}/events: an event
// added by hand (source manual), validated like API events. It answers
// 201 with the stored EVENT, or 200 with the one already stored under the
// same eventId.
func (s *Server) addManualEvent(w http.ResponseWriter, r *http.Request) {
	id, err := pathClientID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	body, err := s.readBody(w, r, kith.MaxEventBodyBytes)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	req := s.request(r)
	eventID, res, err := s.ingest.ManualEvent(r.Context(), req, id, body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var e *kith.Event
	err = s.Store.View(r.Context(), func(tx kith.ReadTx) error {
		var err error
		e, err = tx.FindEvent(r.Context(), req.Workspace.ID, eventID)
		return err
	})
	if err != nil {
		s.writeError(w, r, fmt.Errorf("read back event %s: %w", eventID, err))
		return
	}
	status := http.StatusCreated
	if res.Duplicate {
		status = http.StatusOK
	} else {
		s.metrics.eventsIngested.Inc()
	}
	writeJSON(w, status, NewEventView(e))
}
