package segment

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/kithcdp/kith"
)

func TestEventTime(t *testing.T) {
	received := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name                      string
		ts, original, sent, bsent string // raw JSON, "" for absent
		want                      time.Time
		warn                      []string
	}{
		{"nothing: receipt time", "", "", "", "", received, nil},
		{"timestamp without sentAt is used as is", `"2026-11-28T10:00:00Z"`, "", "", "",
			time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC), nil},
		{"skew corrected with sentAt", `"2026-11-28T11:00:00Z"`, "", `"2026-11-28T11:00:30Z"`, "",
			received.Add(-30 * time.Second), nil},
		{"client clock an hour behind", `"2026-11-28T10:59:50+00:00"`, "", `"2026-11-28T11:00:00Z"`, "",
			received.Add(-10 * time.Second), nil},
		{"batch sentAt applies", `"2026-11-28T11:00:00Z"`, "", "", `"2026-11-28T11:00:05Z"`,
			received.Add(-5 * time.Second), nil},
		{"message sentAt wins over the batch's", `"2026-11-28T11:00:00Z"`, "", `"2026-11-28T11:00:01Z"`, `"2026-11-28T11:00:05Z"`,
			received.Add(-time.Second), nil},
		{"originalTimestamp when no timestamp", "", `"2026-11-28T11:00:00Z"`, `"2026-11-28T11:00:02Z"`, "",
			received.Add(-2 * time.Second), nil},
		{"timestamp wins over originalTimestamp", `"2026-11-28T09:00:00Z"`, `"2026-11-28T08:00:00Z"`, "", "",
			time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC), nil},
		{"offsets are honoured", `"2026-11-28T10:00:00+02:00"`, "", "", "",
			time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC), nil},
		{"historical import keeps its date", `"2025-01-01T00:00:00Z"`, "", `"2026-11-28T12:00:00Z"`, "",
			time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), nil},
		{"null timestamp", `null`, "", "", "", received, nil},
		{"bad timestamp", `"yesterday"`, "", "", "", received, []string{"timestamp invalid_time"}},
		{"numeric timestamp", `1700000000`, "", "", "", received, []string{"timestamp invalid_time"}},
		{"bad sentAt ignored", `"2026-11-28T10:00:00Z"`, "", `"soon"`, "",
			time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC), []string{"sentAt invalid_time"}},
		{"far future refused", `"2026-12-01T00:00:00Z"`, "", "", "", received, []string{"timestamp invalid_time"}},
		{"slightly ahead is fine", `"2026-11-28T13:00:00Z"`, "", "", "",
			time.Date(2026, 11, 28, 13, 0, 0, 0, time.UTC), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := &Message{Timestamp: raw(tc.ts), OriginalTimestamp: raw(tc.original), SentAt: raw(tc.sent)}
			var warns []string
			got := eventTime(received, m, raw(tc.bsent), func(e *kith.Error) { warns = append(warns, e.Field+" "+e.Code) })
			if !got.Equal(tc.want) || got.Location() != time.UTC {
				t.Errorf("time = %s, want %s (UTC)", got, tc.want)
			}
			if !slices.Equal(warns, tc.warn) {
				t.Errorf("warnings = %q, want %q", warns, tc.warn)
			}
		})
	}
}

func raw(s string) json.RawMessage {
	if s == "" {
		return nil
	}
	return json.RawMessage(s)
}
