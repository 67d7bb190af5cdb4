package http_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kithcdp/kith"
)

func TestPatchProfile(t *testing.T) {
	e := startAPI(t, "NORMAL")
	c := e.workspace(kith.ModeEmail)
	sk := c.SecretKey
	anon := e.anonymous(c)
	taken := e.newProfile(sk, map[string]any{"client": map[string]any{"email": newEmail(), "customId": "TAKEN-1"}})
	path := byClientID(anon.ClientID)

	// An email recognizes the anonymous profile; attributes and agreements
	// change with their events.
	email := newEmail()
	var got profileView
	e.want(200, "PATCH", path, sk, map[string]any{"email": strings.ToUpper(email), "customId": " LOY-7 ",
		"attributes": map[string]any{"firstName": "Ada", "birthDate": "1990-05-01"}, "agreements": map[string]any{"sms": true}}, &got)
	if got.Email != email || got.CustomID != "LOY-7" || got.Anonymous || got.Attributes["firstName"] != "Ada" || !got.Agreements["sms"] {
		t.Errorf("patched %+v", got)
	}
	events := e.timeline(sk, anon.ClientID, "")
	for action, n := range map[string]int{"profile.identifierChanged": 2, "client.identify": 1, "profile.updated": 1, "profile.agreementChanged": 1} {
		if countOf(events, action) != n {
			t.Errorf("%s events: %d, want %d (%v)", action, countOf(events, action), n, actionsOf(events))
		}
	}
	for _, ev := range events {
		switch ev.Action {
		case "profile.identifierChanged":
			if ev.Params["type"] == "email" && (ev.Params["old"] != nil || ev.Params["new"] != email) {
				t.Errorf("email change %v", ev.Params)
			}
		case "profile.agreementChanged":
			if ev.Params["source"] != "api" || ev.Params["channel"] != "sms" || ev.Params["granted"] != true {
				t.Errorf("agreement change %v", ev.Params)
			}
		}
	}
	if e.lookup(sk, byEmail(email)).ClientID != anon.ClientID {
		t.Error("the new email does not find the profile")
	}

	// null removes an identifier; the profile is anonymous again.
	got = profileView{}
	e.want(200, "PATCH", path, sk, map[string]any{"email": nil}, &got)
	if got.Email != "" || !got.Anonymous || got.CustomID != "LOY-7" {
		t.Errorf("after removing the email %+v", got)
	}
	wantProblem(t, e.do("GET", byEmail(email), sk, nil), 404, kith.ECodeNotFound)
	// An empty body changes nothing.
	e.want(200, "PATCH", path, sk, map[string]any{}, &got)

	for _, tc := range []struct {
		status      int
		code, field string
		body        any
	}{
		{409, kith.ECodeConflict, "email", map[string]any{"email": taken.Email}},
		{409, kith.ECodeConflict, "customId", map[string]any{"customId": "TAKEN-1"}},
		{400, kith.ECodeInvalidEmail, "email", map[string]any{"email": "not-an-email"}},
		{400, kith.ECodeBlockedIdentifier, "email", map[string]any{"email": ""}},
		{400, kith.ECodeBlockedIdentifier, "customId", map[string]any{"customId": "undefined"}},
		{400, kith.ECodeInvalid, "customId", map[string]any{"customId": 42}},
		{400, kith.ECodeInvalidBirthDate, "attributes.birthDate", map[string]any{"attributes": map[string]any{"birthDate": "1990-02-30"}}},
		{400, kith.ECodeAttrNull, "attributes.city", map[string]any{"attributes": map[string]any{"city": nil}}},
		{400, kith.ECodeAttrTypeMismatch, "attributes.firstName", map[string]any{"attributes": map[string]any{"firstName": 42}}},
		{400, kith.ECodeInvalidAgreement, "agreements.email", map[string]any{"agreements": map[string]any{"email": nil}}},
		{400, kith.ECodeInvalidAgreement, "agreements.fax", map[string]any{"agreements": map[string]any{"fax": true}}},
		{400, kith.ECodeUnknownField, "tags", map[string]any{"tags": []string{"x"}}},
		// A refusal late in the request undoes the changes before it.
		{400, kith.ECodeInvalidPhone, "attributes.phone", map[string]any{"email": newEmail(), "attributes": map[string]any{"phone": "call me"}}},
	} {
		e.refused(tc.status, tc.code, tc.field, "PATCH", path, sk, tc.body)
	}
	e.refused(404, kith.ECodeNotFound, "", "PATCH", "/api/v1/profiles/987654", sk, map[string]any{"email": newEmail()})
	if p := e.lookup(sk, path); p.Email != "" || p.CustomID != "LOY-7" || p.Attributes["firstName"] != "Ada" {
		t.Errorf("refusals changed the profile: %+v", p)
	}
}

