package http_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/kithcdp/kith"
)

type noteDoc struct {
	NoteID    int64  `json:"noteId"`
	Text      string `json:"text"`
	Author    string `json:"author"`
	CreatedAt string `json:"createdAt"`
	UpdatedAt string `json:"updatedAt"`
}

func TestNotes(t *testing.T) {
	e := startAPI(t, "NORMAL")
	c := e.workspace(kith.ModeEmail)
	sk := c.SecretKey
	other := e.secretKey(c, "Backoffice")
	p := e.newProfile(sk, nil)
	path := byClientID(p.ClientID) + "/notes"

	var n noteDoc
	e.want(201, "POST", path, sk, map[string]any{"text": "Asked about returns."}, &n)
	if n.NoteID <= 0 || n.Text != "Asked about returns." || n.Author != "api:Default secret key" || n.CreatedAt == "" || n.UpdatedAt != n.CreatedAt {
		t.Errorf("note %+v", n)
	}
	var m noteDoc
	e.want(201, "POST", path, other, map[string]any{"text": "VIP treatment."}, &m)
	var list struct {
		Notes []noteDoc `json:"notes"`
	}
	e.want(200, "GET", path, sk, nil, &list)
	if len(list.Notes) != 2 || list.Notes[0].NoteID != m.NoteID || list.Notes[1] != n {
		t.Errorf("notes %+v", list.Notes)
	}
	events := e.timeline(sk, p.ClientID, "&action=profile.noteAdded")
	if len(events) != 2 || events[0].Params["noteId"] != float64(m.NoteID) {
		t.Errorf("noteAdded events %+v", events)
	}

	notePath := fmt.Sprintf("%s/%d", path, n.NoteID)
	var edited noteDoc
	e.want(200, "PATCH", notePath, sk, map[string]any{"text": "Asked about returns twice."}, &edited)
	if edited.Text != "Asked about returns twice." || edited.CreatedAt != n.CreatedAt || edited.UpdatedAt == n.UpdatedAt {
		t.Errorf("edited %+v", edited)
	}
	for _, tc := range []struct {
		status            int
		code, field, meth string
		path, key         string
		body              any
	}{
		{403, kith.ECodeForbidden, "", "PATCH", notePath, other, map[string]any{"text": "mine now"}},
		{403, kith.ECodeForbidden, "", "DELETE", notePath, other, nil},
		{400, kith.ECodeRequired, "text", "PATCH", notePath, sk, map[string]any{}},
		{400, kith.ECodeInvalidNote, "text", "PATCH", notePath, sk, map[string]any{"text": " "}},
		{400, kith.ECodeInvalidNote, "text", "POST", path, sk, map[string]any{"text": strings.Repeat("x", 10001)}},
		{400, kith.ECodeInvalid, "noteId", "PATCH", path + "/abc", sk, map[string]any{"text": "x"}},
		{404, kith.ECodeNotFound, "", "PATCH", path + "/987654", sk, map[string]any{"text": "x"}},
		{404, kith.ECodeNotFound, "", "POST", "/api/v1/profiles/987654/notes", sk, map[string]any{"text": "x"}},
		{404, kith.ECodeNotFound, "", "GET", "/api/v1/profiles/987654/notes", sk, nil},
	} {
		e.refused(tc.status, tc.code, tc.field, tc.meth, tc.path, tc.key, tc.body)
	}
	// Bodies are JSON of at most 1 MiB.
	before := e.rows("notes")
	r := e.doWith("POST", path, `{"text":"x"}`, func(r *http.Request) {
		r.Header.Set("Authorization", "Bearer "+sk)
		r.Header.Set("Content-Type", "text/xml")
	})
	wantProblem(t, r, 415, kith.ECodeUnsupportedMedia)
	wantProblem(t, e.do("POST", path, sk, `{"text":"`+strings.Repeat("x", 1<<20)+`"}`), 413, kith.ECodePayloadTooLarge)
	if e.rows("notes") != before {
		t.Error("refused bodies wrote notes")
	}
	e.want(204, "DELETE", notePath, sk, nil, nil)
	e.refused(404, kith.ECodeNotFound, "", "DELETE", notePath, sk, nil)
	e.want(200, "GET", path, sk, nil, &list)
	if len(list.Notes) != 1 || list.Notes[0].NoteID != m.NoteID {
		t.Errorf("notes after delete %+v", list.Notes)
	}
}
