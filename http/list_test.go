package http_test

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/kithcdp/kith"
)

type profileList struct {
	Profiles   []profileView `json:"profiles"`
	NextCursor string        `json:"nextCursor"`
}

// listAll reads every page of GET /api/v1/profiles?query with pages of n.
func (e *apiEnv) listAll(key, query string, n int) []int64 {
	e.t.Helper()
	out := []int64{}
	cursor := ""
	for range 1000 {
		var page profileList
		e.want(200, "GET", fmt.Sprintf("/api/v1/profiles?limit=%d%s%s", n, query, cursor), key, nil, &page)
		for _, p := range page.Profiles {
			out = append(out, p.ClientID)
		}
		if page.NextCursor == "" {
			return out
		}
		cursor = "&cursor=" + url.QueryEscape(page.NextCursor)
	}
	e.t.Fatal("paging does not end")
	return nil
}

func TestProfileList(t *testing.T) {
	e := startAPI(t, "NORMAL")
	c := e.workspace(kith.ModeEmail)
	sk := c.SecretKey
	ada := e.newProfile(sk, map[string]any{"client": map[string]any{"email": "ada.lovelace@example.com", "customId": "LOY-1"},
		"attributes": map[string]any{"firstName": "Ada", "lastName": "Lovelace"}, "tags": []string{"vip"}})
	luk := e.newProfile(sk, map[string]any{"client": map[string]any{"email": "bob@example.com"},
		"attributes": map[string]any{"firstName": "Łukasz"}})
	anon := e.anonymous(c)
	other := e.workspace(kith.ModeEmail)
	e.newProfile(other.SecretKey, map[string]any{"attributes": map[string]any{"firstName": "Ada"}})

	for _, tc := range []struct {
		query string
		want  []int64
	}{
		{"", []int64{anon.ClientID, luk.ClientID, ada.ClientID}},
		{"&anonymous=true", []int64{anon.ClientID}},
		{"&anonymous=false", []int64{luk.ClientID, ada.ClientID}},
		{"&tag=vip", []int64{ada.ClientID}},
		{"&q=ADA", []int64{ada.ClientID}},
		{"&q=" + url.QueryEscape("łUK"), []int64{luk.ClientID}},
		{"&q=loy-", []int64{ada.ClientID}},
		{"&q=" + anon.UUIDs[0][:13], []int64{anon.ClientID}},
		{"&q=lovelace&anonymous=false&tag=vip", []int64{ada.ClientID}},
		{"&q=nobody", []int64{}},
	} {
		for _, n := range []int{1, 2, 50} {
			if got := e.listAll(sk, tc.query, n); !slices.Equal(got, tc.want) {
				t.Errorf("list %q in pages of %d: %v, want %v", tc.query, n, got, tc.want)
			}
		}
	}
	var page profileList
	e.want(200, "GET", "/api/v1/profiles?q="+url.QueryEscape("ada.lovelace@"), sk, nil, &page)
	if len(page.Profiles) != 1 || page.NextCursor != "" || page.Profiles[0].Email != "ada.lovelace@example.com" ||
		page.Profiles[0].Tags[0] != "vip" || page.Profiles[0].Attributes["lastName"] != "Lovelace" {
		t.Errorf("page %+v", page)
	}

	for _, tc := range []struct {
		code, field, query string
	}{
		{kith.ECodeInvalid, "anonymous", "anonymous=maybe"},
		{kith.ECodeInvalid, "limit", "limit=-1"},
		{kith.ECodeInvalid, "q", "q=" + strings.Repeat("a", 257)},
		{kith.ECodeInvalidTag, "tag", "tag=" + strings.Repeat("t", 65)},
		{kith.ECodeInvalidCursor, "cursor", "cursor=" + url.QueryEscape("p:1")},
	} {
		e.refused(400, tc.code, tc.field, "GET", "/api/v1/profiles?"+tc.query, sk, nil)
	}
}

func TestProfileStats(t *testing.T) {
	e := startAPI(t, "NORMAL")
	c := e.workspace(kith.ModeEmail)
	sk := c.SecretKey
	stats := func() kith.ProfileStats {
		var s kith.ProfileStats
		e.want(200, "GET", "/api/v1/profiles/stats", sk, nil, &s)
		return s
	}
	if s := stats(); s != (kith.ProfileStats{}) {
		t.Errorf("empty workspace %+v", s)
	}
	e.newProfile(sk, nil)
	p := e.newProfile(sk, nil)
	e.anonymous(c)
	if s := stats(); s != (kith.ProfileStats{Total: 3, Recognized: 2, Anonymous: 1}) {
		t.Errorf("stats %+v", s)
	}
	e.want(200, "DELETE", byClientID(p.ClientID), sk, nil, nil)
	if s := stats(); s != (kith.ProfileStats{Total: 2, Recognized: 1, Anonymous: 1}) {
		t.Errorf("stats after erasure %+v", s)
	}
	e.refused(403, kith.ECodeForbidden, "", "GET", "/api/v1/profiles/stats", c.TrackerKey, nil)
}
