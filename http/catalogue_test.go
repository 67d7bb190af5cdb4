package http_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kithcdp/kith"
)

type attributeDoc struct {
	Name        string  `json:"name"`
	Type        string  `json:"type"`
	Description string  `json:"description"`
	Default     bool    `json:"default"`
	CreatedAt   *string `json:"createdAt"`
}

func TestAttributeCatalogue(t *testing.T) {
	e := startAPI(t, "NORMAL")
	c := e.workspace(kith.ModeEmail)
	sk := c.SecretKey

	var created attributeDoc
	e.want(201, "POST", "/api/v1/attributes", sk, map[string]any{"name": "ClubMember", "type": "boolean", "description": "In the club."}, &created)
	if created.Name != "ClubMember" || created.Type != "boolean" || created.Default || created.CreatedAt == nil {
		t.Errorf("created %+v", created)
	}
	var list struct {
		Attributes []attributeDoc `json:"attributes"`
	}
	e.want(200, "GET", "/api/v1/attributes", sk, nil, &list)
	if len(list.Attributes) != 14 || list.Attributes[0].Name != "firstName" || !list.Attributes[0].Default ||
		list.Attributes[0].CreatedAt != nil || list.Attributes[13].Name != "ClubMember" {
		t.Errorf("catalogue %+v", list.Attributes)
	}
	var one attributeDoc
	e.want(200, "GET", "/api/v1/attributes/ClubMember", sk, nil, &one)
	if one.Name != created.Name || one.Description != created.Description || one.CreatedAt == nil || *one.CreatedAt != *created.CreatedAt {
		t.Errorf("GET %+v, POST %+v", one, created)
	}
	e.want(200, "GET", "/api/v1/attributes/birthDate", sk, nil, &one)
	if one.Type != "date" || !one.Default {
		t.Errorf("default attribute %+v", one)
	}
	e.want(200, "PATCH", "/api/v1/attributes/ClubMember", sk,
		map[string]any{"name": "ClubMember", "type": "boolean", "description": "Loyalty club."}, &one)
	if one.Description != "Loyalty club." || one.Type != "boolean" {
		t.Errorf("patched %+v", one)
	}

	for _, tc := range []struct {
		status            int
		code, field, meth string
		path              string
		body              any
		mention           string
	}{
		{400, kith.ECodeAttributeNameTaken, "name", "POST", "/api/v1/attributes", map[string]any{"name": "club_member", "type": "boolean"}, "ClubMember"},
		{400, kith.ECodeAttributeNameTaken, "name", "POST", "/api/v1/attributes", map[string]any{"name": "ClubMember", "type": "boolean"}, "ClubMember"},
		{400, kith.ECodeAttributeNameTaken, "name", "POST", "/api/v1/attributes", map[string]any{"name": "firstName", "type": "string"}, "firstName"},
		{400, kith.ECodeReservedAttribute, "name", "POST", "/api/v1/attributes", map[string]any{"name": "customId", "type": "string"}, "reserved"},
		{400, kith.ECodeInvalidAttrName, "name", "POST", "/api/v1/attributes", map[string]any{"name": "9lives", "type": "string"}, ""},
		{400, kith.ECodeInvalidAttrType, "type", "POST", "/api/v1/attributes", map[string]any{"name": "Money", "type": "money"}, ""},
		{400, kith.ECodeInvalid, "description", "POST", "/api/v1/attributes", map[string]any{"name": "Long", "type": "string", "description": strings.Repeat("x", 1001)}, ""},
		{400, kith.ECodeUnknownField, "colour", "POST", "/api/v1/attributes", map[string]any{"name": "X", "type": "string", "colour": "red"}, ""},
		{400, kith.ECodeImmutable, "name", "PATCH", "/api/v1/attributes/ClubMember", map[string]any{"name": "Club"}, ""},
		{400, kith.ECodeImmutable, "type", "PATCH", "/api/v1/attributes/ClubMember", map[string]any{"type": "string"}, "boolean"},
		{400, kith.ECodeImmutable, "description", "PATCH", "/api/v1/attributes/firstName", map[string]any{"description": "x"}, "default"},
		{404, kith.ECodeNotFound, "", "PATCH", "/api/v1/attributes/Nope", map[string]any{"description": "x"}, ""},
		{404, kith.ECodeNotFound, "", "GET", "/api/v1/attributes/Nope", nil, ""},
		{404, kith.ECodeNotFound, "", "DELETE", "/api/v1/attributes/Nope", nil, ""},
		{409, kith.ECodeAttrNotDeletable, "", "DELETE", "/api/v1/attributes/firstName", nil, "default"},
	} {
		p := e.refused(tc.status, tc.code, tc.field, tc.meth, tc.path, sk, tc.body)
		if tc.mention != "" && !strings.Contains(p.Detail, tc.mention) {
			t.Errorf("%s %s: detail %q does not mention %q", tc.meth, tc.path, p.Detail, tc.mention)
		}
	}

	// Deletable only while no profile holds a value.
	e.newProfile(sk, map[string]any{"attributes": map[string]any{"ClubMember": true}})
	e.refused(409, kith.ECodeAttrNotDeletable, "", "DELETE", "/api/v1/attributes/ClubMember", sk, nil)
	e.want(201, "POST", "/api/v1/attributes", sk, map[string]any{"name": "Spare", "type": "number"}, nil)
	e.want(204, "DELETE", "/api/v1/attributes/Spare", sk, nil, nil)
	e.refused(404, kith.ECodeNotFound, "", "GET", "/api/v1/attributes/Spare", sk, nil)

	// Secret keys only.
	e.refused(403, kith.ECodeForbidden, "", "GET", "/api/v1/attributes", c.TrackerKey, nil)
	e.refused(401, kith.ECodeUnauthorized, "", "POST", "/api/v1/attributes", "", map[string]any{"name": "X", "type": "string"})
}

