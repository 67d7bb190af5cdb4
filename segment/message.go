package segment

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/kithcdp/kith"
)

// Message is one Segment Spec call. Fields Kith does not use
// (integrations, _metadata, channel, version…) are ignored.
type Message struct {
	Type              string          `json:"type"`
	MessageID         Text            `json:"messageId"`
	AnonymousID       Text            `json:"anonymousId"`
	UserID            Text            `json:"userId"`
	PreviousID        Text            `json:"previousId"`
	GroupID           Text            `json:"groupId"`
	Event             Text            `json:"event"`
	Name              Text            `json:"name"`
	Category          Text            `json:"category"`
	Properties        json.RawMessage `json:"properties"`
	Traits            json.RawMessage `json:"traits"`
	Context           *Context        `json:"context"`
	Timestamp         json.RawMessage `json:"timestamp"`
	OriginalTimestamp json.RawMessage `json:"originalTimestamp"`
	SentAt            json.RawMessage `json:"sentAt"`
	WriteKey          Text            `json:"writeKey"`
}

// Context is the part of a message's context Kith uses.
type Context struct {
	IP        Text `json:"ip"`
	UserAgent Text `json:"userAgent"`
	Page      struct {
		URL      Text `json:"url"`
		Referrer Text `json:"referrer"`
		Title    Text `json:"title"`
		Path     Text `json:"path"`
	} `json:"page"`
}

// Batch is the messages of one request with what they share.
type Batch struct {
	// Type is the endpoint's call type for a single call (/v1/track…), ""
	// for a batch, whose messages each carry their own.
	Type     string
	Messages []json.RawMessage
	// SentAt and Context apply to messages that lack their own.
	SentAt   json.RawMessage
	Context  *Context
	WriteKey string
}

// Text is a string field that SDKs sometimes send as a number (a numeric
// userId); null and absent are "".
type Text string

// UnmarshalJSON accepts a string, a number or null.
func (t *Text) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*t = ""
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = Text(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return errors.New("expected a string")
	}
	*t = Text(n.String())
	return nil
}

// DecodeBatch reads a request body: the envelope {"batch":[…],"sentAt",
// "context","writeKey"} when typ is "" (/v1/batch), else one message of
// that type (/v1/track…). It returns invalid_json, required and
// too_many_items; fields unknown to Kith are ignored, as Segment does.
func DecodeBatch(body []byte, typ string) (*Batch, *kith.Error) {
	if typ != "" {
		var m Message
		if err := json.Unmarshal(body, &m); err != nil {
			return nil, decodeError(err, "")
		}
		return &Batch{Type: typ, Messages: []json.RawMessage{body}, WriteKey: string(m.WriteKey)}, nil
	}
	var env struct {
		Batch    json.RawMessage `json:"batch"`
		SentAt   json.RawMessage `json:"sentAt"`
		Context  *Context        `json:"context"`
		WriteKey Text            `json:"writeKey"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, decodeError(err, "")
	}
	b := &Batch{SentAt: env.SentAt, Context: env.Context, WriteKey: string(env.WriteKey)}
	if err := json.Unmarshal(env.Batch, &b.Messages); err != nil || b.Messages == nil {
		return nil, kith.FieldErrorf("batch", kith.ECodeRequired, "batch must be an array of messages")
	}
	switch n := len(b.Messages); {
	case n == 0:
		return nil, kith.FieldErrorf("batch", kith.ECodeRequired, "batch is empty")
	case n > MaxBatchMessages:
		return nil, kith.FieldErrorf("batch", kith.ECodeTooManyItems, "at most %d messages per batch, got %d", MaxBatchMessages, n)
	}
	if b.WriteKey == "" {
		// analytics.js puts the key in every message rather than around them.
		var first struct {
			WriteKey Text `json:"writeKey"`
		}
		_ = json.Unmarshal(b.Messages[0], &first)
		b.WriteKey = string(first.WriteKey)
	}
	return b, nil
}

// CheckSizes refuses a batch holding a message over MaxMessageBytes
// (payload_too_large), as Segment does.
func (b *Batch) CheckSizes() *kith.Error {
	for i, m := range b.Messages {
		if len(m) > MaxMessageBytes {
			field := fmt.Sprintf("batch[%d]", i)
			if b.Type != "" {
				field = ""
			}
			return kith.FieldErrorf(field, kith.ECodePayloadTooLarge, "a message is %d bytes; at most %d are allowed", len(m), MaxMessageBytes)
		}
	}
	return nil
}

// decodeMessage decodes one message of a batch.
func decodeMessage(raw json.RawMessage) (*Message, *kith.Error) {
	var m Message
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, decodeError(err, "")
	}
	return &m, nil
}

// decodeError describes a JSON error with the field it concerns.
func decodeError(err error, prefix string) *kith.Error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		field := strings.TrimPrefix(prefix+"."+typeErr.Field, ".")
		return kith.FieldErrorf(field, kith.ECodeInvalid, "expected %s, got JSON %s", typeErr.Type.Kind(), typeErr.Value)
	case errors.As(err, &syntaxErr):
		return kith.FieldErrorf(prefix, kith.ECodeInvalidJSON, "malformed JSON at byte %d: %v", syntaxErr.Offset, err)
	}
	// Errors of Text and of the whole value (a JSON array, not an object).
	return kith.FieldErrorf(prefix, kith.ECodeInvalid, "%v", err)
}

// mergeContext returns the message's context with what it lacks taken
// from the batch's.
func mergeContext(msg, batch *Context) Context {
	var c Context
	if msg != nil {
		c = *msg
	}
	if batch == nil {
		return c
	}
	fill := func(dst *Text, src Text) {
		if *dst == "" {
			*dst = src
		}
	}
	fill(&c.IP, batch.IP)
	fill(&c.UserAgent, batch.UserAgent)
	fill(&c.Page.URL, batch.Page.URL)
	fill(&c.Page.Referrer, batch.Page.Referrer)
	fill(&c.Page.Title, batch.Page.Title)
	fill(&c.Page.Path, batch.Page.Path)
	return c
}
