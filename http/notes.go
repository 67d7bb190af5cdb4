package http

import (
	"net/http"
	"strconv"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/identity"
)

// author is who a caller's notes are by: for API keys "api:" and the
// key's name.
func author(p principal) string { return "api:" + p.key.Name }

// pathNoteID returns the {noteId} of the path (invalid).
func pathNoteID(r *http.Request) (int64, error) {
	raw := r.PathValue("noteId")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, kith.FieldErrorf("noteId", kith.ECodeInvalid, "noteId %q is not a positive integer", raw)
	}
	return id, nil
}

// noteText reads {"text": …}.
func (s *Server) noteText(w http.ResponseWriter, r *http.Request) (string, error) {
	var in struct {
		Text *string `json:"text"`
	}
	if err := s.decodeBody(w, r, &in); err != nil {
		return "", err
	}
	if in.Text == nil {
		return "", kith.FieldErrorf("text", kith.ECodeRequired, "text is required")
	}
	return *in.Text, nil
}

// listNotes is GET /api/v1/profiles/{clientId}/notes, newest first.
func (s *Server) listNotes(w http.ResponseWriter, r *http.Request) {
	id, err := pathClientID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ws := caller(r).workspace
	var notes []*kith.Note
	err = s.Store.View(r.Context(), func(tx kith.ReadTx) error {
		cur, err := resolve(r.Context(), tx, ws.ID, id)
		if err != nil {
			return err
		}
		notes, err = tx.ListNotes(r.Context(), ws.ID, cur)
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"notes": nonNil(notes)})
}

// addNote is POST /api/v1/profiles/{clientId}/notes {"text"}: 201 NOTE,
// and a profile.noteAdded event.
func (s *Server) addNote(w http.ResponseWriter, r *http.Request) {
	s.writeNote(w, r, http.StatusCreated, func(sess *identity.Session, id int64, text, author string) (*kith.Note, error) {
		return sess.AddNote(r.Context(), id, text, author)
	})
}

// editNote is PATCH /api/v1/profiles/{clientId}/notes/{noteId} {"text"}:
// only the note's author may edit it (forbidden).
func (s *Server) editNote(w http.ResponseWriter, r *http.Request) {
	noteID, err := pathNoteID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeNote(w, r, http.StatusOK, func(sess *identity.Session, id int64, text, author string) (*kith.Note, error) {
		return sess.EditNote(r.Context(), id, noteID, text, author)
	})
}

// writeNote runs fn on the path's profile with the body's text and answers
// the note it wrote with status.
func (s *Server) writeNote(w http.ResponseWriter, r *http.Request, status int, fn func(sess *identity.Session, id int64, text, author string) (*kith.Note, error)) {
	id, err := pathClientID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	text, err := s.noteText(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p := caller(r)
	var n *kith.Note
	err = s.manage(r.Context(), p.workspace, func(sess *identity.Session) error {
		var err error
		n, err = fn(sess, id, text, author(p))
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, status, n)
}

// deleteNote is DELETE /api/v1/profiles/{clientId}/notes/{noteId}: only
// the note's author may delete it (forbidden).
func (s *Server) deleteNote(w http.ResponseWriter, r *http.Request) {
	id, err := pathClientID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	noteID, err := pathNoteID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p := caller(r)
	err = s.manage(r.Context(), p.workspace, func(sess *identity.Session) error {
		return sess.DeleteNote(r.Context(), id, noteID, author(p))
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