func TestPatchContactEmailInCustomIDMode(t *testing.T) {
	e := startAPI(t, "NORMAL")
	c := e.workspace(kith.ModeCustomID)
	sk := c.SecretKey
	var a, b upsertAnswer
	e.want(200, "POST", "/api/v1/profiles", sk, map[string]any{"client": map[string]any{"customId": "C-1", "email": "shared@example.com"}}, &a)
	e.want(200, "POST", "/api/v1/profiles", sk, map[string]any{"client": map[string]any{"customId": "C-2"}}, &b)
	var got profileView
	e.want(200, "PATCH", byClientID(b.ClientID), sk, map[string]any{"email": "shared@example.com"}, &got)
	if got.Email != "shared@example.com" || got.Anonymous {
		t.Errorf("patched %+v", got)
	}
	e.refused(409, kith.ECodeConflict, "customId", "PATCH", byClientID(b.ClientID), sk, map[string]any{"customId": "C-1"})
}

type mergeDoc struct {
	profileView
	ReleasedIdentifiers []kith.Identifiers `json:"releasedIdentifiers"`
}

func TestMergeAPI(t *testing.T) {
	e := startAPI(t, "NORMAL")
	c := e.workspace(kith.ModeEmail)
	sk := c.SecretKey
	target := e.newProfile(sk, map[string]any{"attributes": map[string]any{"firstName": "Ada"}})
	other := e.newProfile(sk, map[string]any{"tags": []string{"vip"}, "attributes": map[string]any{"lastName": "Lovelace"}})
	anon := e.anonymous(c)

	var m mergeDoc
	e.want(200, "POST", byClientID(target.ClientID)+"/merge", sk,
		map[string]any{"sourceClientIds": []int64{other.ClientID, anon.ClientID}}, &m)
	if m.ClientID != target.ClientID || m.Email != target.Email || m.Attributes["lastName"] != "Lovelace" ||
		len(m.Tags) != 1 || len(m.UUIDs) != 3 || len(m.PreviousClientIDs) != 2 {
		t.Errorf("merged %+v", m.profileView)
	}
	if len(m.ReleasedIdentifiers) != 1 || m.ReleasedIdentifiers[0].Email != other.Email {
		t.Errorf("released %+v", m.ReleasedIdentifiers)
	}
	if e.lookup(sk, byClientID(other.ClientID)).ClientID != target.ClientID {
		t.Error("the merged-away clientId does not answer the survivor")
	}
	if countOf(e.timeline(sk, target.ClientID, ""), "client.merge") != 1 {
		t.Error("no client.merge event")
	}

	fresh := e.newProfile(sk, nil)
	var sources []int64
	for range 21 {
		sources = append(sources, fresh.ClientID)
	}
	path := byClientID(target.ClientID) + "/merge"
	e.refused(400, kith.ECodeTooManyMergeSources, "sourceClientIds", "POST", path, sk, map[string]any{"sourceClientIds": sources})
	e.refused(400, kith.ECodeRequired, "sourceClientIds", "POST", path, sk, map[string]any{"sourceClientIds": []int64{}})
	e.refused(404, kith.ECodeNotFound, "sourceClientIds[0]", "POST", path, sk, map[string]any{"sourceClientIds": []int64{987654}})
	e.refused(409, kith.ECodeConflict, "sourceClientIds[0]", "POST", path, sk, map[string]any{"sourceClientIds": []int64{other.ClientID}})
	e.refused(404, kith.ECodeNotFound, "clientId", "POST", "/api/v1/profiles/987654/merge", sk, map[string]any{"sourceClientIds": []int64{fresh.ClientID}})
	e.refused(400, kith.ECodeInvalid, "sourceClientIds", "POST", path, sk, map[string]any{"sourceClientIds": "all"})
}

