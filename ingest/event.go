package ingest

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/identity"
)

// EventInput is one event as sent to POST /api/v1/events (SPEC §3).
type EventInput struct {
	EventID string            `json:"eventId"`
	Action  string            `json:"action"`
	Label   string            `json:"label"`
	Time    string            `json:"time"`
	Client  kith.Identifiers  `json:"client"`
	Params  json.RawMessage   `json:"params"`
	Profile *ProfileInput     `json:"profile"`
	Context kith.EventContext `json:"context"`
}

// ProfileInput is the profile part of an event or upsert.
type ProfileInput struct {
	Attributes map[string]any  `json:"attributes"`
	Tags       []string        `json:"tags"`
	Agreements map[string]bool `json:"agreements"`
	// problems are the parts of the JSON that could not be decoded; they
	// were skipped (SPEC §3: a bad profile field is a warning, the event is
	// still stored). Fields are relative to the profile.
	problems []*kith.Error
}

// UnmarshalJSON decodes a profile part leniently: a part of the wrong
// shape or an unknown field is skipped and remembered as a problem rather
// than failing the event that carries it.
func (p *ProfileInput) UnmarshalJSON(data []byte) error {
	*p = ProfileInput{}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		p.problems = append(p.problems, kith.FieldErrorf("", kith.ECodeInvalid, "profile must be an object"))
		return nil
	}
	for _, name := range sortedNames(fields) {
		raw := fields[name]
		switch name {
		case "attributes":
			if err := json.Unmarshal(raw, &p.Attributes); err != nil {
				p.Attributes = nil
				p.problems = append(p.problems, kith.FieldErrorf(name, kith.ECodeInvalid, "attributes must be an object"))
			}
		case "tags":
			if err := json.Unmarshal(raw, &p.Tags); err != nil {
				p.Tags = nil
				p.problems = append(p.problems, kith.FieldErrorf(name, kith.ECodeInvalid, "tags must be an array of strings"))
			}
		case "agreements":
			var chans map[string]json.RawMessage
			if err := json.Unmarshal(raw, &chans); err != nil {
				p.problems = append(p.problems, kith.FieldErrorf(name, kith.ECodeInvalid, "agreements must be an object of true or false by channel"))
				continue
			}
			for _, ch := range sortedNames(chans) {
				var granted bool
				if err := json.Unmarshal(chans[ch], &granted); err != nil || bytes.Equal(bytes.TrimSpace(chans[ch]), []byte("null")) {
					p.problems = append(p.problems, kith.FieldErrorf("agreements."+ch, kith.ECodeInvalidAgreement, "agreement %q must be true or false", ch))
					continue
				}
				if p.Agreements == nil {
					p.Agreements = map[string]bool{}
				}
				p.Agreements[ch] = granted
			}
		default:
			p.problems = append(p.problems, kith.FieldErrorf(name, kith.ECodeUnknownField, "unknown field %q", name))
		}
	}
	return nil
}

func sortedNames[V any](m map[string]V) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// maxFutureSkew is how far in the future an event time may be: clocks
// of browsers and servers drift, but a time days ahead is a bug.
const maxFutureSkew = 24 * time.Hour

