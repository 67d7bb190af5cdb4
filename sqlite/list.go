package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/kithcdp/kith"
)

// searchCap is how many matches one search index may give before
// ListProfiles stops collecting matches and scans profiles in clientId
// order instead. Below it, sorting the matches is cheap; above it, matches
// are at least searchCap/N of the profiles, dense enough that a scan finds
// a page quickly.
const searchCap = 10000

// filterChunk is how many search matches one filtering statement checks.
const filterChunk = 512

// Search expressions. They must read exactly as in the index definitions
// of migration 0002 for SQLite to use those indexes.
const foldCustomID = `kith_fold(custom_id)`

func nameExpr(name string) string { return `json_extract(attributes, '$.` + name + `')` }

// searchSources find the clientIds whose email, customId or name starts
// with ?2 (folded) and sorts before ?3.
var searchSources = func() []string {
	out := []string{
		`SELECT client_id FROM profiles WHERE workspace_id = ?1 AND email >= ?2 AND email < ?3`,
		`SELECT client_id FROM profiles WHERE workspace_id = ?1 AND ` + foldCustomID + ` >= ?2 AND ` + foldCustomID + ` < ?3`,
	}
	for _, name := range kith.SearchNames {
		x := `kith_fold(` + nameExpr(name) + `)`
		out = append(out, `SELECT client_id FROM profiles WHERE workspace_id = ?1 AND `+x+` >= ?2 AND `+x+` < ?3`)
	}
	return out
}()

const (
	searchUUIDs = `SELECT client_id FROM profile_uuids WHERE workspace_id = ?1 AND uuid >= ?2 AND uuid < ?3`
	searchID    = `SELECT client_id FROM profiles WHERE workspace_id = ?1 AND client_id = ?2
		UNION ALL SELECT client_id FROM merged_ids WHERE workspace_id = ?1 AND old_client_id = ?2`
)

// probe returns a search source's statement that tells whether it has
// more than ?4 matches: SQLite steps over them inside the index without
// handing each one to Go, which costs a fraction of reading them. It
// selects no column, so that no index needs its table rows.
func probe(source string) string {
	return `SELECT 1 ` + strings.TrimPrefix(source, `SELECT client_id `) + ` LIMIT 1 OFFSET ?4`
}

