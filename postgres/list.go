package postgres

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/kithcdp/kith"
)

// searchCap is how many matches one search index may give before
// ListProfiles stops collecting matches and scans profiles in clientId
// order instead (as in the SQLite store).
const searchCap = 10000

// search is a profile search query prepared for matching (see
// kith.ProfileFilter). Prefix ranges use the text_pattern_ops operators,
// which compare bytes and work in generic plans of prepared statements
// (a LIKE pattern parameter does not).
type search struct {
	lo, hi   string // the folded query; a bound above every string it starts
	uuid     bool   // the query can start a uuid
	clientID int64  // the query as a clientId, or 0
}

func newSearch(q string) *search {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil
	}
	lo := kith.Fold(q)
	// U+10FFFF sorts after every character in UTF-8 byte order.
	s := &search{lo: lo, hi: lo + "\U0010FFFF"}
	s.uuid = strings.Trim(lo, "0123456789abcdef-") == ""
	if id, err := strconv.ParseInt(q, 10, 64); err == nil && id > 0 {
		s.clientID = id
	}
	return s
}

// searchSources find the clientIds whose email, customId or name starts
// with $2, at most $4 of each; their expressions and conditions are those
// of the indexes of migration 0002.
var searchSources = func() []string {
	out := []string{
		`SELECT client_id FROM profiles WHERE workspace_id = $1 AND email ~>=~ $2 AND email ~<~ $3 LIMIT $4`,
		`SELECT client_id FROM profiles WHERE workspace_id = $1 AND custom_id IS NOT NULL
			AND lower(custom_id) ~>=~ $2 AND lower(custom_id) ~<~ $3 LIMIT $4`,
	}
	for _, name := range kith.SearchNames {
		x := `lower(attributes ->> '` + name + `')`
		out = append(out, `SELECT client_id FROM profiles WHERE workspace_id = $1 AND attributes ? '`+name+`'
			AND `+x+` ~>=~ $2 AND `+x+` ~<~ $3 LIMIT $4`)
	}
	return out
}()

const (
	searchUUIDs = `SELECT client_id FROM profile_uuids WHERE workspace_id = $1 AND uuid ~>=~ $2 AND uuid ~<~ $3 LIMIT $4`
	searchID    = `SELECT client_id FROM profiles WHERE workspace_id = $1 AND client_id = $2
		UNION ALL SELECT client_id FROM merged_ids WHERE workspace_id = $1 AND old_client_id = $2`
)

// ListProfiles returns whole profiles matching f, newest first. A search
// first collects the matches of each search index; when one of them has
// more than searchCap, it scans profiles newest first and tests each one
// instead.
func (t *tx) ListProfiles(ctx context.Context, ws int64, f kith.ProfileFilter) ([]*kith.Profile, error) {
	ids, err := t.listProfileIDs(ctx, ws, f)
	if err != nil {
		return nil, wrap("list profiles", err)
	}
	return t.findProfiles(ctx, ws, ids)
}

func (t *tx) listProfileIDs(ctx context.Context, ws int64, f kith.ProfileFilter) ([]int64, error) {
	s := newSearch(f.Query)
	if s != nil {
		matches, dense, err := t.searchMatches(ctx, ws, s)
		if err != nil {
			return nil, err
		}
		if !dense {
			return t.filterMatches(ctx, ws, f, matches)
		}
	}
	return t.scanProfiles(ctx, ws, f, s)
}

// searchMatches returns the clientIds s matches, or dense when an index
// has more than searchCap matches. Its statements travel in one batch.
func (t *tx) searchMatches(ctx context.Context, ws int64, s *search) (ids []int64, dense bool, err error) {
	b := &pgx.Batch{}
	for _, q := range searchSources {
		b.Queue(q, ws, s.lo, s.hi, searchCap+1)
	}
	if s.uuid {
		b.Queue(searchUUIDs, ws, s.lo, s.hi, searchCap+1)
	}
	if s.clientID > 0 {
		b.Queue(searchID, ws, s.clientID)
	}
	br := t.pg.SendBatch(ctx, b)
	defer br.Close()
	seen := map[int64]bool{}
	for i := 0; i < b.Len(); i++ {
		found, err := collect(br, pgx.RowTo[int64])
		if err != nil {
			return nil, false, err
		}
		if len(found) > searchCap {
			dense = true
		}
		for _, id := range found {
			seen[id] = true
		}
	}
	if err := br.Close(); err != nil || dense {
		return nil, dense, err
	}
	for id := range seen {
		ids = append(ids, id)
	}
	return ids, false, nil
}

