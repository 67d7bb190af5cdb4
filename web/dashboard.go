package web

import (
	"net/http"
	"time"

	"github.com/kithcdp/kith"
)

type dashboardData struct {
	Stats       kith.ProfileStats
	EventsToday int64
	Checklist   []CheckItem
}

// dashboard shows the workspace's totals and the checklist.
func (h *Handler) dashboard(w http.ResponseWriter, r *http.Request) {
	s := current(r)
	ctx := r.Context()
	var d dashboardData
	now := h.now()
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	err := h.Store.View(ctx, func(tx kith.ReadTx) error {
		var err error
		if d.Stats, err = tx.CountProfiles(ctx, s.ws.ID); err != nil {
			return err
		}
		d.EventsToday, err = tx.CountEvents(ctx, s.ws.ID, day, "")
		return err
	})
	if err == nil {
		d.Checklist, err = Checklist(ctx, h.Store, h.Imports, s.ws, now)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "dashboard", page{Title: "Dashboard", Nav: "dashboard", Data: d})
}
