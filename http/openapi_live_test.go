package http_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kithcdp/kith"
)

// TestOpenAPILive runs real requests against a real server (embedded
// store) for every documented operation, with answers both good and bad,
// and validates every request and answer against http/openapi.json.
// Operations whose route does not exist yet are skipped with a log line;
// every other documented operation must be exercised here.
func TestOpenAPILive(t *testing.T) {
	e := startAPI(t, "NORMAL")
	c := e.workspace(kith.ModeEmail)
	other := e.workspace(kith.ModeEmail)
	l := newLiveAPI(t, e)
	sk, pk := c.SecretKey, c.TrackerKey

	liveOperations(l)
	ids := liveIngestion(l, sk, pk)
	liveProfiles(l, sk, ids)
	liveCatalogue(l, sk)
	liveWorkspace(l, sk, pk, other.SecretKey)
	liveImports(l, sk)
	liveSegment(l, sk)
	// Errors every secret endpoint shares.
	l.do(call{method: "GET", path: "/api/v1/workspace", invalid: true, status: 401})
	l.do(call{method: "GET", path: "/api/v1/workspace", key: "sk_wrong", status: 401})
	l.do(call{method: "GET", path: "/api/v1/profiles/stats", key: pk, status: 403})
	l.finish()
}

func liveOperations(l *liveAPI) {
	l.do(call{method: "GET", path: "/healthz"})
	l.do(call{method: "GET", path: "/readyz"})
	l.do(call{method: "GET", path: "/metrics"})
	l.do(call{method: "GET", path: "/sdk/kith.js"})
	l.do(call{method: "GET", path: "/api/openapi.json"})
}

// liveIds are what the ingestion calls created.
type liveIDs struct {
	ada, bob, anon int64
	adaEmail       string
	uuid           string
}

