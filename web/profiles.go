package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/kithcdp/kith"
)

// listPageSize is how many profiles a list page shows.
const listPageSize = 25

type profilesData struct {
	Stats    kith.ProfileStats
	Show     string // "", "recognized" or "anonymous"
	Query    string
	Tag      string
	Tags     []kith.Tag
	Rows     []profileRow
	NextURL  string
	FirstURL string
}

type profileRow struct {
	ClientID   int64
	Name       string
	Email      string
	CustomID   string
	Recognized bool
	Tags       []string
	LastSeen   string
}

// profiles lists the workspace's profiles, newest first, with the
// recognized/anonymous switch, search, tag filter and paging.
func (h *Handler) profiles(w http.ResponseWriter, r *http.Request) {
	s := current(r)
	ctx := r.Context()
	q := r.URL.Query()
	d := profilesData{Show: q.Get("show"), Query: q.Get("q"), Tag: q.Get("tag")}
	f := kith.ProfileFilter{Query: d.Query, Tag: d.Tag, Limit: listPageSize + 1}
	switch d.Show {
	case "recognized":
		f.Anonymous = new(bool)
	case "anonymous":
		t := true
		f.Anonymous = &t
	default:
		d.Show = ""
	}
	if b, err := strconv.ParseInt(q.Get("before"), 10, 64); err == nil && b > 0 {
		f.Before = b
	}
	var list []*kith.Profile
	err := h.Store.View(ctx, func(tx kith.ReadTx) error {
		var err error
		if d.Stats, err = tx.CountProfiles(ctx, s.ws.ID); err != nil {
			return err
		}
		if d.Tags, err = tx.ListTags(ctx, s.ws.ID); err != nil {
			return err
		}
		list, err = tx.ListProfiles(ctx, s.ws.ID, f)
		return err
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if len(list) > listPageSize {
		list = list[:listPageSize]
		next := url.Values{"show": {d.Show}, "q": {d.Query}, "tag": {d.Tag}, "before": {strconv.FormatInt(list[len(list)-1].ClientID, 10)}}
		d.NextURL = "/profiles?" + next.Encode()
	}
	if f.Before > 0 {
		d.FirstURL = "/profiles?" + url.Values{"show": {d.Show}, "q": {d.Query}, "tag": {d.Tag}}.Encode()
	}
	for _, p := range list {
		d.Rows = append(d.Rows, profileRow{ClientID: p.ClientID, Name: displayName(p), Email: p.Email,
			CustomID: p.CustomID, Recognized: p.Recognized(s.ws), Tags: p.Tags, LastSeen: ago(h.now(), p.LastActivityAt)})
	}
	h.render(w, r, http.StatusOK, "profiles", page{Title: "Profiles", Nav: "profiles", Data: d})
}

// displayName is how the UI names a profile.
func displayName(p *kith.Profile) string {
	str := func(k string) string { v, _ := p.Attributes[k].(string); return v }
	if n := str("displayName"); n != "" {
		return n
	}
	if n := str("firstName") + " " + str("lastName"); n != " " {
		return n
	}
	return ""
}
