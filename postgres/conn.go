package postgres

import (
	"context"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// conn is the transaction as tx's methods see it. Profiles created in the
// transaction wait in pending and are inserted together, with one
// statement, just before the next statement of any kind or the commit:
// a request full of new visitors then costs one round trip for all their
// profiles instead of one each. Nothing can observe the wait, because
// every statement of the transaction goes through conn and flushes first.
//
// A pending profile already has its clientId, reserved from the identity
// sequence in as few round trips as the caller's hint (ExpectNewProfiles)
// allows. Reserved numbers a transaction does not use are skipped, like
// those of a rolled-back insert.
type conn struct {
	tx       pgx.Tx
	pending  map[int64]*pendingProfile // by clientId
	order    []int64                   // clientIds of pending, as created
	reserved []int64
	expect   int // profiles the caller still expects to create
}

// pendingProfile is the row of a created profile, as it was created, waiting
// for its insert.
type pendingProfile struct {
	ws, clientID               int64
	email, emailKey, customID  *string
	recognized                 bool
	attrs, agreements          string
	created, updated, activity time.Time
	uuids                      []string
}

func (c *conn) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if err := c.flush(ctx); err != nil {
		return pgconn.CommandTag{}, err
	}
	return c.tx.Exec(ctx, sql, args...)
}

func (c *conn) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if err := c.flush(ctx); err != nil {
		return nil, err
	}
	return c.tx.Query(ctx, sql, args...)
}

func (c *conn) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if err := c.flush(ctx); err != nil {
		return errRow{err}
	}
	return c.tx.QueryRow(ctx, sql, args...)
}

func (c *conn) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	if err := c.flush(ctx); err != nil {
		return errBatch{err}
	}
	return c.tx.SendBatch(ctx, b)
}

// add queues the insert of a created profile.
func (c *conn) add(np *pendingProfile) {
	if c.pending == nil {
		c.pending = map[int64]*pendingProfile{}
	}
	c.pending[np.clientID] = np
	c.order = append(c.order, np.clientID)
}

// touchPending moves the last activity of a profile still waiting for its
// insert forward to at, and reports whether the profile was one: its row
// is then written with it, rather than written and updated.
func (c *conn) touchPending(clientID int64, at time.Time) bool {
	np := c.pending[clientID]
	if np == nil {
		return false
	}
	if at.After(np.activity) {
		np.activity = at
	}
	return true
}

// clientID returns a reserved clientId for a new profile, reserving as
// many as the caller expects to create when none is left.
func (c *conn) clientID(ctx context.Context) (int64, error) {
	if len(c.reserved) == 0 {
		rows, err := c.tx.Query(ctx, `SELECT nextval(pg_get_serial_sequence('profiles', 'client_id'))
			FROM generate_series(1, $1)`, max(c.expect, 1))
		if err != nil {
			return 0, wrap("reserve client ids", err)
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return 0, wrap("reserve client ids", err)
		}
		slices.Sort(ids) // handed out in order, as the sequence would
		c.reserved = ids
	}
	id := c.reserved[0]
	c.reserved = c.reserved[1:]
	c.expect = max(c.expect-1, 0)
	return id, nil
}

// flush inserts the pending profiles and their uuids with one statement.
// A taken identifier fails it with kith.ErrRetry, as a single insert
// would have; the transaction is then aborted and runs again.
func (c *conn) flush(ctx context.Context) error {
	if len(c.pending) == 0 {
		return nil
	}
	n := len(c.order)
	var (
		wss, ids                 = make([]int64, n), make([]int64, n)
		emails, keys, customIDs  = make([]*string, n), make([]*string, n), make([]*string, n)
		recognized               = make([]bool, n)
		attrs, agreements        = make([]string, n), make([]string, n)
		created, updated, active = make([]time.Time, n), make([]time.Time, n), make([]time.Time, n)
		uuidWSs, uuidIDs         []int64
		uuids                    []string
	)
	for i, id := range c.order {
		np := c.pending[id]
		wss[i], ids[i] = np.ws, np.clientID
		emails[i], keys[i], customIDs[i] = np.email, np.emailKey, np.customID
		recognized[i], attrs[i], agreements[i] = np.recognized, np.attrs, np.agreements
		created[i], updated[i], active[i] = np.created, np.updated, np.activity
		for _, u := range np.uuids {
			uuidWSs, uuidIDs, uuids = append(uuidWSs, np.ws), append(uuidIDs, np.clientID), append(uuids, u)
		}
	}
	clear(c.pending)
	c.order = c.order[:0]
	// The uuids are inserted in the order given, so that a profile's
	// first uuid keeps the lowest row id (its main uuid).
	_, err := c.tx.Exec(ctx, `WITH p AS (
			INSERT INTO profiles (workspace_id, client_id, email, email_key, custom_id, recognized,
				attributes, agreements, created_at, updated_at, last_activity_at)
			SELECT w, id, e, k, cid, r, a::jsonb, g::jsonb, ca, ua, la
			FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::bool[],
				$7::text[], $8::text[], $9::timestamptz[], $10::timestamptz[], $11::timestamptz[])
				AS x(w, id, e, k, cid, r, a, g, ca, ua, la)
		)
		INSERT INTO profile_uuids (workspace_id, uuid, client_id)
		SELECT w, u, id FROM unnest($12::bigint[], $13::text[], $14::bigint[]) WITH ORDINALITY AS x(w, u, id, n)
		ORDER BY n`,
		wss, ids, emails, keys, customIDs, recognized, attrs, agreements, created, updated, active,
		uuidWSs, uuids, uuidIDs)
	if err != nil {
		return wrap("create profiles", err)
	}
	return nil
}

// errRow is a pgx.Row whose statement never ran.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// errBatch is a pgx.BatchResults whose batch was never sent.
type errBatch struct{ err error }

func (b errBatch) Exec() (pgconn.CommandTag, error) { return pgconn.CommandTag{}, b.err }
func (b errBatch) Query() (pgx.Rows, error)         { return nil, b.err }
func (b errBatch) QueryRow() pgx.Row                { return errRow(b) }
func (b errBatch) Close() error                     { return b.err }
func (b errBatch) Tx() pgx.Tx                       { return nil }
