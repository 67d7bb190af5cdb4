package http_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/kithcdp/kith"
)

// workspaceDoc is WORKSPACE as answered, decoded strictly.
type workspaceDoc struct {
	ID                 int64    `json:"id"`
	Name               string   `json:"name"`
	IdentityMode       string   `json:"identityMode"`
	UUIDPolicy         string   `json:"uuidPolicy"`
	UUIDSalt           string   `json:"uuidSalt"`
	BlockedIdentifiers []string `json:"blockedIdentifiers"`
	AllowedOrigins     []string `json:"allowedOrigins"`
	SegmentUserIDAs    string   `json:"segmentUserIdAs"`
	CreatedAt          string   `json:"createdAt"`
}

// getWorkspace GETs the workspace of key.
func (e *apiEnv) getWorkspace(key string) workspaceDoc {
	e.t.Helper()
	r := e.do("GET", "/api/v1/workspace", key, nil)
	if r.Status != http.StatusOK {
		e.t.Fatalf("GET /api/v1/workspace: %d %s", r.Status, r.Body)
	}
	var w workspaceDoc
	strictDecode(e.t, r.Body, &w)
	return w
}

func strictDecode(t testing.TB, data []byte, v any) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("decode %s: %v", data, err)
	}
}

func TestWorkspaceGet(t *testing.T) {
	e := startAPI(t, "NORMAL")
	c := e.workspace(kith.ModeEmail)
	w := e.getWorkspace(c.SecretKey)
	if w.ID != c.Workspace.ID || w.Name != c.Workspace.Name || w.IdentityMode != kith.ModeEmail ||
		w.UUIDPolicy != kith.UUIDRandom || w.UUIDSalt == "" || w.SegmentUserIDAs != "customId" || w.CreatedAt == "" {
		t.Errorf("workspace %+v", w)
	}
	if !reflect.DeepEqual(w.BlockedIdentifiers, kith.DefaultBlockedIdentifiers) || w.AllowedOrigins == nil || len(w.AllowedOrigins) != 0 {
		t.Errorf("lists %q %q, want the default blocklist and []", w.BlockedIdentifiers, w.AllowedOrigins)
	}
	wantProblem(t, e.do("GET", "/api/v1/workspace", c.TrackerKey, nil), http.StatusForbidden, kith.ECodeForbidden)
	wantProblem(t, e.do("GET", "/api/v1/workspace", "", nil), http.StatusUnauthorized, kith.ECodeUnauthorized)
}

func TestWorkspacePatch(t *testing.T) {
	e := startAPI(t, "NORMAL")
	c := e.workspace(kith.ModeEmail)
	r := e.do("PATCH", "/api/v1/workspace", c.SecretKey, map[string]any{
		"name": "Shop", "uuidPolicy": "derived", "uuidSalt": "pepper",
		"blockedIdentifiers": []string{"n/a", " N/A ", "nobody"},
		"allowedOrigins":     []string{"HTTPS://Shop.Example:443/", "http://localhost:8080"},
		"segmentUserIdAs":    "email",
	})
	if r.Status != http.StatusOK {
		t.Fatalf("PATCH: %d %s", r.Status, r.Body)
	}
	var got workspaceDoc
	strictDecode(t, r.Body, &got)
	want := e.getWorkspace(c.SecretKey)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("PATCH answered %+v, GET %+v", got, want)
	}
	if want.Name != "Shop" || want.UUIDPolicy != "derived" || want.UUIDSalt != "pepper" || want.SegmentUserIDAs != "email" ||
		!reflect.DeepEqual(want.BlockedIdentifiers, []string{"n/a", "nobody"}) ||
		!reflect.DeepEqual(want.AllowedOrigins, []string{"https://shop.example", "http://localhost:8080"}) {
		t.Errorf("after PATCH: %+v", want)
	}
	// The GET document sent back whole changes nothing.
	if r := e.do("PATCH", "/api/v1/workspace", c.SecretKey, want); r.Status != http.StatusOK {
		t.Errorf("PATCH of the GET document: %d %s", r.Status, r.Body)
	}
	// null restores the default blocklist; null origins allow all.
	r = e.do("PATCH", "/api/v1/workspace", c.SecretKey, `{"blockedIdentifiers":null,"allowedOrigins":null}`)
	if r.Status != http.StatusOK {
		t.Fatalf("PATCH nulls: %d %s", r.Status, r.Body)
	}
	if w := e.getWorkspace(c.SecretKey); !reflect.DeepEqual(w.BlockedIdentifiers, kith.DefaultBlockedIdentifiers) || len(w.AllowedOrigins) != 0 {
		t.Errorf("after nulls: %+v", w)
	}
	// The new blocklist applies at once: a junk value of the new list is
	// refused, the old defaults are not... until restored.
	e.do("PATCH", "/api/v1/workspace", c.SecretKey, map[string]any{"blockedIdentifiers": []string{"nobody"}})
	res := e.events(c.SecretKey,
		map[string]any{"action": "x.y", "client": map[string]any{"customId": "nobody"}},
		map[string]any{"action": "x.y", "client": map[string]any{"customId": "guest"}})
	if res[0].Status != "rejected" || !hasCode(res[0].Errors, "client.customId", kith.ECodeBlockedIdentifier) || res[1].Status != "accepted" {
		t.Errorf("events with the new blocklist: %+v", res)
	}
}

