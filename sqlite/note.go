package sqlite

import (
	"context"
	"database/sql"

	"github.com/kithcdp/kith"
)

const noteColumns = `note_id, client_id, text, author, created_at, updated_at`

// CreateNote stores n and sets its NoteID, and CreatedAt and UpdatedAt
// (now when zero). A profile that no longer exists returns kith.ErrRetry.
func (t *tx) CreateNote(ctx context.Context, ws int64, n *kith.Note) error {
	created := orTime(n.CreatedAt, t.now())
	updated := orTime(n.UpdatedAt, created)
	var id int64
	err := t.queryRow(ctx, `INSERT INTO notes (workspace_id, client_id, text, author, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING note_id`,
		ws, n.ClientID, n.Text, n.Author, micros(created), micros(updated)).Scan(&id)
	if err != nil {
		return retryable("create note", err)
	}
	n.NoteID, n.CreatedAt, n.UpdatedAt = id, created, updated
	return nil
}

// UpdateNote writes the text and UpdatedAt (now when zero) of note
// n.NoteID of profile n.ClientID (not_found).
func (t *tx) UpdateNote(ctx context.Context, ws int64, n *kith.Note) error {
	updated := orTime(n.UpdatedAt, t.now())
	c, err := t.affected(ctx, `UPDATE notes SET text = ?, updated_at = ?
		WHERE workspace_id = ? AND client_id = ? AND note_id = ?`,
		n.Text, micros(updated), ws, n.ClientID, n.NoteID)
	if err != nil {
		return storeErr("update note", err)
	}
	if c == 0 {
		return notFound("profile %d has no note %d", n.ClientID, n.NoteID)
	}
	n.UpdatedAt = updated
	return nil
}

// DeleteNote removes note noteID of profile clientID (not_found).
func (t *tx) DeleteNote(ctx context.Context, ws, clientID, noteID int64) error {
	c, err := t.affected(ctx, `DELETE FROM notes WHERE workspace_id = ? AND client_id = ? AND note_id = ?`,
		ws, clientID, noteID)
	if err != nil {
		return storeErr("delete note", err)
	}
	if c == 0 {
		return notFound("profile %d has no note %d", clientID, noteID)
	}
	return nil
}

// ListNotes returns a profile's notes, newest first.
func (t *tx) ListNotes(ctx context.Context, ws, clientID int64) ([]*kith.Note, error) {
	rows, err := t.query(ctx, `SELECT `+noteColumns+` FROM notes WHERE workspace_id = ? AND client_id = ?
		ORDER BY created_at DESC, note_id DESC`, ws, clientID)
	if err != nil {
		return nil, storeErr("list notes", err)
	}
	defer rows.Close()
	var out []*kith.Note
	for rows.Next() {
		n, err := scanNote(rows)
		if err != nil {
			return nil, storeErr("list notes", err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, storeErr("list notes", err)
	}
	return out, nil
}

// FindNote returns note noteID of profile clientID (not_found).
func (t *tx) FindNote(ctx context.Context, ws, clientID, noteID int64) (*kith.Note, error) {
	rows, err := t.query(ctx, `SELECT `+noteColumns+` FROM notes
		WHERE workspace_id = ? AND client_id = ? AND note_id = ?`, ws, clientID, noteID)
	if err != nil {
		return nil, storeErr("find note", err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, storeErr("find note", err)
		}
		return nil, notFound("profile %d has no note %d", clientID, noteID)
	}
	n, err := scanNote(rows)
	if err != nil {
		return nil, storeErr("find note", err)
	}
	return n, nil
}

func scanNote(rows *sql.Rows) (*kith.Note, error) {
	var n kith.Note
	var created, updated int64
	if err := rows.Scan(&n.NoteID, &n.ClientID, &n.Text, &n.Author, &created, &updated); err != nil {
		return nil, err
	}
	n.CreatedAt, n.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &n, nil
}
