package http

import (
	"context"
	"net/http"
	"strconv"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/identity"
	"github.com/kithcdp/kith/ingest"
)

// managementRoutes registers the profile management API (SPEC §3):
// catalogues, list and search, timeline, notes, explicit changes, merge,
// erasure and export. Every endpoint takes a secret key.
func (s *Server) managementRoutes(mux *http.ServeMux) {
	secret := func(h http.HandlerFunc) http.HandlerFunc { return s.auth(false, false, h) }
	mux.HandleFunc("GET /api/v1/attributes", secret(s.listAttributes))
	mux.HandleFunc("POST /api/v1/attributes", secret(s.createAttribute))
	mux.HandleFunc("GET /api/v1/attributes/{name}", secret(s.getAttribute))
	mux.HandleFunc("PATCH /api/v1/attributes/{name}", secret(s.patchAttribute))
	mux.HandleFunc("DELETE /api/v1/attributes/{name}", secret(s.deleteAttribute))
	mux.HandleFunc("GET /api/v1/tags", secret(s.listTags))
	mux.HandleFunc("POST /api/v1/tags", secret(s.createTag))
	mux.HandleFunc("PATCH /api/v1/tags/{name}", secret(s.patchTag))
	mux.HandleFunc("DELETE /api/v1/tags/{name}", secret(s.deleteTag))

	mux.HandleFunc("GET /api/v1/profiles", secret(s.listProfiles))
	mux.HandleFunc("GET /api/v1/profiles/stats", secret(s.profileStats))
	mux.HandleFunc("PATCH /api/v1/profiles/{clientId}", secret(s.patchProfile))
	mux.HandleFunc("DELETE /api/v1/profiles/{clientId}", secret(s.eraseProfile))
	mux.HandleFunc("POST /api/v1/profiles/{clientId}/merge", secret(s.mergeProfiles))
	mux.HandleFunc("POST /api/v1/profiles/{clientId}/tags", secret(s.addProfileTags))
	mux.HandleFunc("DELETE /api/v1/profiles/{clientId}/tags/{tag}", secret(s.removeProfileTag))
	mux.HandleFunc("POST /api/v1/profiles/{clientId}/events", secret(s.addManualEvent))
	mux.HandleFunc("POST /api/v1/profiles/{clientId}/notes", secret(s.addNote))
	mux.HandleFunc("PATCH /api/v1/profiles/{clientId}/notes/{noteId}", secret(s.editNote))
	mux.HandleFunc("DELETE /api/v1/profiles/{clientId}/notes/{noteId}", secret(s.deleteNote))
	// One pattern for the GET sub-resources: "GET …/{clientId}/events"
	// would conflict with "GET …/by-email/{email}" (both match
	// …/by-email/events, neither is more specific).
	mux.HandleFunc("GET /api/v1/profiles/{clientId}/{view}", secret(s.profileSubresource))
}

// profileSubresource dispatches GET /api/v1/profiles/{clientId}/{view}.
func (s *Server) profileSubresource(w http.ResponseWriter, r *http.Request) {
	switch r.PathValue("view") {
	case "events":
		s.timeline(w, r)
	case "notes":
		s.listNotes(w, r)
	case "export":
		s.exportProfile(w, r)
	default:
		s.writeError(w, r, kith.Errorf(kith.ECodeNotFound, "no such endpoint: %s %s", r.Method, r.URL.Path))
	}
}

// manage runs fn with an identity session in one write transaction and
// stores the system events it records. fn may run more than once.
func (s *Server) manage(ctx context.Context, ws *kith.Workspace, fn func(*identity.Session) error) error {
	return s.Store.Update(ctx, func(tx kith.Tx) error {
		sess := identity.NewSession(tx, ws, s.now())
		if err := fn(sess); err != nil {
			return err
		}
		return sess.Flush(ctx)
	})
}

// pathClientID returns the {clientId} of the path (invalid_client_id).
func pathClientID(r *http.Request) (int64, error) {
	raw := r.PathValue("clientId")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, kith.FieldErrorf("clientId", kith.ECodeInvalidClientID, "clientId %q is not a positive integer", raw)
	}
	return id, nil
}

// resolve returns the current clientId of id, following merges
// (not_found).
func resolve(ctx context.Context, tx kith.ReadTx, ws, id int64) (int64, error) {
	cur, err := tx.FindClientID(ctx, ws, kith.KindClientID, strconv.FormatInt(id, 10))
	if err != nil {
		return 0, err
	}
	if cur == 0 {
		return 0, kith.Errorf(kith.ECodeNotFound, "no profile has clientId %d", id)
	}
	return cur, nil
}

// decodeBody reads a JSON body strictly into v.
func (s *Server) decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := s.readBody(w, r, kith.MaxEventBodyBytes)
	if err != nil {
		return err
	}
	if e := ingest.DecodeStrict(body, v, ""); e != nil {
		return e
	}
	return nil
}