func TestWorkspacePatchRefusals(t *testing.T) {
	e := startAPI(t, "NORMAL")
	c := e.workspace(kith.ModeEmail)
	other := e.workspace(kith.ModeEmail)
	before := e.getWorkspace(c.SecretKey)
	for _, tc := range []struct {
		name   string
		body   any
		status int
		code   string
		field  string
	}{
		{"malformed", `{"name":`, 400, kith.ECodeInvalidJSON, ""},
		{"not an object", `[]`, 400, kith.ECodeInvalid, ""},
		{"unknown field", map[string]any{"nmae": "x"}, 400, kith.ECodeUnknownField, "nmae"},
		{"origin with a path", map[string]any{"allowedOrigins": []string{"https://ok.example", "https://shop.example/checkout"}}, 400, kith.ECodeInvalidSetting, "allowedOrigins[1]"},
		{"origin without scheme", map[string]any{"allowedOrigins": []string{"shop.example"}}, 400, kith.ECodeInvalidSetting, "allowedOrigins[0]"},
		{"empty blocked identifier", map[string]any{"blockedIdentifiers": []string{"x", ""}}, 400, kith.ECodeInvalidSetting, "blockedIdentifiers[1]"},
		{"blocked identifiers not strings", map[string]any{"blockedIdentifiers": []any{1}}, 400, kith.ECodeInvalidSetting, "blockedIdentifiers"},
		{"bad identity mode", map[string]any{"identityMode": "phone"}, 400, kith.ECodeInvalidSetting, "identityMode"},
		{"bad uuid policy", map[string]any{"uuidPolicy": "v1"}, 400, kith.ECodeInvalidSetting, "uuidPolicy"},
		{"null name", map[string]any{"name": nil}, 400, kith.ECodeInvalidSetting, "name"},
		{"empty name", map[string]any{"name": " "}, 400, kith.ECodeInvalidSetting, "name"},
		{"derived without salt", map[string]any{"uuidPolicy": "derived", "uuidSalt": ""}, 400, kith.ECodeInvalidSetting, "uuidSalt"},
		{"bad segmentUserIdAs", map[string]any{"segmentUserIdAs": "uuid"}, 400, kith.ECodeInvalidSetting, "segmentUserIdAs"},
		{"other id", map[string]any{"id": before.ID + 1}, 400, kith.ECodeInvalidSetting, "id"},
		{"other createdAt", map[string]any{"createdAt": "2001-01-01T00:00:00Z"}, 400, kith.ECodeInvalidSetting, "createdAt"},
		{"taken name", map[string]any{"name": other.Workspace.Name, "uuidSalt": "x"}, 409, kith.ECodeConflict, "name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := wantProblem(t, e.with(t).do("PATCH", "/api/v1/workspace", c.SecretKey, tc.body), tc.status, tc.code)
			if tc.field != "" && !p.hasError(tc.field, tc.code) {
				t.Errorf("errors %+v lack %s %s", p.Errors, tc.field, tc.code)
			}
		})
	}
	r := e.doWith("PATCH", "/api/v1/workspace", `name=x`, func(r *http.Request) {
		r.Header.Set("Authorization", "Bearer "+c.SecretKey)
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	})
	wantProblem(t, r, http.StatusUnsupportedMediaType, kith.ECodeUnsupportedMedia)
	big := `{"blockedIdentifiers":["` + strings.Repeat("x", kith.MaxEventBodyBytes) + `"]}`
	wantProblem(t, e.do("PATCH", "/api/v1/workspace", c.SecretKey, big), http.StatusRequestEntityTooLarge, kith.ECodePayloadTooLarge)
	wantProblem(t, e.do("PATCH", "/api/v1/workspace", c.TrackerKey, map[string]any{"name": "x"}), http.StatusForbidden, kith.ECodeForbidden)
	if after := e.getWorkspace(c.SecretKey); !reflect.DeepEqual(after, before) {
		t.Errorf("refused PATCHes changed the workspace: %+v, was %+v", after, before)
	}
}

