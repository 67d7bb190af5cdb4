package http

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/identity"
)

// maxQueryRunes is the longest profile search text.
const maxQueryRunes = 256

// listProfiles is GET /api/v1/profiles?anonymous&q&tag&limit&cursor:
// profiles newest first (by clientId), {"profiles":[…],"nextCursor"}.
func (s *Server) listProfiles(w http.ResponseWriter, r *http.Request) {
	f, limit, err := profileFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ws := caller(r).workspace
	var list []*kith.Profile
	err = s.Store.View(r.Context(), func(tx kith.ReadTx) error {
		var err error
		list, err = tx.ListProfiles(r.Context(), ws.ID, f)
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := struct {
		Profiles   []*ProfileView `json:"profiles"`
		NextCursor string         `json:"nextCursor,omitempty"`
	}{Profiles: []*ProfileView{}}
	if len(list) > limit {
		list = list[:limit]
		out.NextCursor = encodeCursor(listCursor, list[limit-1].ClientID)
	}
	for _, p := range list {
		out.Profiles = append(out.Profiles, NewProfileView(ws, p))
	}
	writeJSON(w, http.StatusOK, out)
}

// profileFilter reads the list's query parameters. The filter asks for one
// profile more than the page, to tell whether another page follows.
func profileFilter(r *http.Request) (kith.ProfileFilter, int, error) {
	var f kith.ProfileFilter
	limit, err := pageSize(r)
	if err != nil {
		return f, 0, err
	}
	f.Limit = limit + 1
	if f.Anonymous, err = boolParam(r, "anonymous"); err != nil {
		return f, 0, err
	}
	q := r.URL.Query()
	f.Query = strings.TrimSpace(q.Get("q"))
	if !utf8.ValidString(f.Query) || utf8.RuneCountInString(f.Query) > maxQueryRunes {
		return f, 0, kith.FieldErrorf("q", kith.ECodeInvalid, "q is at most %d characters of UTF-8", maxQueryRunes)
	}
	if t := q.Get("tag"); t != "" {
		tag, e := identity.NormalizeTag(t)
		if e != nil {
			return f, 0, e.WithField("tag")
		}
		f.Tag = tag
	}
	if c := q.Get("cursor"); c != "" {
		v, err := decodeCursor(c, listCursor, 1)
		if err != nil {
			return f, 0, err
		}
		f.Before = v[0]
	}
	return f, limit, nil
}

// profileStats is GET /api/v1/profiles/stats.
func (s *Server) profileStats(w http.ResponseWriter, r *http.Request) {
	var st kith.ProfileStats
	err := s.Store.View(r.Context(), func(tx kith.ReadTx) error {
		var err error
		st, err = tx.CountProfiles(r.Context(), caller(r).workspace.ID)
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}
