package sqlite

import (
	"encoding/json"
	"time"
)

// Times are stored as INTEGER microseconds since the Unix epoch, UTC: they
// sort and compare as numbers, and microseconds match PostgreSQL's
// timestamptz so that both stores give back the same values.

// micros returns t as stored.
func micros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros returns a stored time, in UTC.
func fromMicros(v int64) time.Time { return time.UnixMicro(v).UTC() }

// storedTime returns t as it reads back from the store: in UTC, truncated
// to the microsecond. Stores write it back into the caller's struct so that
// what was written equals what is read.
func storedTime(t time.Time) time.Time { return fromMicros(micros(t)) }

// nullMicros returns *t as stored, or NULL.
func nullMicros(t *time.Time) any {
	if t == nil {
		return nil
	}
	return micros(*t)
}

// nullText returns s, or NULL when it is empty, so that an absent email or
// customId takes no entry in the partial unique indexes.
func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// jsonText encodes v as JSON text. A nil value encodes as NULL.
func jsonText(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	if string(b) == "null" {
		return nil, nil
	}
	return string(b), nil
}

// decodeJSON decodes stored JSON text into v; NULL leaves v alone.
func decodeJSON(b []byte, v any) error {
	if b == nil {
		return nil
	}
	return json.Unmarshal(b, v)
}