func TestWorkspaceAllowedOriginsApplyAtOnce(t *testing.T) {
	e := startAPI(t, "NORMAL")
	c := e.workspace(kith.ModeEmail)
	body := map[string]any{"events": []any{pageVisit()}}
	from := func(origin string) *apiResp {
		return e.doWith("POST", "/api/v1/events", body, func(r *http.Request) {
			r.Header.Set("Origin", origin)
			r.Header.Set("Authorization", "Bearer "+c.TrackerKey)
		})
	}
	// Cache the tracker key's workspace (no origins: any allowed).
	if r := from("https://evil.example"); r.Status != http.StatusOK {
		t.Fatalf("before any origins: %d %s", r.Status, r.Body)
	}
	if r := e.do("PATCH", "/api/v1/workspace", c.SecretKey, map[string]any{"allowedOrigins": []string{"https://Shop.example:443"}}); r.Status != http.StatusOK {
		t.Fatalf("PATCH: %d %s", r.Status, r.Body)
	}
	wantProblem(t, from("https://evil.example"), http.StatusForbidden, kith.ECodeOriginNotAllowed)
	if r := from("https://shop.example"); r.Status != http.StatusOK {
		t.Errorf("allowed origin: %d %s", r.Status, r.Body)
	}
	// Segment's endpoints honour them too.
	r := e.doWith("POST", "/v1/track", map[string]any{"anonymousId": newUUID(), "event": "Viewed"}, func(r *http.Request) {
		r.Header.Set("Origin", "https://evil.example")
		r.SetBasicAuth(c.TrackerKey, "")
	})
	if r.Status != http.StatusForbidden || !strings.Contains(string(r.Body), kith.ECodeOriginNotAllowed) {
		t.Errorf("Segment call from a foreign origin: %d %s", r.Status, r.Body)
	}
}

func TestWorkspaceSwitchToCustomIDMode(t *testing.T) {
	e := startAPI(t, "NORMAL")
	c := e.workspace(kith.ModeEmail)
	shared := newEmail()
	res := e.events(c.SecretKey,
		map[string]any{"action": "form.submit", "client": map[string]any{"email": shared}},
		map[string]any{"action": "form.submit", "client": map[string]any{"email": newEmail(), "customId": "LOY-1"}},
		map[string]any{"action": "form.submit", "client": map[string]any{"customId": "LOY-2"}})
	a := e.lookup(c.SecretKey, byEmail(shared)) // caches the email-mode workspace
	if a.Anonymous || !e.lookup(c.SecretKey, byClientID(res[2].ClientID)).Anonymous {
		t.Fatalf("before the switch: %+v", a)
	}
	r := e.do("PATCH", "/api/v1/workspace", c.SecretKey, map[string]any{"identityMode": "customId"})
	if r.Status != http.StatusOK {
		t.Fatalf("switch: %d %s", r.Status, r.Body)
	}
	if w := e.getWorkspace(c.SecretKey); w.IdentityMode != kith.ModeCustomID {
		t.Fatalf("identity mode %q after the switch", w.IdentityMode)
	}
	// Recognition follows customIds now, at once.
	for id, anonymous := range map[int64]bool{a.ClientID: true, res[1].ClientID: false, res[2].ClientID: false} {
		if p := e.lookup(c.SecretKey, byClientID(id)); p.Anonymous != anonymous {
			t.Errorf("profile %d anonymous = %v after the switch, want %v", id, p.Anonymous, anonymous)
		}
	}
	// Emails are contact fields: a second profile may hold one, and then a
	// lookup by email is ambiguous.
	res = e.events(c.SecretKey, map[string]any{"action": "form.submit", "client": map[string]any{"email": shared, "customId": "LOY-3"}})
	if res[0].Status != "accepted" || res[0].ClientID == a.ClientID {
		t.Fatalf("customId write with a taken email: %+v", res[0])
	}
	wantProblem(t, e.do("GET", byEmail(shared), c.SecretKey, nil), http.StatusConflict, kith.ECodeAmbiguous)
	// Never back.
	p := wantProblem(t, e.do("PATCH", "/api/v1/workspace", c.SecretKey, map[string]any{"identityMode": "email"}),
		http.StatusConflict, kith.ECodeIdentityModeLocked)
	if !p.hasError("identityMode", kith.ECodeIdentityModeLocked) {
		t.Errorf("errors %+v", p.Errors)
	}
	if w := e.getWorkspace(c.SecretKey); w.IdentityMode != kith.ModeCustomID {
		t.Errorf("identity mode %q after the refused switch back", w.IdentityMode)
	}
}