type tagDoc struct {
	Name        string `json:"name"`
	Color       string `json:"color"`
	Description string `json:"description"`
	CreatedAt   string `json:"createdAt"`
}

func TestTagCatalogue(t *testing.T) {
	e := startAPI(t, "NORMAL")
	c := e.workspace(kith.ModeEmail)
	sk := c.SecretKey

	var vip tagDoc
	e.want(201, "POST", "/api/v1/tags", sk, map[string]any{"name": "vip", "color": "#FFAA00", "description": "Best"}, &vip)
	if vip.Name != "vip" || vip.Color != "#ffaa00" || vip.Description != "Best" || vip.CreatedAt == "" {
		t.Errorf("created %+v", vip)
	}
	e.want(201, "POST", "/api/v1/tags", sk, map[string]any{"name": "a/b c"}, nil)
	var patched tagDoc
	e.want(200, "PATCH", "/api/v1/tags/vip", sk, map[string]any{"color": "#00aa00"}, &patched)
	if patched.Color != "#00aa00" || patched.Description != "Best" {
		t.Errorf("patched %+v", patched)
	}
	e.want(200, "PATCH", "/api/v1/tags/"+url.PathEscape("a/b c"), sk, map[string]any{"description": "Slash"}, &patched)
	if patched.Name != "a/b c" || patched.Description != "Slash" {
		t.Errorf("patched %+v", patched)
	}
	var list struct {
		Tags []tagDoc `json:"tags"`
	}
	e.want(200, "GET", "/api/v1/tags", sk, nil, &list)
	if len(list.Tags) != 2 || list.Tags[0].Name != "a/b c" || list.Tags[1].Color != "#00aa00" {
		t.Errorf("catalogue %+v", list.Tags)
	}

	p := e.newProfile(sk, map[string]any{"tags": []string{"vip", "newsletter"}})
	for _, tc := range []struct {
		status            int
		code, field, meth string
		path              string
		body              any
	}{
		{409, kith.ECodeConflict, "name", "POST", "/api/v1/tags", map[string]any{"name": "vip"}},
		{400, kith.ECodeInvalidColor, "color", "POST", "/api/v1/tags", map[string]any{"name": "red", "color": "red"}},
		{400, kith.ECodeInvalidTag, "name", "POST", "/api/v1/tags", map[string]any{"name": ""}},
		{400, kith.ECodeInvalidColor, "color", "PATCH", "/api/v1/tags/vip", map[string]any{"color": "#12345"}},
		{400, kith.ECodeImmutable, "name", "PATCH", "/api/v1/tags/vip", map[string]any{"name": "VIP"}},
		{404, kith.ECodeNotFound, "", "PATCH", "/api/v1/tags/nope", map[string]any{"color": "#123456"}},
		{409, kith.ECodeConflict, "", "DELETE", "/api/v1/tags/vip", nil},
		{400, kith.ECodeInvalid, "force", "DELETE", "/api/v1/tags/vip?force=yes", nil},
		{404, kith.ECodeNotFound, "", "DELETE", "/api/v1/tags/nope?force=true", nil},
	} {
		e.refused(tc.status, tc.code, tc.field, tc.meth, tc.path, sk, tc.body)
	}

	// force removes it from profiles, with events.
	e.want(204, "DELETE", "/api/v1/tags/vip?force=true", sk, nil, nil)
	got := e.lookup(sk, byClientID(p.ClientID))
	if len(got.Tags) != 1 || got.Tags[0] != "newsletter" {
		t.Errorf("tags after force delete %v", got.Tags)
	}
	events := e.timeline(sk, p.ClientID, "&action=profile.tagRemoved")
	if len(events) != 1 || events[0].Params["tag"] != "vip" || events[0].Source != "system" {
		t.Errorf("tagRemoved events %+v", events)
	}
	e.want(204, "DELETE", "/api/v1/tags/"+url.PathEscape("a/b c"), sk, nil, nil)
	e.want(200, "GET", "/api/v1/tags", sk, nil, &list)
	if len(list.Tags) != 1 || list.Tags[0].Name != "newsletter" {
		t.Errorf("catalogue %+v", list.Tags)
	}
}