// ListProfiles returns whole profiles matching f, newest first. A search
// first probes each search index for more than searchCap matches; when
// none has that many it sorts the matches, otherwise it scans profiles
// newest first and tests each one (docs/STORAGE.md).
func (t *tx) ListProfiles(ctx context.Context, ws int64, f kith.ProfileFilter) ([]*kith.Profile, error) {
	ids, err := t.listProfileIDs(ctx, ws, f)
	if err != nil {
		return nil, storeErr("list profiles", err)
	}
	out := make([]*kith.Profile, 0, len(ids))
	for _, id := range ids {
		p, err := t.FindProfile(ctx, ws, id)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
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

// searchMatches returns the clientIds s matches, newest first, or dense
// when an index has more than searchCap matches.
func (t *tx) searchMatches(ctx context.Context, ws int64, s *search) (ids []int64, dense bool, err error) {
	queries := searchSources
	if s.uuid {
		queries = append(slices.Clip(queries), searchUUIDs)
	}
	for _, q := range queries {
		over, err := t.ints(ctx, probe(q), ws, s.lo, s.hi, searchCap)
		if err != nil || len(over) > 0 {
			return nil, len(over) > 0, err
		}
	}
	seen := map[int64]bool{}
	if s.clientID > 0 {
		queries = append(slices.Clip(queries), searchID)
	}
	for _, q := range queries {
		args := []any{ws, s.lo, s.hi}
		if q == searchID {
			args = []any{ws, s.clientID}
		}
		found, err := t.ints(ctx, q, args...)
		if err != nil {
			return nil, false, err
		}
		for _, id := range found {
			seen[id] = true
		}
	}
	for id := range seen {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	slices.Reverse(ids)
	return ids, false, nil
}

// filterMatches returns the page of search matches (newest first) that f
// selects.
func (t *tx) filterMatches(ctx context.Context, ws int64, f kith.ProfileFilter, ids []int64) ([]int64, error) {
	if f.Before > 0 {
		i, _ := slices.BinarySearchFunc(ids, f.Before, func(id, before int64) int {
			return cmpDesc(id, before)
		})
		ids = ids[i:]
		if len(ids) > 0 && ids[0] == f.Before {
			ids = ids[1:]
		}
	}
	if f.Anonymous == nil && f.Tag == "" {
		if f.Limit > 0 && len(ids) > f.Limit {
			ids = ids[:f.Limit]
		}
		return ids, nil
	}
	var out []int64
	for len(ids) > 0 && (f.Limit <= 0 || len(out) < f.Limit) {
		chunk := ids[:min(len(ids), filterChunk)]
		ids = ids[len(chunk):]
		list, err := json.Marshal(chunk)
		if err != nil {
			return nil, err
		}
		q := filterQuery(ws, f, string(list))
		found, err := t.ints(ctx, q.sql.String(), q.args...)
		if err != nil {
			return nil, err
		}
		out = append(out, found...)
	}
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

// filterQuery selects, newest first, the clientIds of the JSON array list
// that f's anonymous and tag filters keep.
func filterQuery(ws int64, f kith.ProfileFilter, list string) *query {
	q := &query{}
	wsArg := q.arg(ws)
	q.add(`SELECT client_id FROM profiles WHERE workspace_id = `, wsArg,
		` AND client_id IN (SELECT value FROM json_each(`, q.arg(list), `))`)
	if f.Anonymous != nil {
		q.add(` AND recognized = `, q.arg(!*f.Anonymous))
	}
	if f.Tag != "" {
		q.add(` AND EXISTS (SELECT 1 FROM profile_tags t WHERE t.workspace_id = `, wsArg,
			` AND t.client_id = profiles.client_id AND t.tag = `, q.arg(f.Tag), `)`)
	}
	q.add(` ORDER BY client_id DESC`)
	return q
}

// cmpDesc orders clientIds newest first.
func cmpDesc(a, b int64) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

// scanProfiles walks profiles newest first along the index that f's
// filters select (tag, recognized, or all) and keeps those s matches.
// INDEXED BY and CROSS JOIN pin that order: the planner, lacking
// statistics, could otherwise pick a search index and sort every match.
func (t *tx) scanProfiles(ctx context.Context, ws int64, f kith.ProfileFilter, s *search) ([]int64, error) {
	q := scanQuery(ws, f, s)
	return t.ints(ctx, q.sql.String(), q.args...)
}

// scanQuery is scanProfiles' statement.
func scanQuery(ws int64, f kith.ProfileFilter, s *search) *query {
	q := &query{}
	wsArg := q.arg(ws)
	col := "p.client_id"
	switch {
	case f.Tag != "":
		col = "t.client_id"
		q.add(`SELECT p.client_id FROM profile_tags t CROSS JOIN profiles p ON p.client_id = t.client_id
			WHERE t.workspace_id = `, wsArg, ` AND t.tag = `, q.arg(f.Tag), ` AND p.workspace_id = `, wsArg)
	case f.Anonymous != nil:
		q.add(`SELECT p.client_id FROM profiles p INDEXED BY profiles_recognized WHERE p.workspace_id = `, wsArg)
	default:
		q.add(`SELECT p.client_id FROM profiles p INDEXED BY profiles_workspace_client WHERE p.workspace_id = `, wsArg)
	}
	if f.Anonymous != nil {
		q.add(` AND p.recognized = `, q.arg(!*f.Anonymous))
	}
	if f.Before > 0 {
		q.add(` AND `, col, ` < `, q.arg(f.Before))
	}
	if s != nil {
		q.add(` AND (`)
		matchSQL(q, wsArg, s)
		q.add(`)`)
	}
	limit := int64(f.Limit)
	if limit <= 0 {
		limit = -1
	}
	q.add(` ORDER BY `, col, ` DESC LIMIT `, q.arg(limit))
	return q
}

// matchSQL adds the condition that profile p matches s. The uuid test
// names its index: the planner would otherwise range over every uuid
// with the prefix, for each profile.
func matchSQL(q *query, wsArg string, s *search) {
	lo := q.arg(s.lo)
	q.add(`kith_match(`, lo, `, p.email, p.custom_id`)
	for _, name := range kith.SearchNames {
		q.add(`, json_extract(p.attributes, '$.`, name, `')`)
	}
	q.add(`) = 1`)
	if s.uuid {
		q.add(` OR EXISTS (SELECT 1 FROM profile_uuids u INDEXED BY profile_uuids_client
			WHERE u.workspace_id = p.workspace_id AND u.client_id = p.client_id
			AND u.uuid >= `, lo, ` AND u.uuid < `, q.arg(s.hi), `)`)
	}
	if s.clientID > 0 {
		id := q.arg(s.clientID)
		q.add(` OR p.client_id = `, id, ` OR p.client_id IN (SELECT client_id FROM merged_ids
			WHERE workspace_id = `, wsArg, ` AND old_client_id = `, id, `)`)
	}
}

// CountProfiles reads the counters that triggers keep (migration 0002).
func (t *tx) CountProfiles(ctx context.Context, ws int64) (kith.ProfileStats, error) {
	var st kith.ProfileStats
	err := t.queryRow(ctx, `SELECT total, recognized FROM profile_counts WHERE workspace_id = ?`, ws).
		Scan(&st.Total, &st.Recognized)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return st, storeErr("count profiles", err)
	}
	st.Anonymous = st.Total - st.Recognized
	return st, nil
}
