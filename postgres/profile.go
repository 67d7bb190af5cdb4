package postgres

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/kithcdp/kith"
)

const profileColumns = `client_id, workspace_id, email, custom_id, attributes, agreements,
	created_at, updated_at, last_activity_at`

// FindClientID returns the profile holding an identifier, or 0. A clientId
// follows merged_ids to the survivor; an email is found only through
// email_key, which is set in email identity mode alone.
func (t *tx) FindClientID(ctx context.Context, ws int64, kind kith.IdentifierKind, value string) (int64, error) {
	var q string
	var arg any = value
	switch kind {
	case kith.KindClientID:
		id, err := strconv.ParseInt(value, 10, 64)
		if err != nil || id <= 0 {
			return 0, nil
		}
		arg = id
		q = `SELECT client_id FROM profiles WHERE workspace_id = $1 AND client_id = $2
			UNION ALL
			SELECT client_id FROM merged_ids WHERE workspace_id = $1 AND old_client_id = $2
			LIMIT 1`
	case kith.KindEmail:
		q = "SELECT client_id FROM profiles WHERE workspace_id = $1 AND email_key = $2"
	case kith.KindCustomID:
		q = "SELECT client_id FROM profiles WHERE workspace_id = $1 AND custom_id = $2"
	case kith.KindUUID:
		q = "SELECT client_id FROM profile_uuids WHERE workspace_id = $1 AND uuid = $2"
	default:
		return 0, kith.Errorf(kith.ECodeInvalidIdentifier, "unknown identifier kind %q", kind)
	}
	var id int64
	err := t.pg.QueryRow(ctx, q, ws, arg).Scan(&id)
	if noRows(err) {
		return 0, nil
	}
	if err != nil {
		return 0, wrap("find client id", err)
	}
	return id, nil
}

// FindClientIDsByEmail returns every profile with that contact email, in
// any identity mode, ordered by clientId.
func (t *tx) FindClientIDsByEmail(ctx context.Context, ws int64, email string) ([]int64, error) {
	rows, err := t.pg.Query(ctx,
		"SELECT client_id FROM profiles WHERE workspace_id = $1 AND email = $2 ORDER BY client_id", ws, email)
	if err != nil {
		return nil, wrap("find client ids by email", err)
	}
	ids, err := collectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, wrap("find client ids by email", err)
	}
	return ids, nil
}

// FindProfile returns the whole profile in one round trip: its row, uuids
// in attach order, tags by name, devices most recently seen first and
// previous clientIds ascending (nil when there are none). Attributes and
// Agreements are never nil (not_found).
func (t *tx) FindProfile(ctx context.Context, ws, clientID int64) (*kith.Profile, error) {
	b := &pgx.Batch{}
	b.Queue("SELECT "+profileColumns+" FROM profiles WHERE workspace_id = $1 AND client_id = $2", ws, clientID)
	b.Queue(`SELECT uuid FROM profile_uuids WHERE workspace_id = $1 AND client_id = $2
		ORDER BY id`, ws, clientID)
	b.Queue(`SELECT tag FROM profile_tags WHERE workspace_id = $1 AND client_id = $2
		ORDER BY tag COLLATE "C"`, ws, clientID)
	b.Queue(`SELECT browser, os, device_type, last_seen_at FROM devices
		WHERE workspace_id = $1 AND client_id = $2
		ORDER BY last_seen_at DESC, browser COLLATE "C", os COLLATE "C", device_type COLLATE "C"`, ws, clientID)
	b.Queue(`SELECT old_client_id FROM merged_ids WHERE workspace_id = $1 AND client_id = $2
		ORDER BY old_client_id`, ws, clientID)
	br := t.pg.SendBatch(ctx, b)
	defer br.Close()

	p, err := scanProfile(br.QueryRow())
	if noRows(err) {
		return nil, notFound("profile %d not found", clientID)
	}
	if err != nil {
		return nil, wrap("find profile", err)
	}
	if p.UUIDs, err = collect(br, pgx.RowTo[string]); err != nil {
		return nil, wrap("find profile uuids", err)
	}
	if p.Tags, err = collect(br, pgx.RowTo[string]); err != nil {
		return nil, wrap("find profile tags", err)
	}
	if p.Devices, err = collect(br, scanDevice); err != nil {
		return nil, wrap("find profile devices", err)
	}
	if p.PreviousClientIDs, err = collect(br, pgx.RowTo[int64]); err != nil {
		return nil, wrap("find previous client ids", err)
	}
	if err := br.Close(); err != nil {
		return nil, wrap("find profile", err)
	}
	return p, nil
}