func TestProfileTags(t *testing.T) {
	e := startAPI(t, "NORMAL")
	c := e.workspace(kith.ModeEmail)
	sk := c.SecretKey
	p := e.newProfile(sk, nil)
	path := byClientID(p.ClientID) + "/tags"

	var got profileView
	e.want(200, "POST", path, sk, map[string]any{"tags": []string{" summer ", "vip", "vip"}}, &got)
	if got.ClientID != p.ClientID || len(got.Tags) != 2 || got.Tags[0] != "summer" || got.Tags[1] != "vip" {
		t.Errorf("after adding %+v", got)
	}
	var list struct {
		Tags []tagDoc `json:"tags"`
	}
	e.want(200, "GET", "/api/v1/tags", sk, nil, &list)
	if len(list.Tags) != 2 {
		t.Errorf("tags are created in the catalogue on first use: %+v", list.Tags)
	}
	e.want(200, "DELETE", path+"/vip", sk, nil, &got)
	if len(got.Tags) != 1 || got.Tags[0] != "summer" {
		t.Errorf("after removing %+v", got.Tags)
	}
	events := e.timeline(sk, p.ClientID, "")
	if countOf(events, "profile.tagAdded") != 2 || countOf(events, "profile.tagRemoved") != 1 {
		t.Errorf("timeline %v", actionsOf(events))
	}

	e.refused(404, kith.ECodeNotFound, "tag", "DELETE", path+"/vip", sk, nil)
	e.refused(400, kith.ECodeRequired, "tags", "POST", path, sk, map[string]any{"tags": []string{}})
	e.refused(400, kith.ECodeInvalidTag, "tags[0]", "POST", path, sk, map[string]any{"tags": []string{strings.Repeat("t", 65)}})
	e.refused(404, kith.ECodeNotFound, "", "POST", "/api/v1/profiles/987654/tags", sk, map[string]any{"tags": []string{"x"}})
	e.refused(400, kith.ECodeInvalidClientID, "clientId", "POST", "/api/v1/profiles/abc/tags", sk, map[string]any{"tags": []string{"x"}})
	e.refused(404, kith.ECodeNotFound, "", "DELETE", "/api/v1/profiles/987654/tags/summer", sk, nil)
	_ = http.StatusOK
}
