package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/kithcdp/kith"
)

// eventInsertColumns is the number of values one event binds.
const eventInsertColumns = 11

// maxEventRows is the most events one INSERT statement carries. Fewer,
// larger statements are faster; 64 rows bind 704 values, well inside
// SQLite's limit on host parameters (32766 in this build, 999 in old ones).
const maxEventRows = 128

// insertEventsSQL[n] inserts n events. The texts are built once so that the
// writer's statement cache finds them without rebuilding a string per call.
var insertEventsSQL = func() (q [maxEventRows + 1]string) {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", eventInsertColumns), ", ") + ")"
	for n := 1; n <= maxEventRows; n++ {
		q[n] = `INSERT INTO events (workspace_id, event_id, client_id, action, label, time, received_at,
			source, params, client, context) VALUES ` +
			strings.TrimSuffix(strings.Repeat(row+", ", n), ", ") +
			` ON CONFLICT (workspace_id, event_id) DO NOTHING RETURNING workspace_id, event_id, seq`
	}
	return q
}()

// InsertEvents stores events, in statements of up to maxEventRows rows. An
// event whose EventID already exists in its workspace (stored before, or
// earlier in events) is skipped and keeps Seq 0; every stored one gets its
// Seq. A zero ReceivedAt becomes now, and times are written back as stored
// (UTC, microseconds). An event of a profile that no longer exists returns
// kith.ErrRetry.
func (t *tx) InsertEvents(ctx context.Context, events []*kith.Event) error {
	for rest := events; len(rest) > 0; {
		n := min(len(rest), maxEventRows)
		if err := t.insertEventRows(ctx, rest[:n]); err != nil {
			return err
		}
		rest = rest[n:]
	}
	return t.addEventCounts(ctx, events)
}

// addEventCountsSQL adds a JSON list of [workspace, hour, action, count]
// to event_counts (migration 0005). WHERE true tells the parser that ON
// CONFLICT belongs to the INSERT.
const addEventCountsSQL = `INSERT INTO event_counts (workspace_id, hour, action, count)
	SELECT j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3 FROM json_each(?) AS j WHERE true
	ON CONFLICT (workspace_id, hour, action) DO UPDATE SET count = count + excluded.count`

// addEventCounts adds the events just stored (those with a Seq) to
// event_counts, which CountEvents reads: one upsert per batch rather than
// a trigger per row, as only the writer inserts events.
func (t *tx) addEventCounts(ctx context.Context, events []*kith.Event) error {
	counts := countStored(events)
	if len(counts) == 0 {
		return nil
	}
	data, err := json.Marshal(counts)
	if err != nil {
		return storeErr("count events", err)
	}
	if _, err := t.exec(ctx, addEventCountsSQL, string(data)); err != nil {
		return storeErr("count events", err)
	}
	return nil
}

// countStored counts the events with a Seq by workspace, hour of
// ReceivedAt (UTC, in microseconds) and action, as [workspace, hour,
// action, count] rows.
func countStored(events []*kith.Event) [][]any {
	type key struct {
		ws     int64
		hour   int64
		action string
	}
	n := map[key]int64{}
	for _, e := range events {
		if e.Seq != 0 {
			n[key{e.WorkspaceID, micros(e.ReceivedAt.UTC().Truncate(time.Hour)), e.Action}]++
		}
	}
	out := make([][]any, 0, len(n))
	for k, c := range n {
		out = append(out, []any{k.ws, k.hour, k.action, c})
	}
	return out
}

func (t *tx) insertEventRows(ctx context.Context, events []*kith.Event) error {
	args := make([]any, 0, len(events)*eventInsertColumns)
	var now int64
	for _, e := range events {
		e.Seq = 0
		e.Time = storedTime(e.Time)
		if e.ReceivedAt.IsZero() {
			if now == 0 {
				now = micros(t.now())
			}
			e.ReceivedAt = fromMicros(now)
		} else {
			e.ReceivedAt = storedTime(e.ReceivedAt)
		}
		client, err := json.Marshal(e.Client)
		if err != nil {
			return storeErr("encode event client", err)
		}
		origin, err := json.Marshal(e.Context)
		if err != nil {
			return storeErr("encode event context", err)
		}
		var params any
		if len(e.Params) > 0 {
			params = string(e.Params)
		}
		args = append(args, e.WorkspaceID, e.EventID, e.ClientID, e.Action, e.Label,
			micros(e.Time), micros(e.ReceivedAt), e.Source, params, string(client), string(origin))
	}
	rows, err := t.query(ctx, insertEventsSQL[len(events)], args...)
	if err != nil {
		return retryable("insert events", err)
	}
	defer rows.Close()
	// RETURNING lists inserted rows only, in an order SQLite does not
	// promise; in practice it is insertion order, so a forward cursor
	// finds each in one step and the full scan is a fallback.
	next := 0
	for rows.Next() {
		var ws, seq int64
		var id sql.RawBytes
		if err := rows.Scan(&ws, &id, &seq); err != nil {
			return storeErr("insert events", err)
		}
		i := findInserted(events, next, ws, id)
		if i < 0 {
			i = findInserted(events, 0, ws, id)
		}
		if i < 0 {
			return fmt.Errorf("sqlite: insert events: stored event %s is not in the batch", id)
		}
		events[i].Seq = seq
		next = i + 1
	}
	if err := rows.Err(); err != nil {
		return retryable("insert events", err)
	}
	return nil
}

