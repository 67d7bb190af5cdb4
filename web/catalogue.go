package web

import (
	"net/http"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/schema"
)

// attributes shows the attribute catalogue: default and custom.
func (h *Handler) attributes(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var defs []kith.AttributeDef
	err := h.Store.View(ctx, func(tx kith.ReadTx) error {
		var err error
		defs, err = tx.ListAttributeDefs(ctx, current(r).ws.ID)
		return err
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "attributes", page{Title: "Attributes", Nav: "attributes",
		Data: map[string][]kith.AttributeDef{"Default": schema.Defaults(), "Custom": defs}})
}

// tags shows the tag catalogue.
func (h *Handler) tags(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var tags []kith.Tag
	err := h.Store.View(ctx, func(tx kith.ReadTx) error {
		var err error
		tags, err = tx.ListTags(ctx, current(r).ws.ID)
		return err
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "tags", page{Title: "Tags", Nav: "tags", Data: tags})
}

type settingsData struct {
	Keys    []*kith.Key
	Snippet string
}

// settings shows the workspace's settings, keys and tracker snippet.
func (h *Handler) settings(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var d settingsData
	err := h.Store.View(ctx, func(tx kith.ReadTx) error {
		var err error
		d.Keys, err = tx.ListKeys(ctx, current(r).ws.ID)
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
	d.Snippet = `<script async src="` + scheme + `://` + r.Host + `/sdk/kith.js" data-key="pk_YOUR_TRACKER_KEY"></script>`
	h.render(w, r, http.StatusOK, "settings", page{Title: "Settings", Nav: "settings", Data: d})
}
