package postgres

import (
	"context"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/kithcdp/kith"
)

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
