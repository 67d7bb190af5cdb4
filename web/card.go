package web

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"time"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/schema"
)

// timelinePageSize is how many events the card's timeline shows at once.
const timelinePageSize = 30

type cardData struct {
	P          *kith.Profile
	Name       string
	Recognized bool
	Attrs      []attrRow
	Agreements []agreementRow
	AllTags    []kith.Tag
	Events     []eventRow
	Action     string
	Actions    []actionCount
	NextURL    string
	Notes      []*kith.Note
	Me         string
	Errors     map[string]string // by form: "attr:NAME", "tag", "note", "event"
	Input      map[string]string // what was typed into a refused form
	FirstSeen  time.Time
	LastSeen   time.Time
	EventTotal int64
}

type attrRow struct {
	Name, Type, Value, Description string
	Default, Set                   bool
}

type agreementRow struct {
	Channel string
	Granted bool
	Changed time.Time
	Source  string
}

type eventRow struct {
	Time    time.Time
	Action  string
	Summary string
	Source  string
	System  bool
}

type actionCount struct {
	Action string
	Count  int64
}

// pathID returns the {id} of the path (not_found when it is not one).
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, kith.Errorf(kith.ECodeNotFound, "no such profile")
	}
	return id, nil
}

// card shows one profile in three columns.
func (h *Handler) card(w http.ResponseWriter, r *http.Request) {
	h.renderCard(w, r, http.StatusOK, nil, nil)
}

// renderCard renders the card of the path's profile, with the errors of a
// refused form.
func (h *Handler) renderCard(w http.ResponseWriter, r *http.Request, status int, errs, input map[string]string) {
	s := current(r)
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d, err := h.loadCard(r.Context(), s, id, r.URL.Query())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if d.P.ClientID != id && status == http.StatusOK {
		http.Redirect(w, r, "/profiles/"+strconv.FormatInt(d.P.ClientID, 10), http.StatusSeeOther)
		return
	}
	d.Errors, d.Input = errs, input
	if status != http.StatusOK && r.Header.Get("HX-Request") == "true" {
		status = http.StatusOK // htmx swaps only successful answers
	}
	h.render(w, r, status, "card", page{Title: titleOf(d), Nav: "profiles", Data: d})
}

func titleOf(d *cardData) string {
	if d.Name != "" {
		return d.Name
	}
	if d.P.Email != "" {
		return d.P.Email
	}
	return "Profile #" + strconv.FormatInt(d.P.ClientID, 10)
}

// loadCard reads everything the card shows, in one snapshot.
func (h *Handler) loadCard(ctx context.Context, s *session, id int64, q url.Values) (*cardData, error) {
	d := &cardData{Action: q.Get("action"), Me: s.user.Email}
	err := h.Store.View(ctx, func(tx kith.ReadTx) error {
		cur, err := tx.FindClientID(ctx, s.ws.ID, kith.KindClientID, strconv.FormatInt(id, 10))
		if err != nil {
			return err
		}
		if cur == 0 {
			return kith.Errorf(kith.ECodeNotFound, "no profile has clientId %d", id)
		}
		if d.P, err = tx.FindProfile(ctx, s.ws.ID, cur); err != nil {
			return err
		}
		defs, err := tx.ListAttributeDefs(ctx, s.ws.ID)
		if err != nil {
			return err
		}
		d.Attrs = attrRows(d.P, defs)
		if d.AllTags, err = tx.ListTags(ctx, s.ws.ID); err != nil {
			return err
		}
		if d.Notes, err = tx.ListNotes(ctx, s.ws.ID, cur); err != nil {
			return err
		}
		if err := h.loadTimeline(ctx, tx, s.ws.ID, d, q.Get("before")); err != nil {
			return err
		}
		return h.loadSummary(ctx, tx, s.ws.ID, d)
	})
	if err != nil {
		return nil, err
	}
	d.Name = displayName(d.P)
	d.Recognized = d.P.Recognized(s.ws)
	for _, ch := range kith.Channels {
		a := d.P.Agreements[ch]
		d.Agreements = append(d.Agreements, agreementRow{Channel: ch, Granted: a.Granted, Changed: a.ChangedAt, Source: a.Source})
	}
	return d, nil
}

// attrRows lists the default attributes, then the custom ones the
// profile holds or the catalogue defines.
func attrRows(p *kith.Profile, defs []kith.AttributeDef) []attrRow {
	var rows []attrRow
	for _, def := range append(schema.Defaults(), defs...) {
		v, ok := p.Attributes[def.Name]
		row := attrRow{Name: def.Name, Type: def.Type, Description: def.Description, Default: def.Default, Set: ok}
		if ok {
			row.Value = show(v)
		}
		rows = append(rows, row)
	}
	return rows
}

// loadTimeline reads one page of the timeline, after the cursor before
// ("UNIXMICRO-SEQ").
func (h *Handler) loadTimeline(ctx context.Context, tx kith.ReadTx, ws int64, d *cardData, before string) error {
	f := kith.EventFilter{ClientID: d.P.ClientID, Action: d.Action, Limit: timelinePageSize + 1}
	if t, seq, ok := parsePosition(before); ok {
		f.Before = &kith.EventPosition{Time: t, Seq: seq}
	}
	events, err := tx.ListEvents(ctx, ws, f)
	if err != nil {
		return err
	}
	if len(events) > timelinePageSize {
		events = events[:timelinePageSize]
		last := events[len(events)-1]
		q := url.Values{"before": {strconv.FormatInt(last.Time.UnixMicro(), 10) + "-" + strconv.FormatInt(last.Seq, 10)}}
		if d.Action != "" {
			q.Set("action", d.Action)
		}
		d.NextURL = "/profiles/" + strconv.FormatInt(d.P.ClientID, 10) + "?" + q.Encode() + "#timeline"
	}
	for _, e := range events {
		d.Events = append(d.Events, eventRow{Time: e.Time, Action: e.Action, Summary: describe(e),
			Source: e.Source, System: kith.IsSystemAction(e.Action)})
	}
	return nil
}

func parsePosition(s string) (time.Time, int64, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '-' {
			us, err1 := strconv.ParseInt(s[:i], 10, 64)
			seq, err2 := strconv.ParseInt(s[i+1:], 10, 64)
			return time.UnixMicro(us).UTC(), seq, err1 == nil && err2 == nil
		}
	}
	return time.Time{}, 0, false
}

// loadSummary reads the activity summary: first and last seen, and
// events by action.
func (h *Handler) loadSummary(ctx context.Context, tx kith.ReadTx, ws int64, d *cardData) error {
	a, err := tx.ProfileActivity(ctx, ws, d.P.ClientID)
	if err != nil {
		return err
	}
	d.FirstSeen, d.LastSeen = d.P.CreatedAt, d.P.LastActivityAt
	if !a.First.IsZero() && a.First.Before(d.FirstSeen) {
		d.FirstSeen = a.First
	}
	if a.Last.After(d.LastSeen) {
		d.LastSeen = a.Last
	}
	for action, n := range a.ByAction {
		d.Actions = append(d.Actions, actionCount{action, n})
		d.EventTotal += n
	}
	sort.Slice(d.Actions, func(i, j int) bool {
		if d.Actions[i].Count != d.Actions[j].Count {
			return d.Actions[i].Count > d.Actions[j].Count
		}
		return d.Actions[i].Action < d.Actions[j].Action
	})
	return nil
}