// findInserted returns the index of the first event from index from on with
// that workspace and id and no Seq yet, or -1.
func findInserted(events []*kith.Event, from int, ws int64, id []byte) int {
	for i := from; i < len(events); i++ {
		e := events[i]
		if e.Seq == 0 && e.WorkspaceID == ws && e.EventID == string(id) {
			return i
		}
	}
	return -1
}

const eventColumns = `seq, workspace_id, event_id, client_id, action, label, time, received_at, source,
	params, client, context`

// listEventsSQL[action][before] is ListEvents' query with or without the
// action filter and the cursor. (time, seq) row values let SQLite seek the
// timeline index straight to the cursor.
var listEventsSQL = func() (q [2][2]string) {
	for a := 0; a < 2; a++ {
		for b := 0; b < 2; b++ {
			s := `SELECT ` + eventColumns + ` FROM events WHERE workspace_id = ? AND client_id = ?`
			if a == 1 {
				s += ` AND action = ?`
			}
			if b == 1 {
				s += ` AND (time, seq) < (?, ?)`
			}
			q[a][b] = s + ` ORDER BY time DESC, seq DESC LIMIT ?`
		}
	}
	return q
}()

// ListEvents returns a profile's events newest first, by time and then
// Seq, strictly after f.Before in that order when it is set, with action
// f.Action when it is not empty. A Limit of 0 or less means no limit.
func (t *tx) ListEvents(ctx context.Context, ws int64, f kith.EventFilter) ([]*kith.Event, error) {
	args := []any{ws, f.ClientID}
	var a, b int
	if f.Action != "" {
		a = 1
		args = append(args, f.Action)
	}
	if f.Before != nil {
		b = 1
		args = append(args, micros(f.Before.Time), f.Before.Seq)
	}
	limit := int64(f.Limit)
	if limit <= 0 {
		limit = -1
	}
	args = append(args, limit)
	rows, err := t.query(ctx, listEventsSQL[a][b], args...)
	if err != nil {
		return nil, storeErr("list events", err)
	}
	defer rows.Close()
	var out []*kith.Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, storeErr("list events", err)
	}
	return out, nil
}

// FindEvent returns the event with eventID (not_found).
func (t *tx) FindEvent(ctx context.Context, ws int64, eventID string) (*kith.Event, error) {
	rows, err := t.query(ctx, `SELECT `+eventColumns+` FROM events WHERE workspace_id = ? AND event_id = ?`,
		ws, eventID)
	if err != nil {
		return nil, storeErr("find event", err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, storeErr("find event", err)
		}
		return nil, notFound("event %s not found", eventID)
	}
	return scanEvent(rows)
}

// scanEvent reads one row of eventColumns.
func scanEvent(rows *sql.Rows) (*kith.Event, error) {
	var e kith.Event
	var tm, received int64
	var params, client, origin []byte
	if err := rows.Scan(&e.Seq, &e.WorkspaceID, &e.EventID, &e.ClientID, &e.Action, &e.Label, &tm, &received,
		&e.Source, &params, &client, &origin); err != nil {
		return nil, storeErr("read event", err)
	}
	e.Time, e.ReceivedAt = fromMicros(tm), fromMicros(received)
	if params != nil {
		e.Params = json.RawMessage(params)
	}
	if err := decodeJSON(client, &e.Client); err != nil {
		return nil, storeErr("decode event client", err)
	}
	if err := decodeJSON(origin, &e.Context); err != nil {
		return nil, storeErr("decode event context", err)
	}
	return &e, nil
}