// filterMatches returns the page of search matches, newest first, that f
// selects.
func (t *tx) filterMatches(ctx context.Context, ws int64, f kith.ProfileFilter, ids []int64) ([]int64, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	q := &query{}
	wsArg := q.arg(ws)
	q.add(`SELECT client_id FROM profiles p WHERE workspace_id = `, wsArg, ` AND client_id = ANY(`, q.arg(ids), `)`)
	if f.Before > 0 {
		q.add(` AND client_id < `, q.arg(f.Before))
	}
	filterSQL(q, wsArg, f)
	q.add(` ORDER BY client_id DESC`)
	limitSQL(q, f.Limit)
	return t.ints(ctx, q)
}

// scanProfiles walks profiles newest first (with tag, along the tag's
// profiles) and keeps those s matches. The match is wrapped in coalesce()
// so that no search index applies: it is a filter on the walk, which finds
// a page quickly because matches are dense.
func (t *tx) scanProfiles(ctx context.Context, ws int64, f kith.ProfileFilter, s *search) ([]int64, error) {
	q := &query{}
	wsArg := q.arg(ws)
	col := "p.client_id"
	if f.Tag != "" {
		col = "t.client_id"
		q.add(`SELECT p.client_id FROM profile_tags t
			JOIN profiles p ON p.workspace_id = t.workspace_id AND p.client_id = t.client_id
			WHERE t.workspace_id = `, wsArg, ` AND t.tag = `, q.arg(f.Tag))
		if f.Anonymous != nil {
			q.add(` AND p.recognized = `, q.arg(!*f.Anonymous))
		}
	} else {
		q.add(`SELECT p.client_id FROM profiles p WHERE p.workspace_id = `, wsArg)
		filterSQL(q, wsArg, f)
	}
	if f.Before > 0 {
		q.add(` AND `, col, ` < `, q.arg(f.Before))
	}
	if s != nil {
		q.add(` AND coalesce(`)
		matchSQL(q, wsArg, s)
		q.add(`, false)`)
	}
	q.add(` ORDER BY `, col, ` DESC`)
	limitSQL(q, f.Limit)
	return t.ints(ctx, q)
}

// filterSQL adds f's anonymous and tag conditions on profile p.
func filterSQL(q *query, wsArg string, f kith.ProfileFilter) {
	if f.Anonymous != nil {
		q.add(` AND p.recognized = `, q.arg(!*f.Anonymous))
	}
	if f.Tag != "" {
		q.add(` AND EXISTS (SELECT 1 FROM profile_tags t WHERE t.workspace_id = `, wsArg,
			` AND t.client_id = p.client_id AND t.tag = `, q.arg(f.Tag), `)`)
	}
}

func limitSQL(q *query, limit int) {
	if limit > 0 {
		q.add(` LIMIT `, q.arg(limit))
	}
}

// matchSQL adds the condition that profile p matches s.
func matchSQL(q *query, wsArg string, s *search) {
	lo, hi := q.arg(s.lo), q.arg(s.hi)
	in := func(x string) string { return `(` + x + ` ~>=~ ` + lo + ` AND ` + x + ` ~<~ ` + hi + `)` }
	q.add(in("p.email"), ` OR `, in("lower(p.custom_id)"))
	for _, name := range kith.SearchNames {
		q.add(` OR `, in("lower(p.attributes ->> '"+name+"')"))
	}
	if s.uuid {
		q.add(` OR EXISTS (SELECT 1 FROM profile_uuids u WHERE u.workspace_id = p.workspace_id
			AND u.client_id = p.client_id AND `, in("u.uuid"), `)`)
	}
	if s.clientID > 0 {
		id := q.arg(s.clientID)
		q.add(` OR p.client_id = `, id, ` OR p.client_id IN (SELECT client_id FROM merged_ids
			WHERE workspace_id = `, wsArg, ` AND old_client_id = `, id, `)`)
	}
}

// query builds a statement with numbered parameters.
type query struct {
	sql  strings.Builder
	args []any
}

// arg binds v and returns its placeholder.
func (q *query) arg(v any) string {
	q.args = append(q.args, v)
	return "$" + strconv.Itoa(len(q.args))
}

func (q *query) add(parts ...string) {
	for _, p := range parts {
		q.sql.WriteString(p)
	}
}

// ints runs a query of one bigint column.
func (t *tx) ints(ctx context.Context, q *query) ([]int64, error) {
	rows, err := t.pg.Query(ctx, q.sql.String(), q.args...)
	if err != nil {
		return nil, err
	}
	return collectRows(rows, pgx.RowTo[int64])
}

