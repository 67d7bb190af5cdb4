package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/kithcdp/kith"
)

const eventColumns = `seq, workspace_id, event_id, client_id, action, label, time, received_at,
	source, params, client, context`

// InsertEvents stores events with one statement, whatever their number: the
// columns travel as arrays and unnest turns them back into rows. A trigger
// adds the rows it stored to event_counts (migration 0005). An event
// whose EventID exists in its workspace (stored before, or earlier in
// events) is skipped and keeps Seq 0; the others get their Seq, increasing
// in slice order. A zero ReceivedAt becomes now, and times are written back
// as stored.
//
// The events table has no foreign key to profiles, which would check every
// row: writers lock the profile first (LockProfiles, RecordActivity), and
// that lock orders them against merges and deletions.
func (t *tx) InsertEvents(ctx context.Context, events []*kith.Event) error {
	if len(events) == 0 {
		return nil
	}
	n := len(events)
	var now time.Time
	var (
		wss       = make([]int64, n)
		ids       = make([]string, n)
		clients   = make([]int64, n)
		actions   = make([]string, n)
		labels    = make([]string, n)
		times     = make([]time.Time, n)
		received  = make([]time.Time, n)
		sources   = make([]string, n)
		params    = make([]*string, n)
		idents    = make([]*string, n)
		contexts  = make([]*string, n)
		positions = make(map[eventKey]int, n)
	)
	for i, e := range events {
		e.Seq = 0
		e.Time = ts(e.Time)
		if e.ReceivedAt.IsZero() {
			if now.IsZero() {
				now = ts(t.now())
			}
			e.ReceivedAt = now
		} else {
			e.ReceivedAt = ts(e.ReceivedAt)
		}
		wss[i], ids[i], clients[i] = e.WorkspaceID, e.EventID, e.ClientID
		actions[i], labels[i], sources[i] = e.Action, e.Label, e.Source
		times[i], received[i] = e.Time, e.ReceivedAt
		params[i] = rawJSON(e.Params)
		c, err := jsonValue(e.Client)
		if err != nil {
			return wrap("insert events", err)
		}
		x, err := jsonValue(e.Context)
		if err != nil {
			return wrap("insert events", err)
		}
		idents[i], contexts[i] = rawJSON(c), rawJSON(x)
		if _, dup := positions[eventKey{e.WorkspaceID, e.EventID}]; !dup {
			positions[eventKey{e.WorkspaceID, e.EventID}] = i
		}
	}
	rows, err := t.pg.Query(ctx, `INSERT INTO events (workspace_id, event_id, client_id, action, label,
			time, received_at, source, params, client, context)
		SELECT w, e, c, a, l, tm, r, s, p::jsonb, i::jsonb, x::jsonb
		FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[],
			$6::timestamptz[], $7::timestamptz[], $8::text[], $9::text[], $10::text[], $11::text[])
			WITH ORDINALITY AS u(w, e, c, a, l, tm, r, s, p, i, x, n)
		ORDER BY n
		ON CONFLICT (workspace_id, event_id) DO NOTHING
		RETURNING workspace_id, event_id, seq`,
		wss, ids, clients, actions, labels, times, received, sources, params, idents, contexts)
	if err != nil {
		return wrap("insert events", err)
	}
	var k eventKey
	var seq int64
	_, err = pgx.ForEachRow(rows, []any{&k.ws, &k.id, &seq}, func() error {
		if i, ok := positions[k]; ok {
			events[i].Seq = seq
		}
		return nil
	})
	if err != nil {
		return wrap("insert events", err)
	}
	return nil
}

// FindEvent returns the event with eventID (not_found).
func (t *tx) FindEvent(ctx context.Context, ws int64, eventID string) (*kith.Event, error) {
	rows, err := t.pg.Query(ctx, "SELECT "+eventColumns+
		" FROM events WHERE workspace_id = $1 AND event_id = $2", ws, eventID)
	if err != nil {
		return nil, wrap("find event", err)
	}
	e, err := pgx.CollectExactlyOneRow(rows, scanEvent)
	if noRows(err) {
		return nil, notFound("event %q not found", eventID)
	}
	if err != nil {
		return nil, wrap("find event", err)
	}
	return e, nil
}

// ListEvents returns a profile's events newest first, by time then Seq,
// strictly after f.Before in that order when it is set. A Limit of 0 or
// less returns every event.
func (t *tx) ListEvents(ctx context.Context, ws int64, f kith.EventFilter) ([]*kith.Event, error) {
	q := "SELECT " + eventColumns + " FROM events WHERE workspace_id = $1 AND client_id = $2"
	args := []any{ws, f.ClientID}
	if f.Action != "" {
		args = append(args, f.Action)
		q += fmt.Sprintf(" AND action = $%d", len(args))
	}
	if f.Before != nil {
		args = append(args, ts(f.Before.Time), f.Before.Seq)
		q += fmt.Sprintf(" AND (time, seq) < ($%d, $%d)", len(args)-1, len(args))
	}
	q += " ORDER BY time DESC, seq DESC"
	if f.Limit > 0 {
		args = append(args, f.Limit)
		q += fmt.Sprintf(" LIMIT $%d", len(args))
	}
	rows, err := t.pg.Query(ctx, q, args...)
	if err != nil {
		return nil, wrap("list events", err)
	}
	events, err := collectRows(rows, scanEvent)
	if err != nil {
		return nil, wrap("list events", err)
	}
	return events, nil
}

// eventKey identifies an event across workspaces.
type eventKey struct {
	ws int64
	id string
}

// scanEvent reads a row of eventColumns.
func scanEvent(row pgx.CollectableRow) (*kith.Event, error) {
	var e kith.Event
	var params, client, evctx []byte
	if err := row.Scan(&e.Seq, &e.WorkspaceID, &e.EventID, &e.ClientID, &e.Action, &e.Label,
		&e.Time, &e.ReceivedAt, &e.Source, &params, &client, &evctx); err != nil {
		return nil, err
	}
	if len(params) > 0 {
		e.Params = params
	}
	if err := decodeJSON(client, &e.Client); err != nil {
		return nil, err
	}
	if err := decodeJSON(evctx, &e.Context); err != nil {
		return nil, err
	}
	e.Time, e.ReceivedAt = e.Time.UTC(), e.ReceivedAt.UTC()
	return &e, nil
}
