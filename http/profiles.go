package http

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/ingest"
)

// ProfileView is PROFILE (SPEC §3).
type ProfileView struct {
	ClientID          int64           `json:"clientId"`
	Anonymous         bool            `json:"anonymous"`
	Email             string          `json:"email,omitempty"`
	CustomID          string          `json:"customId,omitempty"`
	UUIDs             []string        `json:"uuids"`
	Attributes        map[string]any  `json:"attributes"`
	Tags              []string        `json:"tags"`
	Agreements        map[string]bool `json:"agreements"`
	Devices           []kith.Device   `json:"devices"`
	CreatedAt         time.Time       `json:"createdAt"`
	UpdatedAt         time.Time       `json:"updatedAt"`
	LastActivityAt    time.Time       `json:"lastActivityAt"`
	PreviousClientIDs []int64         `json:"previousClientIds"`
}

// NewProfileView returns the API form of a whole profile.
func NewProfileView(ws *kith.Workspace, p *kith.Profile) *ProfileView {
	v := &ProfileView{
		ClientID: p.ClientID, Anonymous: !p.Recognized(ws), Email: p.Email, CustomID: p.CustomID,
		UUIDs: nonNil(p.UUIDs), Attributes: p.Attributes, Tags: nonNil(p.Tags),
		Agreements: map[string]bool{}, Devices: nonNil(p.Devices),
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, LastActivityAt: p.LastActivityAt,
		PreviousClientIDs: nonNil(p.PreviousClientIDs),
	}
	if v.Attributes == nil {
		v.Attributes = map[string]any{}
	}
	for _, ch := range kith.Channels {
		v.Agreements[ch] = p.Agreements[ch].Granted
	}
	return v
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// upsertProfile is POST /api/v1/profiles.
func (s *Server) upsertProfile(w http.ResponseWriter, r *http.Request) {
	body, err := s.readBody(w, r, kith.MaxEventBodyBytes)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	req := s.request(r)
	results, err := s.ingest.Upsert(r.Context(), req, []json.RawMessage{body})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	res := results[0]
	if res.Err != nil {
		s.writeError(w, r, res.Err)
		return
	}
	s.countUpserts(results)
	view, err := s.profileView(r.Context(), req.Workspace, res.ClientID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"clientId": res.ClientID, "created": res.Created, "uuidConflict": res.UUIDConflict, "profile": view,
	})
}

// upsertBatch is POST /api/v1/profiles/batch.
func (s *Server) upsertBatch(w http.ResponseWriter, r *http.Request) {
	raw, err := s.batchBody(w, r, "profiles", kith.MaxProfilesPerBatch)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	results, err := s.ingest.Upsert(r.Context(), s.request(r), raw)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.countUpserts(results)
	writeJSON(w, http.StatusOK, map[string]any{"results": results})
}

func (s *Server) countUpserts(results []ingest.UpsertResult) {
	for _, res := range results {
		if res.Created {
			s.metrics.profilesCreated.Inc()
		}
	}
}

// profileView reads a whole profile (not_found).
func (s *Server) profileView(ctx context.Context, ws *kith.Workspace, clientID int64) (*ProfileView, error) {
	var view *ProfileView
	err := s.Store.View(ctx, func(tx kith.ReadTx) error {
		p, err := tx.FindProfile(ctx, ws.ID, clientID)
		if err == nil {
			view = NewProfileView(ws, p)
		}
		return err
	})
	return view, err
}

// lookup answers the profile holding one identifier.
func (s *Server) lookup(w http.ResponseWriter, r *http.Request, kind kith.IdentifierKind, value string) {
	ws := caller(r).workspace
	var view *ProfileView
	err := s.Store.View(r.Context(), func(tx kith.ReadTx) error {
		id, err := tx.FindClientID(r.Context(), ws.ID, kind, value)
		if err != nil {
			return err
		}
		if id == 0 {
			return kith.Errorf(kith.ECodeNotFound, "no profile has %s %q", kind, value)
		}
		p, err := tx.FindProfile(r.Context(), ws.ID, id)
		if err == nil {
			view = NewProfileView(ws, p)
		}
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, view)
}

// getProfile is GET /api/v1/profiles/{clientId}; a merged-away clientId
// answers the survivor.
func (s *Server) getProfile(w http.ResponseWriter, r *http.Request) {
	raw := r.PathValue("clientId")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		s.writeError(w, r, kith.FieldErrorf("clientId", kith.ECodeInvalidClientID, "clientId %q is not a positive integer", raw))
		return
	}
	s.lookup(w, r, kith.KindClientID, raw)
}

// getProfileByEmail is GET /api/v1/profiles/by-email/{email}. In customId
// mode emails are not unique: several holders answer ambiguous_identifier.
func (s *Server) getProfileByEmail(w http.ResponseWriter, r *http.Request) {
	ws := caller(r).workspace
	email, e := kith.NormalizeEmail(ws, r.PathValue("email"))
	if e != nil {
		s.writeError(w, r, e)
		return
	}
	if ws.EmailIsIdentifier() {
		s.lookup(w, r, kith.KindEmail, email)
		return
	}
	var ids []int64
	err := s.Store.View(r.Context(), func(tx kith.ReadTx) error {
		var err error
		ids, err = tx.FindClientIDsByEmail(r.Context(), ws.ID, email)
		return err
	})
	switch {
	case err != nil:
		s.writeError(w, r, err)
	case len(ids) == 0:
		s.writeError(w, r, kith.Errorf(kith.ECodeNotFound, "no profile has email %q", email))
	case len(ids) > 1:
		s.writeError(w, r, kith.Errorf(kith.ECodeAmbiguous, "profiles %v share email %q; look them up by clientId", ids, email))
	default:
		s.lookup(w, r, kith.KindClientID, strconv.FormatInt(ids[0], 10))
	}
}

// getProfileByCustomID is GET /api/v1/profiles/by-custom-id/{customId}.
func (s *Server) getProfileByCustomID(w http.ResponseWriter, r *http.Request) {
	v, e := kith.NormalizeCustomID(caller(r).workspace, r.PathValue("customId"))
	if e != nil {
		s.writeError(w, r, e)
		return
	}
	s.lookup(w, r, kith.KindCustomID, v)
}

// getProfileByUUID is GET /api/v1/profiles/by-uuid/{uuid}.
func (s *Server) getProfileByUUID(w http.ResponseWriter, r *http.Request) {
	v, e := kith.NormalizeUUID(caller(r).workspace, r.PathValue("uuid"))
	if e != nil {
		s.writeError(w, r, e)
		return
	}
	s.lookup(w, r, kith.KindUUID, v)
}
