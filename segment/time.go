package segment

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/kithcdp/kith"
)

// maxFutureSkew is how far ahead of receipt an event time may be, as for
// Kith's own events API.
const maxFutureSkew = 24 * time.Hour

// eventTime returns when a message happened. Its timestamp (or, lacking
// one, originalTimestamp) was read on the sender's clock; when the sender
// also says when it sent the message (sentAt, on the same clock), the skew
// between the two clocks is removed as Segment does:
// time = receivedAt − (sentAt − timestamp). Without a timestamp the time
// is receivedAt. Unreadable times and times more than a day ahead are
// skipped with a warning.
func eventTime(receivedAt time.Time, m *Message, batchSentAt json.RawMessage, warn func(*kith.Error)) time.Time {
	field, raw := "timestamp", m.Timestamp
	if isAbsent(raw) {
		field, raw = "originalTimestamp", m.OriginalTimestamp
	}
	ts, ok := parseTime(raw, field, warn)
	if !ok {
		return receivedAt
	}
	sentField, sentRaw := "sentAt", m.SentAt
	if isAbsent(sentRaw) {
		sentRaw = batchSentAt
	}
	if sent, ok := parseTime(sentRaw, sentField, warn); ok {
		ts = receivedAt.Add(-sent.Sub(ts))
	}
	if ts.After(receivedAt.Add(maxFutureSkew)) {
		warn(kith.FieldErrorf(field, kith.ECodeInvalidTime,
			"%s is more than a day in the future (%s); the time of receipt is used", field, ts.UTC().Format(time.RFC3339)))
		return receivedAt
	}
	return ts.UTC()
}

// parseTime reads an RFC 3339 time; absent or null gives ok false quietly.
func parseTime(raw json.RawMessage, field string, warn func(*kith.Error)) (time.Time, bool) {
	if isAbsent(raw) {
		return time.Time{}, false
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return t, true
		}
	}
	warn(kith.FieldErrorf(field, kith.ECodeInvalidTime, "%s %s is not an RFC 3339 timestamp; ignored", field, short(string(raw))))
	return time.Time{}, false
}

func isAbsent(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || bytes.Equal(raw, []byte("null")) || bytes.Equal(raw, []byte(`""`))
}

// short returns s cut to a length fit for a message.
func short(s string) string {
	const max = 64
	if r := []rune(s); len(r) > max {
		return string(r[:max]) + "…"
	}
	return s
}