// LockProfile returns the profile row and locks it FOR UPDATE until the
// transaction ends (not_found when it was deleted or merged away).
func (t *tx) LockProfile(ctx context.Context, ws *kith.Workspace, clientID int64) (*kith.Profile, error) {
	row := t.pg.QueryRow(ctx, "SELECT "+profileColumns+
		" FROM profiles WHERE workspace_id = $1 AND client_id = $2 FOR UPDATE", ws.ID, clientID)
	p, err := scanProfile(row)
	if noRows(err) {
		return nil, notFound("profile %d not found", clientID)
	}
	if err != nil {
		return nil, wrap("lock profile", err)
	}
	return p, nil
}

// LockProfiles locks, in clientId order, and returns the rows of the
// profiles among clientIDs that exist.
func (t *tx) LockProfiles(ctx context.Context, ws *kith.Workspace, clientIDs []int64) (map[int64]*kith.Profile, error) {
	out := make(map[int64]*kith.Profile, len(clientIDs))
	if len(clientIDs) == 0 {
		return out, nil
	}
	// One probe per clientId, in clientId order (see batch.go for why not
	// "= ANY"): the rows are locked in the order of the array.
	ids := slices.Clone(clientIDs)
	slices.Sort(ids)
	rows, err := t.pg.Query(ctx, lockProfilesSQL, ws.ID, ids)
	if err != nil {
		return nil, wrap("lock profiles", err)
	}
	defer rows.Close()
	for rows.Next() {
		p, err := scanProfile(rows)
		if err != nil {
			return nil, wrap("lock profiles", err)
		}
		out[p.ClientID] = p
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("lock profiles", err)
	}
	return out, nil
}

// CreateProfile stores p's row and uuids (without repeats, in order) and
// sets p.ClientID and p.WorkspaceID. Zero times become now (CreatedAt) and
// CreatedAt (the others). The insert waits for the transaction's next
// statement, together with the other profiles created meanwhile (see
// conn); a taken identifier then fails that statement with an error
// wrapping kith.ErrRetry, the transaction is aborted, and Store.Update
// runs it again.
func (t *tx) CreateProfile(ctx context.Context, ws *kith.Workspace, p *kith.Profile) error {
	attrs, agrees, err := profileJSON(p)
	if err != nil {
		return wrap("create profile", err)
	}
	created := orTime(p.CreatedAt, t.now())
	updated, activity := orTime(p.UpdatedAt, created), orTime(p.LastActivityAt, created)
	id, err := t.pg.clientID(ctx)
	if err != nil {
		return err
	}
	p.ClientID, p.WorkspaceID = id, ws.ID
	p.CreatedAt, p.UpdatedAt, p.LastActivityAt = created, updated, activity
	t.pg.add(&pendingProfile{
		ws: ws.ID, clientID: id, email: nullText(p.Email), emailKey: emailKey(ws, p.Email),
		customID: nullText(p.CustomID), recognized: p.Recognized(ws),
		attrs: string(attrs), agreements: string(agrees),
		created: created, updated: updated, activity: activity, uuids: unique(p.UUIDs),
	})
	return nil
}

// ExpectNewProfiles sets how many profiles the transaction is about to
// create, so that their clientIds are reserved in one round trip.
func (t *tx) ExpectNewProfiles(n int) { t.pg.expect = n }

// UpdateProfile writes p's identifiers, attributes, agreements, UpdatedAt
// and LastActivityAt. A taken identifier, or a profile that no longer
// exists, returns an error wrapping kith.ErrRetry.
func (t *tx) UpdateProfile(ctx context.Context, ws *kith.Workspace, p *kith.Profile) error {
	attrs, agrees, err := profileJSON(p)
	if err != nil {
		return wrap("update profile", err)
	}
	updated, activity := ts(p.UpdatedAt), ts(p.LastActivityAt)
	tag, err := t.pg.Exec(ctx, `UPDATE profiles SET email = $3, email_key = $4, custom_id = $5,
			recognized = $6, attributes = $7, agreements = $8, updated_at = $9, last_activity_at = $10
		WHERE workspace_id = $1 AND client_id = $2`,
		ws.ID, p.ClientID, nullText(p.Email), emailKey(ws, p.Email), nullText(p.CustomID),
		p.Recognized(ws), attrs, agrees, updated, activity)
	if err != nil {
		return wrap("update profile", err)
	}
	if tag.RowsAffected() == 0 {
		return errGone("update profile", p.ClientID)
	}
	p.UpdatedAt, p.LastActivityAt = updated, activity
	return nil
}

