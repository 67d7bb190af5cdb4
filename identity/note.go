package identity

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/kithcdp/kith"
)

// MaxNoteRunes is the longest note.
const MaxNoteRunes = 10000

// AddNote adds a note by author to profile clientID (a merged-away
// clientId adds it to its survivor) and records profile.noteAdded with the
// noteId. It returns not_found and invalid_note.
func (s *Session) AddNote(ctx context.Context, clientID int64, text, author string) (*kith.Note, error) {
	if e := checkNote(text); e != nil {
		return nil, e
	}
	id, err := s.resolveClientID(ctx, clientID, "clientId")
	if err != nil {
		return nil, err
	}
	if _, err := s.lock(ctx, id); err != nil {
		return nil, err
	}
	n := &kith.Note{ClientID: id, Text: text, Author: author, CreatedAt: s.now, UpdatedAt: s.now}
	if err := s.tx.CreateNote(ctx, s.ws.ID, n); err != nil {
		return nil, err
	}
	s.systemEvent(id, kith.ActionNoteAdded, map[string]any{"noteId": n.NoteID})
	return n, nil
}

// EditNote replaces the text of a note. Only its author may edit it. It
// returns not_found, invalid_note and forbidden (another author).
func (s *Session) EditNote(ctx context.Context, clientID, noteID int64, text, author string) (*kith.Note, error) {
	if e := checkNote(text); e != nil {
		return nil, e
	}
	n, err := s.authoredNote(ctx, clientID, noteID, author)
	if err != nil {
		return nil, err
	}
	n.Text, n.UpdatedAt = text, s.now
	return n, s.tx.UpdateNote(ctx, s.ws.ID, n)
}

// DeleteNote deletes a note. Only its author may delete it. It returns
// not_found and forbidden (another author).
func (s *Session) DeleteNote(ctx context.Context, clientID, noteID int64, author string) error {
	n, err := s.authoredNote(ctx, clientID, noteID, author)
	if err != nil {
		return err
	}
	return s.tx.DeleteNote(ctx, s.ws.ID, n.ClientID, n.NoteID)
}

// authoredNote finds a note of profile clientID written by author.
func (s *Session) authoredNote(ctx context.Context, clientID, noteID int64, author string) (*kith.Note, error) {
	id, err := s.resolveClientID(ctx, clientID, "clientId")
	if err != nil {
		return nil, err
	}
	n, err := s.tx.FindNote(ctx, s.ws.ID, id, noteID)
	if err != nil {
		return nil, err
	}
	if n.Author != author {
		return nil, kith.Errorf(kith.ECodeForbidden, "note %d was written by %s; only its author may change it", noteID, n.Author)
	}
	return n, nil
}

func checkNote(text string) *kith.Error {
	switch n := utf8.RuneCountInString(text); {
	case !utf8.ValidString(text) || strings.TrimSpace(text) == "":
		return kith.FieldErrorf("text", kith.ECodeInvalidNote, "a note needs some text")
	case n > MaxNoteRunes:
		return kith.FieldErrorf("text", kith.ECodeInvalidNote, "a note is at most %d characters, got %d", MaxNoteRunes, n)
	}
	return nil
}
