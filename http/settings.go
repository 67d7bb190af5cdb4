package http

import (
	"encoding/json"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/ingest"
)

// settingsRoutes registers the workspace settings and API key endpoints
// (SPEC §3) and the OpenAPI document.
func (s *Server) settingsRoutes(mux *http.ServeMux) {
	secret := func(h http.HandlerFunc) http.HandlerFunc { return s.auth(false, false, h) }
	mux.HandleFunc("GET /api/v1/workspace", secret(s.getWorkspace))
	mux.HandleFunc("PATCH /api/v1/workspace", secret(s.patchWorkspace))
	mux.HandleFunc("GET /api/v1/keys", secret(s.listKeys))
	mux.HandleFunc("POST /api/v1/keys", secret(s.createKey))
	mux.HandleFunc("DELETE /api/v1/keys/{id}", secret(s.revokeKey))
	mux.HandleFunc("GET /api/openapi.json", s.openAPI)
}

// workspaceView returns WORKSPACE (SPEC §3): the workspace with the
// blocked-identifier list in force (the default list when it has none of
// its own) and empty lists rather than null.
func workspaceView(ws *kith.Workspace) *kith.Workspace {
	v := *ws
	v.BlockedIdentifiers = nonNil(ws.EffectiveBlockedIdentifiers())
	v.AllowedOrigins = nonNil(ws.AllowedOrigins)
	return &v
}

// getWorkspace is GET /api/v1/workspace. It reads the store rather than
// the caller's cached copy, so that it always shows the latest settings.
func (s *Server) getWorkspace(w http.ResponseWriter, r *http.Request) {
	var ws *kith.Workspace
	err := s.Store.View(r.Context(), func(tx kith.ReadTx) error {
		var err error
		ws, err = tx.FindWorkspace(r.Context(), caller(r).workspace.ID)
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, workspaceView(ws))
}

// patchWorkspace is PATCH /api/v1/workspace: the members given replace
// the settings (a JSON merge patch of WORKSPACE; id and createdAt may be
// sent back unchanged). identityMode may go from email to customId, never
// back. Cached workspaces of this node are dropped; other nodes see the
// change within the auth cache's lifetime.
func (s *Server) patchWorkspace(w http.ResponseWriter, r *http.Request) {
	body, err := s.readBody(w, r, kith.MaxEventBodyBytes)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	current := caller(r).workspace
	u, err := decodeWorkspacePatch(body, current)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var ws *kith.Workspace
	err = s.Store.Update(r.Context(), func(tx kith.Tx) error {
		var err error
		ws, err = tx.UpdateWorkspace(r.Context(), current.ID, u)
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.forgetKeys()
	if u.IdentityMode != nil && current.IdentityMode != ws.IdentityMode {
		s.Logger.Info("workspace identity mode switched", slog.Int64("workspace", ws.ID),
			slog.String("from", current.IdentityMode), slog.String("to", ws.IdentityMode))
	}
	writeJSON(w, http.StatusOK, workspaceView(ws))
}

// decodeWorkspacePatch reads a PATCH body into an update. Codes:
// invalid_json, unknown_field, invalid_setting.
func decodeWorkspacePatch(body []byte, current *kith.Workspace) (kith.WorkspaceUpdate, error) {
	var u kith.WorkspaceUpdate
	var members map[string]json.RawMessage
	if e := ingest.DecodeStrict(body, &members, ""); e != nil {
		return u, e
	}
	if members == nil {
		return u, kith.Errorf(kith.ECodeInvalidJSON, "the body is a JSON object of the settings to change")
	}
	str := func(field string, raw json.RawMessage) (*string, error) {
		var v *string
		if err := json.Unmarshal(raw, &v); err != nil || v == nil {
			return nil, kith.FieldErrorf(field, kith.ECodeInvalidSetting, "%s is a string", field)
		}
		return v, nil
	}
	list := func(field string, raw json.RawMessage) (*[]string, error) {
		var v []string
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, kith.FieldErrorf(field, kith.ECodeInvalidSetting, "%s is an array of strings (or null)", field)
		}
		return &v, nil
	}
	var err error
	for _, name := range slices.Sorted(maps.Keys(members)) {
		raw := members[name]
		switch name {
		case "name":
			u.Name, err = str(name, raw)
		case "identityMode":
			u.IdentityMode, err = str(name, raw)
		case "uuidPolicy":
			u.UUIDPolicy, err = str(name, raw)
		case "uuidSalt":
			u.UUIDSalt, err = str(name, raw)
		case "segmentUserIdAs":
			u.SegmentUserIDAs, err = str(name, raw)
		case "blockedIdentifiers":
			// null restores the default list.
			u.BlockedIdentifiers, err = list(name, raw)
		case "allowedOrigins":
			// null, like [], allows every origin.
			if u.AllowedOrigins, err = list(name, raw); err == nil && *u.AllowedOrigins == nil {
				*u.AllowedOrigins = []string{}
			}
		case "id":
			if string(raw) != strconv.FormatInt(current.ID, 10) {
				err = kith.FieldErrorf(name, kith.ECodeInvalidSetting, "a workspace's id never changes")
			}
		case "createdAt":
			var t time.Time
			if json.Unmarshal(raw, &t) != nil || !t.Equal(current.CreatedAt) {
				err = kith.FieldErrorf(name, kith.ECodeInvalidSetting, "a workspace's createdAt never changes")
			}
		default:
			err = kith.FieldErrorf(name, kith.ECodeUnknownField, "unknown field %q (see WORKSPACE in the API reference)", name)
		}
		if err != nil {
			return u, err
		}
	}
	return u, nil
}