func liveIngestion(l *liveAPI, sk, pk string) liveIDs {
	var ids liveIDs
	ids.adaEmail, ids.uuid = newEmail(), newUUID()
	l.do(call{method: "OPTIONS", path: "/api/v1/events", status: 204,
		header: map[string]string{"Origin": "https://shop.example", "Access-Control-Request-Method": "POST"}})
	var events struct {
		Results []eventResult `json:"results"`
	}
	l.do(call{method: "POST", path: "/api/v1/events", key: sk, body: map[string]any{"events": []any{
		map[string]any{"action": "form.submit", "label": "Newsletter", "time": "2026-11-28T10:00:00Z",
			"client":  map[string]any{"uuid": ids.uuid, "email": ids.adaEmail},
			"params":  map[string]any{"formType": "newsletter"},
			"profile": map[string]any{"attributes": map[string]any{"firstName": "Ada", "ClubMember": true}, "tags": []string{"newsletter"}, "agreements": map[string]any{"email": true}},
			"context": map[string]any{"userAgent": "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "url": "https://shop.example/"}},
		map[string]any{"action": "page.visit", "client": map[string]any{"uuid": newUUID()}},
		map[string]any{"action": "page.visit", "client": map[string]any{"email": "null"}},
		map[string]any{"action": "x.y", "client": map[string]any{"uuid": newUUID()}, "profile": map[string]any{"attributes": map[string]any{"birthDate": "tomorrow"}}},
	}}}).into(l.t, &events)
	if len(events.Results) == 4 {
		ids.ada, ids.anon = events.Results[0].ClientID, events.Results[1].ClientID
	}
	l.do(call{method: "POST", path: "/api/v1/events?key=" + pk, body: map[string]any{"events": []any{pageVisit()}}})
	l.do(call{method: "POST", path: "/api/v1/events", key: pk, contentType: "text/plain", body: map[string]any{"events": []any{pageVisit()}}})
	l.do(call{method: "POST", path: "/api/v1/events", key: sk, body: `{"events":[`, invalid: true, status: 400})
	l.do(call{method: "POST", path: "/api/v1/events", key: sk, body: map[string]any{"events": []any{}}, invalid: true, status: 400})
	l.do(call{method: "POST", path: "/api/v1/events", key: sk, body: "<xml/>", contentType: "application/xml", invalid: true, status: 415})
	l.do(call{method: "POST", path: "/api/v1/events", invalid: true, body: map[string]any{"events": []any{pageVisit()}}, status: 401})
	big := `{"events":[{"action":"x.y","client":{"uuid":"` + newUUID() + `"},"label":"` + strings.Repeat("x", kith.MaxEventBodyBytes) + `"}]}`
	l.do(call{method: "POST", path: "/api/v1/events", key: sk, body: big, invalid: true, status: 413})

	var up struct {
		ClientID int64 `json:"clientId"`
	}
	l.do(call{method: "POST", path: "/api/v1/profiles", key: sk, body: map[string]any{
		"client": map[string]any{"email": newEmail(), "customId": "BOB-1"}, "attributes": map[string]any{"firstName": "Bob"},
		"tags": []string{"vip"}, "agreements": map[string]any{"sms": true}}}).into(l.t, &up)
	ids.bob = up.ClientID
	l.do(call{method: "POST", path: "/api/v1/profiles", key: sk, status: 409,
		body: map[string]any{"client": map[string]any{"email": ids.adaEmail, "customId": "BOB-1"}}})
	l.do(call{method: "POST", path: "/api/v1/profiles", key: sk, status: 404,
		body: map[string]any{"client": map[string]any{"clientId": 999999}}})
	l.do(call{method: "POST", path: "/api/v1/profiles", key: sk, status: 400,
		body: map[string]any{"client": map[string]any{"email": "not-an-email"}}})
	l.do(call{method: "POST", path: "/api/v1/profiles/batch", key: sk, body: map[string]any{"profiles": []any{
		map[string]any{"client": map[string]any{"customId": "BATCH-1"}},
		map[string]any{"client": map[string]any{"email": "bad"}},
	}}})
	l.do(call{method: "POST", path: "/api/v1/profiles/batch", key: sk, body: map[string]any{"profiles": []any{}}, invalid: true, status: 400})
	return ids
}

func liveProfiles(l *liveAPI, sk string, ids liveIDs) {
	id := func(n int64) string { return fmt.Sprint(n) }
	p := "/api/v1/profiles/"
	l.do(call{method: "GET", path: p + id(ids.ada), key: sk})
	l.do(call{method: "GET", path: p + "999999", key: sk, status: 404})
	l.do(call{method: "GET", path: p + "abc", key: sk, invalid: true, status: 400})
	l.do(call{method: "GET", path: p + "by-email/" + url.PathEscape(ids.adaEmail), key: sk})
	l.do(call{method: "GET", path: p + "by-email/nobody%40example.com", key: sk, status: 404})
	l.do(call{method: "GET", path: p + "by-custom-id/BOB-1", key: sk})
	l.do(call{method: "GET", path: p + "by-uuid/" + ids.uuid, key: sk})
	l.do(call{method: "GET", path: p + "by-uuid/not-a-uuid", key: sk, status: 400})

	var page struct {
		NextCursor string `json:"nextCursor"`
	}
	l.do(call{method: "GET", path: "/api/v1/profiles?limit=1", key: sk}).into(l.t, &page)
	if page.NextCursor != "" {
		l.do(call{method: "GET", path: "/api/v1/profiles?limit=1&cursor=" + url.QueryEscape(page.NextCursor), key: sk})
	}
	l.do(call{method: "GET", path: "/api/v1/profiles?anonymous=false&q=ada&tag=newsletter", key: sk})
	l.do(call{method: "GET", path: "/api/v1/profiles?limit=0", key: sk, invalid: true, status: 400})
	l.do(call{method: "GET", path: "/api/v1/profiles/stats", key: sk})
	l.do(call{method: "GET", path: "/api/v1/checklist", key: sk})

	l.do(call{method: "PATCH", path: p + id(ids.ada), key: sk, body: map[string]any{
		"customId": "ADA-1", "attributes": map[string]any{"city": "London"}, "agreements": map[string]any{"sms": true}}})
	l.do(call{method: "PATCH", path: p + id(ids.ada), key: sk, status: 409, body: map[string]any{"customId": "BOB-1"}})
	l.do(call{method: "PATCH", path: p + id(ids.ada), key: sk, status: 400, body: map[string]any{"attributes": map[string]any{"birthDate": "1990-02-31"}}})
	l.do(call{method: "POST", path: p + id(ids.ada) + "/tags", key: sk, body: map[string]any{"tags": []string{"summer", "vip"}}})
	l.do(call{method: "DELETE", path: p + id(ids.ada) + "/tags/summer", key: sk})
	l.do(call{method: "DELETE", path: p + "999999/tags/summer", key: sk, status: 404})

	var ev struct {
		EventID string `json:"eventId"`
	}
	l.do(call{method: "POST", path: p + id(ids.ada) + "/events", key: sk, status: 201,
		body: map[string]any{"action": "call.logged", "label": "Support call", "params": map[string]any{"minutes": 12}}}).into(l.t, &ev)
	if ev.EventID != "" {
		l.do(call{method: "POST", path: p + id(ids.ada) + "/events", key: sk, status: 200, body: map[string]any{"eventId": ev.EventID, "action": "call.logged"}})
	}
	l.do(call{method: "POST", path: p + id(ids.ada) + "/events", key: sk, status: 400, body: map[string]any{"action": "client.merge"}})
	var tl struct {
		NextCursor string `json:"nextCursor"`
	}
	l.do(call{method: "GET", path: p + id(ids.ada) + "/events?limit=2", key: sk}).into(l.t, &tl)
	if tl.NextCursor != "" {
		l.do(call{method: "GET", path: p + id(ids.ada) + "/events?limit=2&cursor=" + url.QueryEscape(tl.NextCursor), key: sk})
	}
	l.do(call{method: "GET", path: p + id(ids.ada) + "/events?action=form.submit", key: sk})
	l.do(call{method: "GET", path: p + id(ids.ada) + "/events?cursor=bogus", key: sk, status: 400})

	var note struct {
		NoteID int64 `json:"noteId"`
	}
	l.do(call{method: "POST", path: p + id(ids.ada) + "/notes", key: sk, status: 201, body: map[string]any{"text": "Prefers phone calls."}}).into(l.t, &note)
	l.do(call{method: "POST", path: p + id(ids.ada) + "/notes", key: sk, status: 400, body: map[string]any{"text": ""}, invalid: true})
	l.do(call{method: "GET", path: p + id(ids.ada) + "/notes", key: sk})
	n := p + id(ids.ada) + "/notes/" + id(note.NoteID)
	l.do(call{method: "PATCH", path: n, key: sk, body: map[string]any{"text": "Prefers email."}})
	l.do(call{method: "PATCH", path: p + id(ids.ada) + "/notes/999999", key: sk, status: 404, body: map[string]any{"text": "x"}})
	l.do(call{method: "DELETE", path: n, key: sk, status: 204})
	l.do(call{method: "DELETE", path: n, key: sk, status: 404})

	l.do(call{method: "POST", path: p + id(ids.ada) + "/merge", key: sk, body: map[string]any{"sourceClientIds": []int64{ids.anon}}})
	l.do(call{method: "POST", path: p + id(ids.ada) + "/merge", key: sk, status: 404, body: map[string]any{"sourceClientIds": []int64{999999}}})
	l.do(call{method: "GET", path: p + id(ids.ada) + "/export", key: sk})
	l.do(call{method: "GET", path: p + "999999/export", key: sk, status: 404})
	l.do(call{method: "DELETE", path: p + id(ids.bob) + "?suppress=true", key: sk})
	l.do(call{method: "DELETE", path: p + id(ids.bob), key: sk, status: 404})
	l.do(call{method: "POST", path: "/api/v1/profiles", key: sk, status: 409,
		body: map[string]any{"client": map[string]any{"customId": "BOB-1"}}})
}

func liveCatalogue(l *liveAPI, sk string) {
	l.do(call{method: "GET", path: "/api/v1/attributes", key: sk})
	l.do(call{method: "POST", path: "/api/v1/attributes", key: sk, status: 201,
		body: map[string]any{"name": "LoyaltyTier", "type": "string", "description": "Tier of the loyalty club"}})
	l.do(call{method: "POST", path: "/api/v1/attributes", key: sk, status: 400, body: map[string]any{"name": "loyalty_tier", "type": "string"}})
	l.do(call{method: "POST", path: "/api/v1/attributes", key: sk, status: 400, body: map[string]any{"name": "email", "type": "string"}})
	l.do(call{method: "GET", path: "/api/v1/attributes/LoyaltyTier", key: sk})
	l.do(call{method: "GET", path: "/api/v1/attributes/firstName", key: sk})
	l.do(call{method: "GET", path: "/api/v1/attributes/Nope", key: sk, status: 404})
	l.do(call{method: "PATCH", path: "/api/v1/attributes/LoyaltyTier", key: sk, body: map[string]any{"description": "Gold, silver or bronze"}})
	l.do(call{method: "PATCH", path: "/api/v1/attributes/LoyaltyTier", key: sk, status: 400, body: map[string]any{"type": "number"}})
	l.do(call{method: "DELETE", path: "/api/v1/attributes/ClubMember", key: sk, status: 409})
	l.do(call{method: "DELETE", path: "/api/v1/attributes/LoyaltyTier", key: sk, status: 204})

	l.do(call{method: "GET", path: "/api/v1/tags", key: sk})
	l.do(call{method: "POST", path: "/api/v1/tags", key: sk, status: 201, body: map[string]any{"name": "gold", "color": "#d4af37", "description": "Top customers"}})
	l.do(call{method: "POST", path: "/api/v1/tags", key: sk, status: 409, body: map[string]any{"name": "gold"}})
	l.do(call{method: "POST", path: "/api/v1/tags", key: sk, status: 400, body: map[string]any{"name": "x", "color": "gold"}, invalid: true})
	l.do(call{method: "PATCH", path: "/api/v1/tags/gold", key: sk, body: map[string]any{"color": "#ffd700"}})
	l.do(call{method: "PATCH", path: "/api/v1/tags/nope", key: sk, status: 404, body: map[string]any{"color": "#ffd700"}})
	l.do(call{method: "DELETE", path: "/api/v1/tags/newsletter", key: sk, status: 409})
	l.do(call{method: "DELETE", path: "/api/v1/tags/newsletter?force=true", key: sk, status: 204})
	l.do(call{method: "DELETE", path: "/api/v1/tags/gold", key: sk, status: 204})
}

func liveWorkspace(l *liveAPI, sk, pk, otherSK string) {
	l.do(call{method: "GET", path: "/api/v1/workspace", key: sk})
	l.do(call{method: "PATCH", path: "/api/v1/workspace", key: sk, body: map[string]any{
		"allowedOrigins": []string{"https://shop.example"}, "uuidPolicy": "derived", "uuidSalt": "pepper",
		"blockedIdentifiers": nil, "segmentUserIdAs": "customId"}})
	l.do(call{method: "PATCH", path: "/api/v1/workspace", key: sk, status: 400, body: map[string]any{"allowedOrigins": []string{"https://shop.example/path"}}})
	l.do(call{method: "PATCH", path: "/api/v1/workspace", key: sk, status: 400, body: map[string]any{"colour": "red"}, invalid: true})
	l.do(call{method: "PATCH", path: "/api/v1/workspace", key: sk, status: 415, body: "name=x", contentType: "application/x-www-form-urlencoded", invalid: true})
	l.do(call{method: "POST", path: "/api/v1/events", key: pk, status: 403, body: map[string]any{"events": []any{pageVisit()}},
		header: map[string]string{"Origin": "https://evil.example"}})
	l.do(call{method: "PATCH", path: "/api/v1/workspace", key: sk, body: map[string]any{"identityMode": "customId"}})
	l.do(call{method: "PATCH", path: "/api/v1/workspace", key: sk, status: 409, body: map[string]any{"identityMode": "email"}})

	l.do(call{method: "GET", path: "/api/v1/keys", key: sk})
	var k struct {
		ID string `json:"id"`
	}
	l.do(call{method: "POST", path: "/api/v1/keys", key: sk, status: 201, body: map[string]any{"kind": "secret", "name": "CRM sync"}}).into(l.t, &k)
	l.do(call{method: "POST", path: "/api/v1/keys", key: sk, status: 201, body: map[string]any{"kind": "tracker"}})
	l.do(call{method: "POST", path: "/api/v1/keys", key: sk, status: 400, body: map[string]any{"kind": "admin"}, invalid: true})
	l.do(call{method: "DELETE", path: "/api/v1/keys/" + k.ID, key: sk})
	l.do(call{method: "DELETE", path: "/api/v1/keys/key_nope", key: sk, status: 404})
	var own struct {
		Keys []struct {
			ID   string `json:"id"`
			Kind string `json:"kind"`
		} `json:"keys"`
	}
	l.do(call{method: "GET", path: "/api/v1/keys", key: otherSK}).into(l.t, &own)
	for _, key := range own.Keys {
		if key.Kind == "secret" {
			l.do(call{method: "DELETE", path: "/api/v1/keys/" + key.ID, key: otherSK, status: 409})
			l.do(call{method: "DELETE", path: "/api/v1/keys/" + key.ID, key: sk, status: 404})
		}
	}
}

func liveImports(l *liveAPI, sk string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, _ := mw.CreateFormFile("file", "customers.csv")
	fmt.Fprint(fw, "email,customId,firstName,tags\nann@example.com,IMP-1,Ann,imported\nnot-an-email,IMP-2,Bad,\n")
	_ = mw.WriteField("mapping", `{"tags":["import-2026-11"]}`)
	_ = mw.WriteField("dryRun", "false")
	_ = mw.Close()
	var imp struct {
		ID string `json:"id"`
	}
	l.do(call{method: "POST", path: "/api/v1/imports", key: sk, status: 202, body: b.Bytes(), contentType: mw.FormDataContentType()}).into(l.t, &imp)
	l.do(call{method: "POST", path: "/api/v1/imports", key: sk, status: 415, body: "x", contentType: "text/csv", invalid: true})
	if imp.ID == "" {
		return
	}
	// Wait for the import to finish (a condition, not a sleep).
	deadline := time.Now().Add(time.Minute)
	for {
		r := l.e.do("GET", "/api/v1/imports/"+imp.ID, sk, nil)
		if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"running"`) || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	l.do(call{method: "GET", path: "/api/v1/imports/" + imp.ID, key: sk})
	l.do(call{method: "GET", path: "/api/v1/imports/nope", key: sk, status: 404})
	l.do(call{method: "GET", path: "/api/v1/imports?limit=10", key: sk})
	r := l.do(call{method: "GET", path: "/api/v1/imports/" + imp.ID + "/errors", key: sk})
	if r != nil && !strings.HasPrefix(string(r.Body), "line,column,code,message") {
		l.t.Errorf("errors CSV: %s", r.Body)
	}
}

func liveSegment(l *liveAPI, sk string) {
	msg := func(typ string) map[string]any {
		m := map[string]any{"type": typ, "anonymousId": newUUID(), "messageId": newUUID(), "timestamp": "2026-11-28T10:00:00Z"}
		switch typ {
		case "identify":
			m["userId"], m["traits"] = "SEG-"+newUUID()[:8], map[string]any{"email": newEmail(), "first_name": "Grace"}
		case "track":
			m["event"], m["properties"] = "Order Completed", map[string]any{"total": 42.5}
		case "page", "screen":
			m["name"] = "Home"
		case "alias":
			m["userId"], m["previousId"] = "SEG-"+newUUID()[:8], newUUID()
		case "group":
			m["userId"], m["groupId"] = "SEG-"+newUUID()[:8], "ACME"
		}
		return m
	}
	types := map[string]string{"identify": "identify", "i": "identify", "track": "track", "t": "track", "page": "page", "p": "page",
		"screen": "screen", "s": "screen", "alias": "alias", "a": "alias", "group": "group", "g": "group"}
	for path, typ := range types {
		m := msg(typ)
		delete(m, "type")
		l.do(call{method: "POST", path: "/v1/" + path, basic: sk, body: m})
		l.do(call{method: "OPTIONS", path: "/v1/" + path, status: 204, header: map[string]string{"Origin": "https://shop.example"}})
	}
	for _, path := range []string{"batch", "import", "b"} {
		l.do(call{method: "POST", path: "/v1/" + path, basic: sk, body: map[string]any{"batch": []any{msg("track"), msg("identify"), msg("page")}}})
		l.do(call{method: "OPTIONS", path: "/v1/" + path, status: 204, header: map[string]string{"Origin": "https://shop.example"}})
	}
	l.do(call{method: "POST", path: "/v1/batch", body: map[string]any{"writeKey": sk, "batch": []any{msg("track")}}})
	l.do(call{method: "POST", path: "/v1/batch", key: sk, body: map[string]any{"batch": []any{msg("track"), map[string]any{"type": "track"}}}})
	l.do(call{method: "POST", path: "/v1/track", basic: sk, status: 400, body: map[string]any{"event": "x"}})
	l.do(call{method: "POST", path: "/v1/batch", basic: sk, status: 400, body: map[string]any{"batch": []any{}}, invalid: true})
	l.do(call{method: "POST", path: "/v1/track", status: 401, body: map[string]any{"event": "x", "anonymousId": newUUID()}})
	l.do(call{method: "POST", path: "/v1/track", basic: sk, status: 415, body: "x", contentType: "application/xml", invalid: true})
}
