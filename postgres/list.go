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
	// Shorter prefixes match thousands of random uuids: no search.
	s.uuid = len(lo) >= 4 && strings.Trim(lo, "0123456789abcdef-") == ""
	if id, err := strconv.ParseInt(q, 10, 64); err == nil && id > 0 {
		s.clientID = id
	}
	return s
}

// searchSources find the clientIds whose email, customId or name starts
// with $2; their expressions and conditions are those of the indexes of
// migration 0002.
var searchSources = func() []string {
	out := []string{
		`SELECT client_id FROM profiles WHERE workspace_id = $1 AND email ~>=~ $2 AND email ~<~ $3`,
		`SELECT client_id FROM profiles WHERE workspace_id = $1 AND custom_id IS NOT NULL
			AND lower(custom_id) ~>=~ $2 AND lower(custom_id) ~<~ $3`,
	}
	for _, name := range kith.SearchNames {
		x := `lower(attributes ->> '` + name + `')`
		out = append(out, `SELECT client_id FROM profiles WHERE workspace_id = $1 AND attributes ? '`+name+`'
			AND `+x+` ~>=~ $2 AND `+x+` ~<~ $3`)
	}
	return out
}()

const (
	searchUUIDs = `SELECT client_id FROM profile_uuids WHERE workspace_id = $1 AND uuid ~>=~ $2 AND uuid ~<~ $3`
	searchID    = `SELECT client_id FROM profiles WHERE workspace_id = $1 AND client_id = $2
		UNION ALL SELECT client_id FROM merged_ids WHERE workspace_id = $1 AND old_client_id = $2`
)

// probe returns a search source's statement that tells whether it has
// more than $4 matches. It selects no column, so that PostgreSQL can
// answer from a plain column's index alone (index-only scan).
func probe(source string) string {
	return `SELECT EXISTS (SELECT 1 ` + strings.TrimPrefix(source, `SELECT client_id `) + ` OFFSET $4)`
}

// ListProfiles returns whole profiles matching f, newest first. A search
// first probes each search index for more than searchCap matches; when
// none has that many it sorts the matches, otherwise it scans profiles
// newest first and tests each one (docs/STORAGE.md).
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
// has more than searchCap matches. Each phase's statements travel in one
// batch: first probes of the counts, then the matches.
func (t *tx) searchMatches(ctx context.Context, ws int64, s *search) (ids []int64, dense bool, err error) {
	// Email and uuid first: their probes are index-only.
	queries := searchSources[:1]
	if s.uuid {
		queries = append(slices.Clip(queries), searchUUIDs)
	}
	queries = append(slices.Clip(queries), searchSources[1:]...)
	// One probe at a time, cheapest first: the first dense one ends the
	// search phase, and a probe of an expression index reads its rows.
	for _, q := range queries {
		if err := t.pg.QueryRow(ctx, probe(q), ws, s.lo, s.hi, searchCap).Scan(&dense); err != nil || dense {
			return nil, dense, err
		}
	}
	b := &pgx.Batch{}
	for _, q := range queries {
		b.Queue(q, ws, s.lo, s.hi)
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
		for _, id := range found {
			seen[id] = true
		}
	}
	if err := br.Close(); err != nil {
		return nil, false, err
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
		// Both sides of the tag join: a merge join walks profiles from the
		// bound, not from the newest one.
		b := q.arg(f.Before)
		q.add(` AND p.client_id < `, b)
		if f.Tag != "" {
			q.add(` AND t.client_id < `, b)
		}
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