// eventWrite validates an event and turns it into a write. Errors name
// fields relative to the event.
func (s *Service) eventWrite(ws *kith.Workspace, req *Request, in *EventInput) (*identity.Write, *kith.Error) {
	var errs []*kith.Error
	add := func(e *kith.Error) { errs = append(errs, e) }
	now := s.now()
	ev := &kith.Event{Action: in.Action, Label: in.Label, Source: req.Source, ReceivedAt: now}
	if in.EventID != "" {
		id := strings.ToLower(strings.TrimSpace(in.EventID))
		if !kith.IsUUID(id) {
			add(kith.FieldErrorf("eventId", kith.ECodeInvalidEventID, "eventId %q is not a UUID", in.EventID))
		}
		ev.EventID = id
	}
	if e := checkAction(in.Action); e != nil {
		add(e)
	}
	if utf8.RuneCountInString(in.Label) > kith.MaxLabelRunes {
		add(kith.FieldErrorf("label", kith.ECodeInvalid, "label is longer than %d characters", kith.MaxLabelRunes))
	}
	at := now
	if in.Time != "" {
		t, err := time.Parse(time.RFC3339Nano, in.Time)
		switch {
		case err != nil:
			add(kith.FieldErrorf("time", kith.ECodeInvalidTime, "time %q is not an RFC 3339 timestamp", in.Time))
		case t.After(now.Add(maxFutureSkew)):
			add(kith.FieldErrorf("time", kith.ECodeInvalidTime, "time %s is more than a day in the future", in.Time))
		default:
			at = t
		}
	}
	if p := bytes.TrimSpace(in.Params); len(p) > 0 && !bytes.Equal(p, []byte("null")) {
		if p[0] != '{' {
			add(kith.FieldErrorf("params", kith.ECodeInvalidParams, "params must be a JSON object"))
		}
		ev.Params = p
	}
	ids, err := s.identifiers(ws, in.Client)
	if err != nil {
		add(err)
	}
	if len(errs) > 0 {
		return nil, joinErrors(errs)
	}
	ev.Client = ids
	ctxt := in.Context
	if ctxt.UserAgent == "" {
		ctxt.UserAgent = req.UserAgent
	}
	if ctxt.IP == "" {
		ctxt.IP = req.IP
	}
	ev.Context = ctxt
	w := &identity.Write{
		Client:         ids,
		Source:         req.Source,
		Context:        ctxt,
		Time:           at,
		Device:         ParseDevice(ctxt.UserAgent, at),
		Event:          ev,
		CheckDuplicate: ev.EventID != "",
	}
	if in.Action == kith.ActionFormSubmit {
		w.Source = kith.SourceForm // consents given in a form are audited as such
	}
	if in.Profile != nil {
		w.Attributes, w.Tags, w.Agreements = in.Profile.Attributes, in.Profile.Tags, in.Profile.Agreements
	}
	return w, nil
}

// identifiers normalizes a write's identifiers and checks that it has at
// least one that can find a profile.
func (s *Service) identifiers(ws *kith.Workspace, in kith.Identifiers) (kith.Identifiers, *kith.Error) {
	ids, err := kith.NormalizeIdentifiers(ws, in, "client")
	if err != nil {
		return ids, kith.AsError(err)
	}
	if ids.ClientID == 0 && ids.UUID == "" && ids.CustomID == "" && (ids.Email == "" || !ws.EmailIsIdentifier()) {
		what := "uuid, email, customId or clientId"
		if !ws.EmailIsIdentifier() {
			what = "uuid, customId or clientId (email does not identify profiles in customId mode)"
		}
		return ids, kith.FieldErrorf("client", kith.ECodeRequired, "client needs at least one identifier: %s", what)
	}
	return ids, nil
}

// checkAction validates an integrator-sent action name.
func checkAction(a string) *kith.Error {
	n := utf8.RuneCountInString(a)
	switch {
	case n == 0:
		return kith.FieldErrorf("action", kith.ECodeRequired, "action is required (e.g. \"page.visit\")")
	case n > kith.MaxActionRunes || !utf8.ValidString(a) || strings.IndexFunc(a, notPrintable) >= 0:
		return kith.FieldErrorf("action", kith.ECodeInvalidAction, "action must be 1–%d printable characters", kith.MaxActionRunes)
	case kith.IsSystemAction(a):
		return kith.FieldErrorf("action", kith.ECodeReservedAction, "action %q is written by Kith itself", a)
	}
	return nil
}

func notPrintable(r rune) bool { return !unicode.IsPrint(r) }

func joinErrors(errs []*kith.Error) *kith.Error {
	if len(errs) == 1 {
		return errs[0]
	}
	first := *errs[0]
	first.Details = errs
	return &first
}