type erasureDoc struct {
	ClientID              int64   `json:"clientId"`
	PreviousClientIDs     []int64 `json:"previousClientIds"`
	SuppressedIdentifiers int     `json:"suppressedIdentifiers"`
}

func TestEraseAndExport(t *testing.T) {
	e := startAPI(t, "NORMAL")
	c := e.workspace(kith.ModeEmail)
	sk := c.SecretKey
	email := newEmail()
	id := e.newProfile(sk, map[string]any{"client": map[string]any{"email": email}}).ClientID
	u := newUUID()
	e.events(c.TrackerKey, map[string]any{"action": "page.visit", "client": map[string]any{"uuid": u}, "label": "Home"})
	anon := e.lookup(sk, byUUID(u))
	// R4: the anonymous visitor joins the customer.
	e.events(sk, map[string]any{"action": "form.submit", "client": map[string]any{"uuid": u, "email": email},
		"profile": map[string]any{"attributes": map[string]any{"firstName": "Ada"}, "tags": []string{"vip"}}})
	e.want(201, "POST", byClientID(id)+"/notes", sk, map[string]any{"text": "Likes hats."}, nil)

	// Export: everything stored about the profile.
	var export struct {
		Profile profileView  `json:"profile"`
		Events  []eventView  `json:"events"`
		Notes   []noteDoc    `json:"notes"`
		Merges  []kith.Merge `json:"merges"`
	}
	r := e.want(200, "GET", byClientID(anon.ClientID)+"/export", sk, nil, &export)
	if !strings.Contains(r.Header.Get("Content-Disposition"), fmt.Sprint(id)) {
		t.Errorf("Content-Disposition %q", r.Header.Get("Content-Disposition"))
	}
	if export.Profile.ClientID != id || export.Profile.Email != email || len(export.Notes) != 1 || len(export.Merges) != 1 ||
		export.Merges[0].TargetID != id || len(export.Events) != len(e.timeline(sk, id, "")) || countOf(export.Events, "page.visit") != 1 {
		t.Errorf("export %+v", export)
	}
	e.refused(404, kith.ECodeNotFound, "", "GET", "/api/v1/profiles/987654/export", sk, nil)

	// Erase with suppression, through the merged-away clientId.
	e.refused(400, kith.ECodeInvalid, "suppress", "DELETE", byClientID(id)+"?suppress=please", sk, nil)
	var erased erasureDoc
	e.want(200, "DELETE", byClientID(anon.ClientID)+"?suppress=true", sk, nil, &erased)
	if erased.ClientID != id || len(erased.PreviousClientIDs) != 1 || erased.PreviousClientIDs[0] != anon.ClientID || erased.SuppressedIdentifiers != 3 {
		t.Errorf("erasure %+v", erased)
	}
	for _, path := range []string{byClientID(id), byClientID(anon.ClientID), byEmail(email), byUUID(u),
		byClientID(id) + "/events", byClientID(id) + "/notes", byClientID(id) + "/export"} {
		wantProblem(t, e.do("GET", path, sk, nil), 404, kith.ECodeNotFound)
	}
	e.refused(404, kith.ECodeNotFound, "", "DELETE", byClientID(id), sk, nil)

	// Later data carrying its identifiers is refused.
	e.refused(409, kith.ECodeSuppressed, "client.email", "POST", "/api/v1/profiles", sk, map[string]any{"client": map[string]any{"email": email}})
	before := e.counts()
	rejected := e.events(c.TrackerKey, map[string]any{"action": "page.visit", "client": map[string]any{"uuid": u}})
	if rejected[0].Status != "rejected" || !hasCode(rejected[0].Errors, "client.uuid", kith.ECodeSuppressed) {
		t.Errorf("event with a suppressed uuid: %+v", rejected[0])
	}
	e.wantUnchanged("a suppressed event", before)
	other := e.newProfile(sk, nil)
	e.refused(409, kith.ECodeSuppressed, "email", "PATCH", byClientID(other.ClientID), sk, map[string]any{"email": email})

	// Without suppression, the identifiers are free again.
	again := e.newProfile(sk, nil)
	e.want(200, "DELETE", byClientID(again.ClientID), sk, nil, &erased)
	if erased.SuppressedIdentifiers != 0 {
		t.Errorf("erasure without suppression %+v", erased)
	}
	e.want(200, "POST", "/api/v1/profiles", sk, map[string]any{"client": map[string]any{"email": again.Email}}, nil)
}