// answerProfile answers the whole profile clientId (or its survivor).
func (s *Server) answerProfile(w http.ResponseWriter, r *http.Request, ws *kith.Workspace, id int64, status int) {
	var view *ProfileView
	err := s.Store.View(r.Context(), func(tx kith.ReadTx) error {
		cur, err := resolve(r.Context(), tx, ws.ID, id)
		if err != nil {
			return err
		}
		p, err := tx.FindProfile(r.Context(), ws.ID, cur)
		if err == nil {
			view = NewProfileView(ws, p)
		}
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, status, view)
}

// mergeView is the answer of an explicit merge: PROFILE of the survivor,
// plus the identifiers the merge released because the survivor already
// had another value of their kind.
type mergeView struct {
	*ProfileView
	ReleasedIdentifiers []kith.Identifiers `json:"releasedIdentifiers"`
}

// mergeProfiles is POST /api/v1/profiles/{clientId}/merge.
func (s *Server) mergeProfiles(w http.ResponseWriter, r *http.Request) {
	id, err := pathClientID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in struct {
		SourceClientIDs []int64 `json:"sourceClientIds"`
	}
	if err := s.decodeBody(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	ws := caller(r).workspace
	var res *identity.Result
	err = s.manage(r.Context(), ws, func(sess *identity.Session) error {
		var err error
		res, err = sess.Merge(r.Context(), id, in.SourceClientIDs)
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.metrics.profilesMerged.Add(float64(len(res.Merged)))
	view, err := s.profileView(r.Context(), ws, res.ClientID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, mergeView{ProfileView: view, ReleasedIdentifiers: nonNil(res.Released)})
}

// eraseProfile is DELETE /api/v1/profiles/{clientId}[?suppress=true].
func (s *Server) eraseProfile(w http.ResponseWriter, r *http.Request) {
	id, err := pathClientID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	suppress, err := boolParam(r, "suppress")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var out *identity.Erasure
	err = s.manage(r.Context(), caller(r).workspace, func(sess *identity.Session) error {
		var err error
		out, err = sess.Erase(r.Context(), id, suppress != nil && *suppress)
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"clientId": out.ClientID, "previousClientIds": nonNil(out.PreviousClientIDs),
		"suppressedIdentifiers": out.Suppressed,
	})
}

// boolParam reads an optional true/false query parameter (nil when
// absent; invalid otherwise).
func boolParam(r *http.Request, name string) (*bool, error) {
	v := r.URL.Query().Get(name)
	switch v {
	case "":
		return nil, nil
	case "true", "false":
		b := v == "true"
		return &b, nil
	}
	return nil, kith.FieldErrorf(name, kith.ECodeInvalid, "%s is true or false, not %q", name, v)
}

// exportProfile is GET /api/v1/profiles/{clientId}/export: everything
// stored about the profile (GDPR access).
func (s *Server) exportProfile(w http.ResponseWriter, r *http.Request) {
	id, err := pathClientID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ws := caller(r).workspace
	var out struct {
		Profile *ProfileView  `json:"profile"`
		Events  []*EventView  `json:"events"`
		Notes   []*kith.Note  `json:"notes"`
		Merges  []*kith.Merge `json:"merges"`
	}
	ctx := r.Context()
	err = s.Store.View(ctx, func(tx kith.ReadTx) error {
		cur, err := resolve(ctx, tx, ws.ID, id)
		if err != nil {
			return err
		}
		p, err := tx.FindProfile(ctx, ws.ID, cur)
		if err != nil {
			return err
		}
		out.Profile = NewProfileView(ws, p)
		events, err := tx.ListEvents(ctx, ws.ID, kith.EventFilter{ClientID: cur})
		if err != nil {
			return err
		}
		out.Events = eventViews(events)
		notes, err := tx.ListNotes(ctx, ws.ID, cur)
		if err != nil {
			return err
		}
		out.Notes = nonNil(notes)
		merges, err := tx.ListMerges(ctx, ws.ID, append(p.PreviousClientIDs, cur))
		out.Merges = nonNil(merges)
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Disposition", "attachment; filename=\"kith-profile-"+strconv.FormatInt(out.Profile.ClientID, 10)+".json\"")
	writeJSON(w, http.StatusOK, out)
}

// addProfileTags is POST /api/v1/profiles/{clientId}/tags {"tags":[…]}:
// tags new to the catalogue are created there.
func (s *Server) addProfileTags(w http.ResponseWriter, r *http.Request) {
	id, err := pathClientID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in struct {
		Tags []string `json:"tags"`
	}
	if err := s.decodeBody(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	if len(in.Tags) == 0 {
		s.writeError(w, r, kith.FieldErrorf("tags", kith.ECodeRequired, "give at least one tag"))
		return
	}
	ws := caller(r).workspace
	write := &identity.Write{Client: kith.Identifiers{ClientID: id}, Tags: in.Tags, Strict: true, Source: sourceOf(caller(r))}
	var landed int64
	err = s.manage(r.Context(), ws, func(sess *identity.Session) error {
		res, err := sess.Apply(r.Context(), write)
		if err == nil {
			landed = res.ClientID
		}
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.answerProfile(w, r, ws, landed, http.StatusOK)
}

// removeProfileTag is DELETE /api/v1/profiles/{clientId}/tags/{tag}.
func (s *Server) removeProfileTag(w http.ResponseWriter, r *http.Request) {
	id, err := pathClientID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ws := caller(r).workspace
	err = s.manage(r.Context(), ws, func(sess *identity.Session) error {
		return sess.RemoveTag(r.Context(), id, r.PathValue("tag"))
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.answerProfile(w, r, ws, id, http.StatusOK)
}