// CountProfiles sums the counters that triggers keep (migration 0002).
func (t *tx) CountProfiles(ctx context.Context, ws int64) (kith.ProfileStats, error) {
	var st kith.ProfileStats
	err := t.pg.QueryRow(ctx, `SELECT coalesce(sum(total), 0), coalesce(sum(recognized), 0)
		FROM profile_counts WHERE workspace_id = $1`, ws).Scan(&st.Total, &st.Recognized)
	if err != nil {
		return st, wrap("count profiles", err)
	}
	st.Anonymous = st.Total - st.Recognized
	return st, nil
}

// findProfiles reads whole profiles in the order of ids, in one batch of
// five statements (FindProfile reads one). Ids of profiles that do not
// exist are skipped.
func (t *tx) findProfiles(ctx context.Context, ws int64, ids []int64) ([]*kith.Profile, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	b := &pgx.Batch{}
	b.Queue("SELECT "+profileColumns+" FROM profiles WHERE workspace_id = $1 AND client_id = ANY($2)", ws, ids)
	b.Queue(`SELECT client_id, uuid FROM profile_uuids WHERE workspace_id = $1 AND client_id = ANY($2) ORDER BY id`, ws, ids)
	b.Queue(`SELECT client_id, tag FROM profile_tags WHERE workspace_id = $1 AND client_id = ANY($2)
		ORDER BY tag COLLATE "C"`, ws, ids)
	b.Queue(`SELECT client_id, browser, os, device_type, last_seen_at FROM devices
		WHERE workspace_id = $1 AND client_id = ANY($2)
		ORDER BY last_seen_at DESC, browser COLLATE "C", os COLLATE "C", device_type COLLATE "C"`, ws, ids)
	b.Queue(`SELECT client_id, old_client_id FROM merged_ids WHERE workspace_id = $1 AND client_id = ANY($2)
		ORDER BY old_client_id`, ws, ids)
	br := t.pg.SendBatch(ctx, b)
	defer br.Close()
	rows, err := br.Query()
	if err != nil {
		return nil, wrap("find profiles", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*kith.Profile, error) { return scanProfile(row) })
	if err != nil {
		return nil, wrap("find profiles", err)
	}
	byID := make(map[int64]*kith.Profile, len(list))
	for _, p := range list {
		byID[p.ClientID] = p
	}
	text := func(row pgx.CollectableRow) (int64, string, error) {
		var id int64
		var v string
		err := row.Scan(&id, &v)
		return id, v, err
	}
	if err := collectPairs(br, byID, text, func(p *kith.Profile, u string) { p.UUIDs = append(p.UUIDs, u) }); err != nil {
		return nil, wrap("find profiles: uuids", err)
	}
	if err := collectPairs(br, byID, text, func(p *kith.Profile, tag string) { p.Tags = append(p.Tags, tag) }); err != nil {
		return nil, wrap("find profiles: tags", err)
	}
	device := func(row pgx.CollectableRow) (int64, kith.Device, error) {
		var id int64
		var d kith.Device
		err := row.Scan(&id, &d.Browser, &d.OS, &d.DeviceType, &d.LastSeenAt)
		d.LastSeenAt = d.LastSeenAt.UTC()
		return id, d, err
	}
	if err := collectPairs(br, byID, device, func(p *kith.Profile, d kith.Device) { p.Devices = append(p.Devices, d) }); err != nil {
		return nil, wrap("find profiles: devices", err)
	}
	previous := func(row pgx.CollectableRow) (int64, int64, error) {
		var id, old int64
		err := row.Scan(&id, &old)
		return id, old, err
	}
	if err := collectPairs(br, byID, previous, func(p *kith.Profile, old int64) {
		p.PreviousClientIDs = append(p.PreviousClientIDs, old)
	}); err != nil {
		return nil, wrap("find profiles: previous ids", err)
	}
	if err := br.Close(); err != nil {
		return nil, wrap("find profiles", err)
	}
	out := make([]*kith.Profile, 0, len(ids))
	for _, id := range ids {
		if p := byID[id]; p != nil {
			out = append(out, p)
		}
	}
	return slices.Clip(out), nil
}

// collectPairs reads the next batch result, rows of a client_id and a
// value, and gives each value to its profile.
func collectPairs[T any](br pgx.BatchResults, byID map[int64]*kith.Profile,
	scan func(pgx.CollectableRow) (int64, T, error), add func(*kith.Profile, T)) error {
	rows, err := br.Query()
	if err != nil {
		return err
	}
	var id int64
	var v T
	_, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (struct{}, error) {
		var err error
		if id, v, err = scan(row); err == nil {
			if p := byID[id]; p != nil {
				add(p, v)
			}
		}
		return struct{}{}, err
	})
	return err
}
