package segment

import (
	"encoding/json"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/identity"
	"github.com/kithcdp/kith/ingest"
)

// Mapper turns the messages of one request into writes.
type Mapper struct {
	Workspace *kith.Workspace
	// ReceivedAt is when the request arrived.
	ReceivedAt time.Time
	// IP and UserAgent are the request's, used for messages whose context
	// has none. Set them only for browser SDKs (tracker keys): a backend's
	// address says nothing about the customer.
	IP, UserAgent string
}

// Mapped is one message as a write, or its refusal.
type Mapped struct {
	// MessageID is the message's own id, as sent.
	MessageID string
	// Write is nil when the message is refused.
	Write *identity.Write
	// Warnings are what the mapping skipped.
	Warnings []*kith.Error
	// Err refuses the message.
	Err *kith.Error
}

// Map maps every message of b, in order.
func (mp *Mapper) Map(b *Batch) []Mapped {
	out := make([]Mapped, len(b.Messages))
	for i, raw := range b.Messages {
		out[i] = mp.message(raw, b)
	}
	return out
}

// message maps one message of b.
func (mp *Mapper) message(raw json.RawMessage, b *Batch) Mapped {
	var res Mapped
	warn := func(e *kith.Error) { res.Warnings = append(res.Warnings, e) }
	m, e := decodeMessage(raw)
	if e != nil {
		res.Err = e
		return res
	}
	res.MessageID = string(m.MessageID)
	res.Write, res.Err = mp.write(m, b, warn)
	if res.Err != nil {
		res.Write = nil
	}
	return res
}

// write builds the write of a decoded message.
func (mp *Mapper) write(m *Message, b *Batch, warn func(*kith.Error)) (*identity.Write, *kith.Error) {
	ws := mp.Workspace
	typ := b.Type
	if typ == "" {
		typ = strings.ToLower(strings.TrimSpace(m.Type))
	}
	if !IsType(typ) {
		return nil, kith.FieldErrorf("type", kith.ECodeInvalid,
			"type %q is not a call Kith accepts (identify, track, page, screen, alias, group)", short(m.Type))
	}
	action, e := actionOf(typ, m)
	if e != nil {
		return nil, e
	}
	var traits map[string]any
	if typ == TypeIdentify {
		traits, _ = object(m.Traits, "traits", func(*kith.Error) {}) // eventParams warns
	}
	traitEmail, ok := traits["email"].(string)
	if !ok && traits["email"] != nil {
		warn(kith.FieldErrorf("traits.email", kith.ECodeInvalidEmail, "traits.email must be a string; skipped"))
	}
	deviceField, device := "anonymousId", string(m.AnonymousID)
	if typ == TypeAlias {
		if strings.TrimSpace(string(m.PreviousID)) != "" {
			deviceField, device = "previousId", string(m.PreviousID)
		}
		if strings.TrimSpace(device) == "" || strings.TrimSpace(string(m.UserID)) == "" {
			return nil, kith.FieldErrorf("previousId", kith.ECodeRequired, "an alias call needs a previousId and a userId")
		}
	}
	ids, e := identifiers(ws, deviceField, device, string(m.UserID), traitEmail, warn)
	if e != nil {
		return nil, e
	}
	ctx := mergeContext(m.Context, b.Context)
	at := eventTime(mp.ReceivedAt, m, b.SentAt, warn)
	ec := kith.EventContext{
		UserAgent: string(ctx.UserAgent), IP: string(ctx.IP),
		URL: string(ctx.Page.URL), Referrer: string(ctx.Page.Referrer),
	}
	if ec.UserAgent == "" {
		ec.UserAgent = mp.UserAgent
	}
	if ec.IP == "" {
		ec.IP = mp.IP
	}
	ev := &kith.Event{
		EventID:    eventID(string(m.MessageID)),
		Action:     action,
		Source:     kith.SourceSegment,
		ReceivedAt: mp.ReceivedAt,
		Params:     eventParams(typ, m, &ctx, warn),
		Client:     ids,
		Context:    ec,
	}
	if typ == TypePage || typ == TypeScreen {
		ev.Label = truncate(strings.TrimSpace(string(m.Name)), kith.MaxLabelRunes)
	}
	w := &identity.Write{
		Client:         ids,
		Source:         kith.SourceSegment,
		Context:        ec,
		Time:           at,
		Device:         ingest.ParseDevice(ec.UserAgent, at),
		Event:          ev,
		CheckDuplicate: ev.EventID != "",
	}
	if traits != nil {
		w.Attributes = traitAttributes(traits, warn)
	}
	if ev.EventID == "" {
		ev.EventID = identity.NewEventID()
	}
	return w, nil
}

// actionOf returns the action of the event stored for a call.
func actionOf(typ string, m *Message) (string, *kith.Error) {
	switch typ {
	case TypeIdentify:
		return ActionIdentify, nil
	case TypeAlias:
		return ActionAlias, nil
	case TypePage:
		return ActionPageVisit, nil
	case TypeScreen:
		return ActionScreenView, nil
	case TypeGroup:
		if strings.TrimSpace(string(m.GroupID)) == "" {
			return "", kith.FieldErrorf("groupId", kith.ECodeRequired, "a group call needs a groupId")
		}
		return ActionGroup, nil
	}
	return trackAction(string(m.Event))
}

// trackAction validates a track event name as an action: 1–128 printable
// characters (spaces included, as in "Order Completed"), not an action
// Kith writes itself.
func trackAction(name string) (string, *kith.Error) {
	a := strings.TrimSpace(name)
	n := utf8.RuneCountInString(a)
	switch {
	case n == 0:
		return "", kith.FieldErrorf("event", kith.ECodeRequired, "a track call needs an event name")
	case n > kith.MaxActionRunes || strings.IndexFunc(a, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0:
		return "", kith.FieldErrorf("event", kith.ECodeInvalidAction, "event names are 1–%d printable characters", kith.MaxActionRunes)
	case kith.IsSystemAction(a):
		return "", kith.FieldErrorf("event", kith.ECodeReservedAction, "event %q is an action Kith writes itself", a)
	}
	return a, nil
}

// eventID returns the eventId of a messageId: the id itself when it is a
// UUID, else identity.NameUUID of it, so that a retried message keeps its
// eventId and is stored once. "" when the message has no id.
func eventID(messageID string) string {
	id := strings.TrimSpace(messageID)
	if id == "" {
		return ""
	}
	if lower := strings.ToLower(id); kith.IsUUID(lower) {
		return lower
	}
	return identity.NameUUID(id)
}

func truncate(s string, max int) string {
	if r := []rune(s); len(r) > max {
		return string(r[:max])
	}
	return s
}
