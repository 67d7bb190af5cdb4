package web

import (
	"net/http"
	"strings"

	"github.com/kithcdp/kith"
)

type settingsData struct {
	Keys    []*kith.Key
	Snippet string
	// NewKey is the text of a key just created: shown once.
	NewKey  string
	Error   string
	Origins string
}

// settings shows the workspace's settings, keys and tracker snippet.
func (h *Handler) settings(w http.ResponseWriter, r *http.Request) {
	h.renderSettings(w, r, http.StatusOK, settingsData{})
}

func (h *Handler) renderSettings(w http.ResponseWriter, r *http.Request, status int, d settingsData) {
	ctx := r.Context()
	ws := current(r).ws
	err := h.Store.View(ctx, func(tx kith.ReadTx) error {
		var err error
		d.Keys, err = tx.ListKeys(ctx, ws.ID)
		return err
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	scheme := "http"
	if secure(r) {
		scheme = "https"
	}
	// Keys are stored hashed: only a key just created can be shown.
	key := "pk_YOUR_TRACKER_KEY"
	if strings.HasPrefix(d.NewKey, "pk_") {
		key = d.NewKey
	}
	d.Snippet = `<script async src="` + scheme + `://` + r.Host + `/sdk/kith.js" data-key="` + key + `"></script>`
	if d.Origins == "" {
		d.Origins = strings.Join(ws.AllowedOrigins, "\n")
	}
	if status != http.StatusOK && r.Header.Get("HX-Request") == "true" {
		status = http.StatusOK
	}
	h.render(w, r, status, "settings", page{Title: "Settings", Nav: "settings", Data: d})
}

// updateWorkspace changes the identity mode, uuid policy and allowed
// origins.
func (h *Handler) updateWorkspace(w http.ResponseWriter, r *http.Request) {
	s := current(r)
	var u kith.WorkspaceUpdate
	if v := r.PostFormValue("identityMode"); v != "" && v != s.ws.IdentityMode {
		u.IdentityMode = &v
	}
	if v := r.PostFormValue("uuidPolicy"); v != "" && v != s.ws.UUIDPolicy {
		u.UUIDPolicy = &v
	}
	raw := r.PostFormValue("allowedOrigins")
	origins := []string{}
	for _, o := range strings.Fields(strings.ReplaceAll(raw, ",", " ")) {
		origins = append(origins, o)
	}
	u.AllowedOrigins = &origins
	ctx := r.Context()
	var updated *kith.Workspace
	err := h.Store.Update(ctx, func(tx kith.Tx) error {
		var err error
		updated, err = tx.UpdateWorkspace(ctx, s.ws.ID, u)
		return err
	})
	if err == nil {
		s.ws = updated
	}
	if e := kith.AsError(err); e != nil && e.Code != kith.ECodeInternal {
		h.renderSettings(w, r, http.StatusUnprocessableEntity, settingsData{Error: e.Error(), Origins: raw})
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/settings", http.StatusSeeOther)
}

// createKey makes an API key and shows its text once.
func (h *Handler) createKey(w http.ResponseWriter, r *http.Request) {
	ws := current(r).ws
	kind := r.PostFormValue("kind")
	if kind != kith.KeyTracker && kind != kith.KeySecret {
		h.renderSettings(w, r, http.StatusUnprocessableEntity, settingsData{Error: "choose a tracker or a secret key"})
		return
	}
	name, e := kith.NormalizeKeyName(kind, r.PostFormValue("name"))
	if e != nil {
		h.renderSettings(w, r, http.StatusUnprocessableEntity, settingsData{Error: e.Message})
		return
	}
	text, k := kith.NewKey(ws.ID, kind, name, h.now())
	ctx := r.Context()
	if err := h.Store.Update(ctx, func(tx kith.Tx) error { return tx.CreateKey(ctx, k) }); err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderSettings(w, r, http.StatusOK, settingsData{NewKey: text})
}

// revokeKey revokes an API key at once.
func (h *Handler) revokeKey(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ws := current(r).ws
	err := h.Store.Update(ctx, func(tx kith.Tx) error {
		_, err := tx.RevokeKey(ctx, ws.ID, r.PathValue("key"), h.now())
		return err
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/settings", http.StatusSeeOther)
}
