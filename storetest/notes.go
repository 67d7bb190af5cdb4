package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/identity"
)

// noteTests check notes: authorship, order, system events, merges.
var noteTests = []testCase{
	{"Notes_add_edit_delete", bothModes, testNotes},
	{"Notes_follow_merges", bothModes, testNotesMerge},
}

func addNote(t testing.TB, st kith.Store, ws *kith.Workspace, id int64, text, author string) (*kith.Note, error) {
	t.Helper()
	var n *kith.Note
	err := session(t, st, ws, func(ctx context.Context, s *identity.Session) error {
		var err error
		n, err = s.AddNote(ctx, id, text, author)
		return err
	})
	return n, err
}

type noteParams struct {
	NoteID int64 `json:"noteId"`
}

func testNotes(t *testing.T, st kith.Store, ws *kith.Workspace) {
	p := mustApply(t, st, ws, upsert(person(ws, "ada")))
	first, err := addNote(t, st, ws, p.ClientID, "Called about the order.", "api:Default secret key")
	if err != nil {
		t.Fatalf("add: %v", err)
	}
	second, err := addNote(t, st, ws, p.ClientID, "Prefers email.", "ui:marta")
	if err != nil {
		t.Fatalf("add: %v", err)
	}
	if first.NoteID <= 0 || second.NoteID == first.NoteID || !second.CreatedAt.After(first.CreatedAt) ||
		!first.UpdatedAt.Equal(first.CreatedAt) {
		t.Errorf("notes %+v %+v", first, second)
	}
	list := notesOf(t, st, ws, p.ClientID)
	eq(t, "notes, newest first", []*kith.Note{list[0], list[1]}, []*kith.Note{second, first})

	added := eventsOf(t, st, ws, p.ClientID, kith.ActionNoteAdded)
	eq(t, "noteAdded events", len(added), 2)
	eq(t, "noteAdded noteIds", []int64{params[noteParams](t, added[0]).NoteID, params[noteParams](t, added[1]).NoteID},
		[]int64{second.NoteID, first.NoteID})

	edit := func(id, noteID int64, text, author string) (*kith.Note, error) {
		var n *kith.Note
		err := session(t, st, ws, func(ctx context.Context, s *identity.Session) error {
			var err error
			n, err = s.EditNote(ctx, id, noteID, text, author)
			return err
		})
		return n, err
	}
	edited, err := edit(p.ClientID, first.NoteID, "Called twice about the order.", "api:Default secret key")
	if err != nil {
		t.Fatalf("edit: %v", err)
	}
	got := read(t, st, func(ctx context.Context, rx kith.ReadTx) (*kith.Note, error) {
		return rx.FindNote(ctx, ws.ID, p.ClientID, first.NoteID)
	})
	eq(t, "edited note", got, edited)
	if got.Text != "Called twice about the order." || !got.CreatedAt.Equal(first.CreatedAt) || !got.UpdatedAt.After(first.UpdatedAt) {
		t.Errorf("edited note %+v, first %+v", got, first)
	}
	_, err = edit(p.ClientID, first.NoteID, "Hijacked.", "ui:marta")
	wantCode(t, "edit by another author", err, kith.ECodeForbidden)
	_, err = edit(p.ClientID, first.NoteID, "  ", "api:Default secret key")
	wantCode(t, "edit to blank text", err, kith.ECodeInvalidNote)
	_, err = edit(p.ClientID, first.NoteID+1000, "x", "api:Default secret key")
	wantCode(t, "edit an unknown note", err, kith.ECodeNotFound)
	other := mustApply(t, st, ws, upsert(person(ws, "bob")))
	_, err = edit(other.ClientID, first.NoteID, "x", "api:Default secret key")
	wantCode(t, "edit through another profile", err, kith.ECodeNotFound)

	_, err = addNote(t, st, ws, p.ClientID, "", "ui:marta")
	wantCode(t, "add an empty note", err, kith.ECodeInvalidNote)
	_, err = addNote(t, st, ws, p.ClientID, strings.Repeat("x", identity.MaxNoteRunes+1), "ui:marta")
	wantCode(t, "add a long note", err, kith.ECodeInvalidNote)
	_, err = addNote(t, st, ws, p.ClientID+1000, "x", "ui:marta")
	wantCode(t, "add to an unknown profile", err, kith.ECodeNotFound)
	eq(t, "notes after refusals", len(notesOf(t, st, ws, p.ClientID)), 2)
	eq(t, "noteAdded after refusals", countAction(t, st, ws, p.ClientID, kith.ActionNoteAdded), 2)

	del := func(noteID int64, author string) error {
		return session(t, st, ws, func(ctx context.Context, s *identity.Session) error {
			return s.DeleteNote(ctx, p.ClientID, noteID, author)
		})
	}
	wantCode(t, "delete by another author", del(second.NoteID, "api:Default secret key"), kith.ECodeForbidden)
	if err := del(second.NoteID, "ui:marta"); err != nil {
		t.Fatalf("delete: %v", err)
	}
	wantCode(t, "delete again", del(second.NoteID, "ui:marta"), kith.ECodeNotFound)
	list = notesOf(t, st, ws, p.ClientID)
	if len(list) != 1 || list[0].NoteID != first.NoteID {
		t.Errorf("notes after delete: %v", list)
	}
	eq(t, "other profile's notes", len(notesOf(t, st, ws, other.ClientID)), 0)
}

func testNotesMerge(t *testing.T, st kith.Store, ws *kith.Workspace) {
	a := mustApply(t, st, ws, ev(kith.ActionPageVisit, browser(newUUID())))
	n, err := addNote(t, st, ws, a.ClientID, "Anonymous visitor asked for sizes.", "ui:marta")
	if err != nil {
		t.Fatalf("add: %v", err)
	}
	who := person(ws, "ada")
	p := mustApply(t, st, ws, upsert(who))
	mustMerge(t, st, ws, p.ClientID, a.ClientID)
	list := notesOf(t, st, ws, p.ClientID)
	if len(list) != 1 || list[0].NoteID != n.NoteID || list[0].ClientID != p.ClientID || list[0].Text != n.Text {
		t.Fatalf("survivor's notes %+v", list)
	}
	// The old clientId reaches the note, and adds to the survivor.
	edited := read(t, st, func(ctx context.Context, rx kith.ReadTx) (*kith.Note, error) {
		return rx.FindNote(ctx, ws.ID, p.ClientID, n.NoteID)
	})
	eq(t, "moved note", edited.Text, n.Text)
	if _, err := addNote(t, st, ws, a.ClientID, "Added through the old id.", "ui:marta"); err != nil {
		t.Fatalf("add through a merged-away clientId: %v", err)
	}
	eq(t, "survivor's notes", len(notesOf(t, st, ws, p.ClientID)), 2)
	eq(t, "noteAdded events on the survivor", countAction(t, st, ws, p.ClientID, kith.ActionNoteAdded), 2)
}
