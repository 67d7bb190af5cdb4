package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/kithcdp/kith"
)

const noteColumns = `note_id, client_id, text, author, created_at, updated_at`

// CreateNote stores n and sets its NoteID, and CreatedAt and UpdatedAt
// (now when zero). A profile that no longer exists returns kith.ErrRetry.
func (t *tx) CreateNote(ctx context.Context, ws int64, n *kith.Note) error {
	created := orTime(n.CreatedAt, t.now())
	updated := orTime(n.UpdatedAt, created)
	err := t.pg.QueryRow(ctx, `INSERT INTO notes (workspace_id, client_id, text, author, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING note_id`,
		ws, n.ClientID, n.Text, n.Author, created, updated).Scan(&n.NoteID)
	if err != nil {
		return wrapProfileWrite("create note", n.ClientID, err)
	}
	n.CreatedAt, n.UpdatedAt = created, updated
	return nil
}

// UpdateNote writes the text and UpdatedAt (now when zero) of note
// n.NoteID of profile n.ClientID (not_found).
func (t *tx) UpdateNote(ctx context.Context, ws int64, n *kith.Note) error {
	updated := orTime(n.UpdatedAt, t.now())
	res, err := t.pg.Exec(ctx, `UPDATE notes SET text = $4, updated_at = $5
		WHERE workspace_id = $1 AND client_id = $2 AND note_id = $3`, ws, n.ClientID, n.NoteID, n.Text, updated)
	if err != nil {
		return wrap("update note", err)
	}
	if res.RowsAffected() == 0 {
		return notFound("profile %d has no note %d", n.ClientID, n.NoteID)
	}
	n.UpdatedAt = updated
	return nil
}

// DeleteNote removes note noteID of profile clientID (not_found).
func (t *tx) DeleteNote(ctx context.Context, ws, clientID, noteID int64) error {
	res, err := t.pg.Exec(ctx, `DELETE FROM notes WHERE workspace_id = $1 AND client_id = $2 AND note_id = $3`,
		ws, clientID, noteID)
	if err != nil {
		return wrap("delete note", err)
	}
	if res.RowsAffected() == 0 {
		return notFound("profile %d has no note %d", clientID, noteID)
	}
	return nil
}

// ListNotes returns a profile's notes, newest first.
func (t *tx) ListNotes(ctx context.Context, ws, clientID int64) ([]*kith.Note, error) {
	rows, err := t.pg.Query(ctx, `SELECT `+noteColumns+` FROM notes WHERE workspace_id = $1 AND client_id = $2
		ORDER BY created_at DESC, note_id DESC`, ws, clientID)
	if err != nil {
		return nil, wrap("list notes", err)
	}
	notes, err := collectRows(rows, scanNote)
	if err != nil {
		return nil, wrap("list notes", err)
	}
	return notes, nil
}

// FindNote returns note noteID of profile clientID (not_found).
func (t *tx) FindNote(ctx context.Context, ws, clientID, noteID int64) (*kith.Note, error) {
	rows, err := t.pg.Query(ctx, `SELECT `+noteColumns+` FROM notes
		WHERE workspace_id = $1 AND client_id = $2 AND note_id = $3`, ws, clientID, noteID)
	if err != nil {
		return nil, wrap("find note", err)
	}
	n, err := pgx.CollectExactlyOneRow(rows, scanNote)
	if noRows(err) {
		return nil, notFound("profile %d has no note %d", clientID, noteID)
	}
	if err != nil {
		return nil, wrap("find note", err)
	}
	return n, nil
}

func scanNote(row pgx.CollectableRow) (*kith.Note, error) {
	var n kith.Note
	err := row.Scan(&n.NoteID, &n.ClientID, &n.Text, &n.Author, &n.CreatedAt, &n.UpdatedAt)
	n.CreatedAt, n.UpdatedAt = n.CreatedAt.UTC(), n.UpdatedAt.UTC()
	return &n, err
}