// AddUUID attaches uuid to a profile. It does nothing when the profile has
// it already, and returns kith.ErrRetry when another profile has it or the
// profile no longer exists. A taken uuid leaves the transaction usable.
func (t *tx) AddUUID(ctx context.Context, ws, clientID int64, uuid string) error {
	var owner int64
	err := t.pg.QueryRow(ctx, `WITH i AS (
			INSERT INTO profile_uuids (workspace_id, uuid, client_id) VALUES ($1, $2, $3)
			ON CONFLICT (workspace_id, uuid) DO NOTHING
			RETURNING client_id
		)
		SELECT client_id FROM i
		UNION ALL
		SELECT client_id FROM profile_uuids WHERE workspace_id = $1 AND uuid = $2
		LIMIT 1`, ws, uuid, clientID).Scan(&owner)
	if err != nil && !noRows(err) {
		return wrapProfileWrite("add uuid", clientID, err)
	}
	if owner != clientID {
		return fmt.Errorf("postgres: add uuid: %s belongs to another profile: %w", uuid, kith.ErrRetry)
	}
	return nil
}

// AddProfileTags adds tags to a profile and returns those it did not have,
// in the given order and without repeats.
func (t *tx) AddProfileTags(ctx context.Context, ws, clientID int64, tags []string) ([]string, error) {
	tags = unique(tags)
	if len(tags) == 0 {
		return nil, nil
	}
	rows, err := t.pg.Query(ctx, `INSERT INTO profile_tags (workspace_id, client_id, tag)
		SELECT $1, $2, x FROM unnest($3::text[]) AS x
		ON CONFLICT DO NOTHING RETURNING tag`, ws, clientID, tags)
	if err != nil {
		return nil, wrapProfileWrite("add profile tags", clientID, err)
	}
	added, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, wrapProfileWrite("add profile tags", clientID, err)
	}
	isNew := make(map[string]bool, len(added))
	for _, tag := range added {
		isNew[tag] = true
	}
	var out []string
	for _, tag := range tags {
		if isNew[tag] {
			out = append(out, tag)
		}
	}
	return out, nil
}

// emailKey returns the value of the unique email_key column: the email in
// email identity mode, NULL otherwise.
func emailKey(ws *kith.Workspace, email string) *string {
	if !ws.EmailIsIdentifier() {
		return nil
	}
	return nullText(email)
}

// profileJSON encodes p's attributes and agreements, nil as {}.
func profileJSON(p *kith.Profile) (attrs, agrees []byte, err error) {
	attrs, agrees = []byte("{}"), []byte("{}")
	if p.Attributes != nil {
		if attrs, err = jsonValue(p.Attributes); err != nil {
			return nil, nil, err
		}
	}
	if p.Agreements != nil {
		if agrees, err = jsonValue(p.Agreements); err != nil {
			return nil, nil, err
		}
	}
	return attrs, agrees, nil
}

// scanProfile reads a row of profileColumns. Attributes and Agreements are
// never nil.
func scanProfile(row pgx.Row) (*kith.Profile, error) {
	var p kith.Profile
	var email, customID *string
	var attrs, agrees []byte
	if err := row.Scan(&p.ClientID, &p.WorkspaceID, &email, &customID, &attrs, &agrees,
		&p.CreatedAt, &p.UpdatedAt, &p.LastActivityAt); err != nil {
		return nil, err
	}
	p.Email, p.CustomID = text(email), text(customID)
	if err := decodeJSON(attrs, &p.Attributes); err != nil {
		return nil, err
	}
	if err := decodeJSON(agrees, &p.Agreements); err != nil {
		return nil, err
	}
	if p.Attributes == nil {
		p.Attributes = map[string]any{}
	}
	if p.Agreements == nil {
		p.Agreements = map[string]kith.Agreement{}
	}
	p.CreatedAt, p.UpdatedAt, p.LastActivityAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC(), p.LastActivityAt.UTC()
	return &p, nil
}

// scanDevice reads browser, os, device_type, last_seen_at.
func scanDevice(row pgx.CollectableRow) (kith.Device, error) {
	var d kith.Device
	err := row.Scan(&d.Browser, &d.OS, &d.DeviceType, &d.LastSeenAt)
	d.LastSeenAt = d.LastSeenAt.UTC()
	return d, err
}

// collect reads the next result of a batch with fn; no rows give nil.
func collect[T any](br pgx.BatchResults, fn pgx.RowToFunc[T]) ([]T, error) {
	rows, err := br.Query()
	if err != nil {
		return nil, err
	}
	return collectRows(rows, fn)
}

// unique returns s without repeats, keeping first occurrences in order.
func unique(s []string) []string {
	seen := make(map[string]bool, len(s))
	out := make([]string, 0, len(s))
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
