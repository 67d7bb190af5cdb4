package http_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kithcdp/kith"
)

// TestEventsRefusedBodies sends bodies refused whole: each answers a 4xx
// problem and writes nothing.
func TestEventsRefusedBodies(t *testing.T) {
	e := startAPI(t, "NORMAL")
	c := e.workspace(kith.ModeEmail)

	good := `{"action":"page.visit","client":{"uuid":"` + newUUID() + `"}}`
	many := make([]string, kith.MaxEventsPerRequest+1)
	for i := range many {
		many[i] = `{"action":"page.visit","client":{"uuid":"` + newUUID() + `"}}`
	}
	// Padding inside a valid event makes a body over 1 MiB that is
	// otherwise well formed.
	big := `{"events":[{"action":"page.visit","client":{"uuid":"` + newUUID() + `"},"label":"` +
		strings.Repeat("x", kith.MaxEventBodyBytes) + `"}]}`

	for _, tc := range []struct {
		name, body, contentType string
		status                  int
		code, field             string
	}{
		{"malformed JSON", `{"events":[` + good, "", 400, kith.ECodeInvalidJSON, ""},
		{"not JSON", `events=1`, "", 400, kith.ECodeInvalidJSON, ""},
		{"empty body", ``, "", 400, kith.ECodeInvalidJSON, ""},
		{"trailing data", `{"events":[` + good + `]} {}`, "", 400, kith.ECodeInvalidJSON, ""},
		{"array body", `[` + good + `]`, "", 400, kith.ECodeInvalid, ""},
		{"events not an array", `{"events":` + good + `}`, "", 400, kith.ECodeRequired, "events"},
		{"events null", `{"events":null}`, "", 400, kith.ECodeRequired, "events"},
		{"no events", `{"events":[]}`, "", 400, kith.ECodeRequired, "events"},
		{"missing events", `{}`, "", 400, kith.ECodeRequired, "events"},
		{"unknown top-level field", `{"events":[` + good + `],"batch":true}`, "", 400, kith.ECodeUnknownField, "batch"},
		{"too many events", `{"events":[` + strings.Join(many, ",") + `]}`, "", 400, kith.ECodeTooManyItems, "events"},
		{"over 1 MiB", big, "", 413, kith.ECodePayloadTooLarge, ""},
		{"form content type", `{"events":[` + good + `]}`, "application/x-www-form-urlencoded", 415, kith.ECodeUnsupportedMedia, ""},
		{"bad content type", `{"events":[` + good + `]}`, "application/json; charset", 415, kith.ECodeUnsupportedMedia, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.counts()
			r := e.doWith("POST", "/api/v1/events", tc.body, func(r *http.Request) {
				r.Header.Set("Authorization", "Bearer "+c.SecretKey)
				if tc.contentType != "" {
					r.Header.Set("Content-Type", tc.contentType)
				}
			})
			p := wantProblem(t, r, tc.status, tc.code)
			if tc.field != "" && !p.hasError(tc.field, tc.code) {
				t.Errorf("errors lack %s/%s: %s", tc.field, tc.code, r.Body)
			}
			e.wantUnchanged(tc.name, before)
		})
	}
	if len(big) <= kith.MaxEventBodyBytes {
		t.Fatal("the over-size body is not over size")
	}
}

// TestEventsBadEventRejectedAlone sends, for each kind of bad event, a
// batch of a good event, the bad one and another good one: the bad one is
// rejected alone, in its place, and nothing of it is stored.
func TestEventsBadEventRejectedAlone(t *testing.T) {
	e := startAPI(t, "NORMAL")
	c := e.workspace(kith.ModeEmail)
	now := time.Now().UTC()
	long := strings.Repeat("é", 257)

	for _, tc := range []struct {
		name, event string // JSON; %s stands for the eventId, %u for a fresh uuid
		field, code string
	}{
		{"clientId as string", `{"eventId":"%s","action":"a.b","client":{"clientId":"abc"}}`, "client.clientId", kith.ECodeInvalid},
		{"clientId negative", `{"eventId":"%s","action":"a.b","client":{"clientId":-4}}`, "client.clientId", kith.ECodeInvalidClientID},
		{"clientId fraction", `{"eventId":"%s","action":"a.b","client":{"clientId":1.5}}`, "client.clientId", kith.ECodeInvalid},
		{"unknown clientId", `{"eventId":"%s","action":"a.b","client":{"clientId":999999}}`, "client.clientId", kith.ECodeNotFound},
		{"client a string", `{"eventId":"%s","action":"a.b","client":"%u"}`, "client", kith.ECodeInvalid},
		{"client empty", `{"eventId":"%s","action":"a.b","client":{}}`, "client", kith.ECodeRequired},
		{"client missing", `{"eventId":"%s","action":"a.b"}`, "client", kith.ECodeRequired},
		{"unknown client field", `{"eventId":"%s","action":"a.b","client":{"uuid":"%u","cookie":"x"}}`, "client.cookie", kith.ECodeUnknownField},
		{"unknown event field", `{"eventId":"%s","action":"a.b","client":{"uuid":"%u"},"userId":"x"}`, "userId", kith.ECodeUnknownField},
		{"action a number", `{"eventId":"%s","action":5,"client":{"uuid":"%u"}}`, "action", kith.ECodeInvalid},
		{"action missing", `{"eventId":"%s","client":{"uuid":"%u"}}`, "action", kith.ECodeRequired},
		{"action too long", `{"eventId":"%s","action":"` + strings.Repeat("a", 129) + `","client":{"uuid":"%u"}}`, "action", kith.ECodeInvalidAction},
		{"action with newline", `{"eventId":"%s","action":"a\nb","client":{"uuid":"%u"}}`, "action", kith.ECodeInvalidAction},
		{"reserved client.add", `{"eventId":"%s","action":"client.add","client":{"uuid":"%u"}}`, "action", kith.ECodeReservedAction},
		{"reserved client.merge", `{"eventId":"%s","action":"client.merge","client":{"uuid":"%u"}}`, "action", kith.ECodeReservedAction},
		{"reserved profile.updated", `{"eventId":"%s","action":"profile.updated","client":{"uuid":"%u"}}`, "action", kith.ECodeReservedAction},
		{"reserved agreementChanged", `{"eventId":"%s","action":"profile.agreementChanged","client":{"uuid":"%u"}}`, "action", kith.ECodeReservedAction},
		{"bad time", `{"eventId":"%s","action":"a.b","time":"yesterday","client":{"uuid":"%u"}}`, "time", kith.ECodeInvalidTime},
		{"time without zone", `{"eventId":"%s","action":"a.b","time":"2026-11-28T10:00:00","client":{"uuid":"%u"}}`, "time", kith.ECodeInvalidTime},
		{"time far in the future", `{"eventId":"%s","action":"a.b","time":"` + now.Add(72*time.Hour).Format(time.RFC3339) + `","client":{"uuid":"%u"}}`, "time", kith.ECodeInvalidTime},
		{"time a number", `{"eventId":"%s","action":"a.b","time":1700000000,"client":{"uuid":"%u"}}`, "time", kith.ECodeInvalid},
		{"bad eventId", `{"eventId":"event-1%s","action":"a.b","client":{"uuid":"%u"}}`, "eventId", kith.ECodeInvalidEventID},
		{"params an array", `{"eventId":"%s","action":"a.b","params":[1],"client":{"uuid":"%u"}}`, "params", kith.ECodeInvalidParams},
		{"params a string", `{"eventId":"%s","action":"a.b","params":"x","client":{"uuid":"%u"}}`, "params", kith.ECodeInvalidParams},
		{"label too long", `{"eventId":"%s","action":"a.b","label":"` + strings.Repeat("l", 257) + `","client":{"uuid":"%u"}}`, "label", kith.ECodeInvalid},
		{"invalid email", `{"eventId":"%s","action":"a.b","client":{"email":"ada@","uuid":"%u"}}`, "client.email", kith.ECodeInvalidEmail},
		{"email with name", `{"eventId":"%s","action":"a.b","client":{"email":"Ada <ada@example.com>"}}`, "client.email", kith.ECodeInvalidEmail},
		{"invalid uuid", `{"eventId":"%s","action":"a.b","client":{"uuid":"not-a-uuid"}}`, "client.uuid", kith.ECodeInvalidUUID},
		{"uuid without dashes", `{"eventId":"%s","action":"a.b","client":{"uuid":"0123456789abcdef0123456789abcdef"}}`, "client.uuid", kith.ECodeInvalidUUID},
		{"nil uuid", `{"eventId":"%s","action":"a.b","client":{"uuid":"00000000-0000-0000-0000-000000000000"}}`, "client.uuid", kith.ECodeBlockedIdentifier},
		{"customId null", `{"eventId":"%s","action":"a.b","client":{"customId":"null","uuid":"%u"}}`, "client.customId", kith.ECodeBlockedIdentifier},
		{"customId NULL", `{"eventId":"%s","action":"a.b","client":{"customId":" NULL "}}`, "client.customId", kith.ECodeBlockedIdentifier},
		{"customId undefined", `{"eventId":"%s","action":"a.b","client":{"customId":"undefined"}}`, "client.customId", kith.ECodeBlockedIdentifier},
		{"customId [object Object]", `{"eventId":"%s","action":"a.b","client":{"customId":"[object Object]"}}`, "client.customId", kith.ECodeBlockedIdentifier},
		{"customId blank", `{"eventId":"%s","action":"a.b","client":{"customId":"   "}}`, "client.customId", kith.ECodeBlockedIdentifier},
		{"email test@test.com", `{"eventId":"%s","action":"a.b","client":{"email":"Test@Test.com","uuid":"%u"}}`, "client.email", kith.ECodeBlockedIdentifier},
		{"customId U+2028", `{"eventId":"%s","action":"a.b","client":{"customId":"LOY\u20281"}}`, "client.customId", kith.ECodeInvalidIdentifier},
		{"customId U+2029", `{"eventId":"%s","action":"a.b","client":{"customId":"LOY\u20291"}}`, "client.customId", kith.ECodeInvalidIdentifier},
		{"customId soft hyphen", `{"eventId":"%s","action":"a.b","client":{"customId":"LOY\u00ad1"}}`, "client.customId", kith.ECodeInvalidIdentifier},
		{"customId control", `{"eventId":"%s","action":"a.b","client":{"customId":"LOY\u00071"}}`, "client.customId", kith.ECodeInvalidIdentifier},
		{"customId CR LF", `{"eventId":"%s","action":"a.b","client":{"customId":"LOY\r\n1"}}`, "client.customId", kith.ECodeInvalidIdentifier},
		{"customId emoji", `{"eventId":"%s","action":"a.b","client":{"customId":"LOY-😀"}}`, "client.customId", kith.ECodeInvalidIdentifier},
		{"customId escaped emoji", `{"eventId":"%s","action":"a.b","client":{"customId":"LOY-\ud83d\ude00"}}`, "client.customId", kith.ECodeInvalidIdentifier},
		{"email emoji", `{"eventId":"%s","action":"a.b","client":{"email":"ada😀@example.com"}}`, "client.email", kith.ECodeInvalidIdentifier},
		{"customId too long", `{"eventId":"%s","action":"a.b","client":{"customId":"` + long + `"}}`, "client.customId", kith.ECodeInvalidCustomID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ids := []string{newUUID(), newUUID(), newUUID()}
			u := newUUID()
			bad := strings.NewReplacer("%s", ids[1], "%u", u).Replace(tc.event)
			goodEvent := func(i int) string {
				return fmt.Sprintf(`{"eventId":%q,"action":"page.visit","client":{"uuid":%q}}`, ids[i], newUUID())
			}
			body := `{"events":[` + goodEvent(0) + `,` + bad + `,` + goodEvent(2) + `]}`
			before := e.counts()
			r := e.do("POST", "/api/v1/events", c.SecretKey, body)
			if r.Status != http.StatusOK {
				t.Fatalf("status %d: %s", r.Status, r.Body)
			}
			var out struct {
				Results []eventResult `json:"results"`
			}
			r.decode(t, &out)
			if len(out.Results) != 3 {
				t.Fatalf("want 3 results: %s", r.Body)
			}
			for _, i := range []int{0, 2} {
				if res := out.Results[i]; res.Status != "accepted" || res.EventID != ids[i] || res.ClientID == 0 {
					t.Errorf("good event %d: %+v", i, res)
				}
			}
			res := out.Results[1]
			if res.Status != "rejected" || !hasCode(res.Errors, tc.field, tc.code) {
				t.Errorf("bad event: want rejected with %s/%s, got %s", tc.field, tc.code, r.Body)
			}
			if res.ClientID != 0 || res.EventID != "" {
				t.Errorf("a rejected event names a profile or event: %+v", res)
			}
			if n := e.eventStored(ids[1]); n != 0 {
				t.Errorf("rejected event stored %d times", n)
			}
			if _, err := e.findEvent(c.Workspace.ID, ids[0]); err != nil {
				t.Errorf("good event 0: %v", err)
			}
			// The two good events each made a profile with one uuid, a
			// client.add and the event itself: the bad one added nothing.
			after := e.counts()
			if d := after["profiles"] - before["profiles"]; d != 2 {
				t.Errorf("%d profiles created, want 2", d)
			}
			if d := after["events"] - before["events"]; d != 4 {
				t.Errorf("%d events stored, want 4", d)
			}
			if d := after["profile_uuids"] - before["profile_uuids"]; d != 2 {
				t.Errorf("%d uuids stored, want 2", d)
			}
			if after["attribute_defs"] != before["attribute_defs"] || after["tags"] != before["tags"] {
				t.Errorf("the rejected event changed the catalogue")
			}
		})
	}
}

// TestEventsEmailOnlyInCustomIDMode checks that an email alone cannot
// identify a profile in customId mode.
func TestEventsEmailOnlyInCustomIDMode(t *testing.T) {
	e := startAPI(t, "NORMAL")
	c := e.workspace(kith.ModeCustomID)
	before := e.counts()
	res := e.events(c.SecretKey, map[string]any{"action": "a.b", "client": map[string]any{"email": newEmail()}})
	if res[0].Status != "rejected" || !hasCode(res[0].Errors, "client", kith.ECodeRequired) {
		t.Errorf("email-only event in customId mode: %+v", res[0])
	}
	e.wantUnchanged("an email-only event in customId mode", before)
}

// TestEventsBadProfileFieldIsAWarning checks that a bad profile part is
// skipped with warnings while the event and the good fields are stored.
func TestEventsBadProfileFieldIsAWarning(t *testing.T) {
	e := startAPI(t, "NORMAL")
	c := e.workspace(kith.ModeEmail)
	for _, tc := range []struct {
		name    string
		profile string
		field   string // of the warning
		code    string
	}{
		{"bad birth date", `{"attributes":{"birthDate":"1990-13-45","firstName":"Ada"}}`, "profile.attributes.birthDate", kith.ECodeInvalidBirthDate},
		{"future birth date", `{"attributes":{"birthDate":"2999-01-01","firstName":"Ada"}}`, "profile.attributes.birthDate", kith.ECodeInvalidBirthDate},
		{"reserved attribute", `{"attributes":{"ownerId":"7","firstName":"Ada"}}`, "", kith.ECodeReservedAttribute},
		{"null attribute", `{"attributes":{"city":null,"firstName":"Ada"}}`, "profile.attributes.city", kith.ECodeAttrNull},
		{"wrong attribute type", `{"attributes":{"firstName":"Ada","sex":true}}`, "", ""},
		{"unknown channel", `{"attributes":{"firstName":"Ada"},"agreements":{"fax":true}}`, "profile.agreements.fax", kith.ECodeInvalidAgreement},
		{"bad tag", `{"attributes":{"firstName":"Ada"},"tags":["ok","` + strings.Repeat("t", 65) + `"]}`, "profile.tags[1]", kith.ECodeInvalidTag},
		{"tags a string", `{"attributes":{"firstName":"Ada"},"tags":"x"}`, "profile.tags", ""},
		{"agreement a string", `{"attributes":{"firstName":"Ada"},"agreements":{"email":"yes"}}`, "profile.agreements.email", ""},
		{"attributes a list", `{"attributes":["x"],"tags":["ok"]}`, "profile.attributes", ""},
		{"unknown profile field", `{"attributes":{"firstName":"Ada"},"consents":{}}`, "profile.consents", kith.ECodeUnknownField},
		{"profile a string", `"Ada"`, "profile", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, u := newUUID(), newUUID()
			body := `{"events":[{"eventId":"` + id + `","action":"form.submit","client":{"uuid":"` + u + `"},"profile":` + tc.profile + `}]}`
			r := e.do("POST", "/api/v1/events", c.SecretKey, body)
			if r.Status != http.StatusOK {
				t.Fatalf("status %d: %s", r.Status, r.Body)
			}
			var out struct {
				Results []eventResult `json:"results"`
			}
			r.decode(t, &out)
			res := out.Results[0]
			if res.Status != "accepted" || len(res.Warnings) == 0 {
				t.Fatalf("want accepted with warnings, got %s", r.Body)
			}
			if tc.code != "" && !hasCode(res.Warnings, tc.field, tc.code) {
				t.Errorf("warnings lack %s/%s: %s", tc.field, tc.code, r.Body)
			}
			if tc.code == "" && tc.field != "" && !hasCode(res.Warnings, tc.field, res.Warnings[0].Code) {
				t.Errorf("no warning names %s: %s", tc.field, r.Body)
			}
			if _, err := e.findEvent(c.Workspace.ID, id); err != nil {
				t.Errorf("event not stored: %v", err)
			}
			p := e.lookup(c.SecretKey, byUUID(u))
			if strings.Contains(tc.profile, `"firstName":"Ada"`) && p.Attributes["firstName"] != "Ada" {
				t.Errorf("the good attribute was not applied: %+v", p.Attributes)
			}
			if strings.Contains(tc.profile, `["ok"`) && (len(p.Tags) != 1 || p.Tags[0] != "ok") {
				t.Errorf("the good tag was not applied: %v", p.Tags)
			}
			for name := range p.Attributes {
				if name != "firstName" {
					t.Errorf("bad attribute %s stored: %v", name, p.Attributes)
				}
			}
		})
	}
}

// TestEventsInOrder sends a large batch mixing accepted and rejected
// events and checks that every result is in its event's place.
func TestEventsInOrder(t *testing.T) {
	e := startAPI(t, "NORMAL")
	c := e.workspace(kith.ModeEmail)
	var events []any
	var ids []string
	for i := range 300 {
		id := newUUID()
		ids = append(ids, id)
		ev := map[string]any{"eventId": id, "action": "page.visit", "client": map[string]any{"uuid": newUUID()},
			"params": map[string]any{"i": i}}
		if i%7 == 3 {
			ev["client"] = map[string]any{"uuid": "bad-" + fmt.Sprint(i)}
		}
		events = append(events, ev)
	}
	res := e.events(c.SecretKey, events...)
	for i, r := range res {
		if i%7 == 3 {
			if r.Status != "rejected" || !strings.Contains(r.Errors[0].Message, fmt.Sprintf("bad-%d", i)) {
				t.Errorf("result %d: %+v", i, r)
			}
			continue
		}
		if r.Status != "accepted" || r.EventID != ids[i] {
			t.Errorf("result %d: %+v", i, r)
			continue
		}
		ev, err := e.findEvent(c.Workspace.ID, ids[i])
		if err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		var params struct{ I int }
		if err := json.Unmarshal(ev.Params, &params); err != nil || params.I != i || ev.ClientID != r.ClientID {
			t.Errorf("event %d stored as %s on %d, answered on %d", i, ev.Params, ev.ClientID, r.ClientID)
		}
	}
}

// TestEventsDuplicateEventID checks that a repeated eventId is stored
// once, whether repeated within a batch, in a later request or in
// concurrent ones.
func TestEventsDuplicateEventID(t *testing.T) {
	e := startAPI(t, "NORMAL")
	c := e.workspace(kith.ModeEmail)
	id, u := newUUID(), newUUID()
	ev := map[string]any{"eventId": id, "action": "order.placed", "client": map[string]any{"uuid": u}}
	res := e.events(c.SecretKey, ev, ev)
	for i, r := range res {
		if r.Status != "accepted" || r.EventID != id || r.ClientID != res[0].ClientID {
			t.Errorf("result %d: %+v", i, r)
		}
	}
	// Upper case and spaces name the same id.
	again := map[string]any{"eventId": " " + strings.ToUpper(id) + " ", "action": "order.placed", "client": map[string]any{"uuid": u}}
	if r := e.events(c.SecretKey, again)[0]; r.Status != "accepted" || r.EventID != id || r.ClientID != res[0].ClientID {
		t.Errorf("repeated later: %+v", r)
	}
	if n := e.eventStored(id); n != 1 {
		t.Errorf("event stored %d times", n)
	}

	// Concurrent requests with the same ids (and new uuids) store each once.
	ids := []string{newUUID(), newUUID(), newUUID()}
	t.Run("concurrent", func(t *testing.T) {
		for g := range 8 {
			t.Run(fmt.Sprint(g), func(t *testing.T) {
				t.Parallel()
				var evs []any
				for _, id := range ids {
					evs = append(evs, map[string]any{"eventId": id, "action": "x.y", "client": map[string]any{"uuid": newUUID()}})
				}
				for _, r := range e.with(t).events(c.SecretKey, evs...) {
					if r.Status != "accepted" {
						t.Errorf("concurrent duplicate: %+v", r)
					}
				}
			})
		}
	})
	for _, id := range ids {
		if n := e.eventStored(id); n != 1 {
			t.Errorf("event %s stored %d times", id, n)
		}
	}
}

// TestEventsTextPlain checks the CORS simple-request form browsers use.
func TestEventsTextPlain(t *testing.T) {
	e := startAPI(t, "NORMAL")
	c := e.workspace(kith.ModeEmail)
	id := newUUID()
	body := `{"events":[{"eventId":"` + id + `","action":"page.visit","client":{"uuid":"` + newUUID() + `"}}]}`
	for _, ct := range []string{"text/plain;charset=UTF-8", "text/plain", "application/json; charset=utf-8", ""} {
		r := e.doWith("POST", "/api/v1/events?key="+c.TrackerKey, body, func(r *http.Request) {
			r.Header.Del("Content-Type")
			if ct != "" {
				r.Header.Set("Content-Type", ct)
			}
		})
		if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"accepted"`) {
			t.Errorf("Content-Type %q: %d %s", ct, r.Status, r.Body)
		}
	}
	if n := e.eventStored(id); n != 1 {
		t.Errorf("event stored %d times", n)
	}
}

// TestEventsReadYourWrites checks that a lookup right after a 200 sees
// everything the events did.
func TestEventsReadYourWrites(t *testing.T) {
	e := startAPI(t, "NORMAL")
	c := e.workspace(kith.ModeEmail)
	e.warmUp(c)
	t.Run("clients", func(t *testing.T) {
		for g := range 4 {
			t.Run(fmt.Sprint(g), func(t *testing.T) {
				t.Parallel()
				e := e.with(t)
				for i := range 25 {
					u, email := newUUID(), newEmail()
					visit := e.events(c.TrackerKey, map[string]any{"action": "page.visit", "client": map[string]any{"uuid": u}})[0]
					if p := e.lookup(c.SecretKey, byUUID(u)); p.ClientID != visit.ClientID || !p.Anonymous {
						t.Errorf("after the visit: %+v, answered %+v", p, visit)
					}
					name := fmt.Sprintf("Ada-%d-%d", g, i)
					form := e.events(c.TrackerKey, map[string]any{"action": "form.submit", "client": map[string]any{"uuid": u, "email": email},
						"profile": map[string]any{"attributes": map[string]any{"firstName": name}, "tags": []string{"newsletter"},
							"agreements": map[string]any{"email": true}}})[0]
					if form.ClientID != visit.ClientID {
						t.Errorf("the form of an anonymous visitor went to %d, not %d (R5)", form.ClientID, visit.ClientID)
					}
					p := e.lookup(c.SecretKey, byEmail(email))
					if p.ClientID != visit.ClientID || p.Anonymous || p.Attributes["firstName"] != name ||
						len(p.Tags) != 1 || !p.Agreements["email"] {
						t.Errorf("after the form: %+v", p)
					}
				}
			})
		}
	})
}

// TestEventsConflictIsAWarning checks R3 for events: stored on the
// strongest identifier's profile with an identity_conflict warning.
func TestEventsConflictIsAWarning(t *testing.T) {
	e := startAPI(t, "NORMAL")
	c := e.workspace(kith.ModeEmail)
	a, b := newEmail(), newEmail()
	pa := upsert(t, e, c.SecretKey, map[string]any{"client": map[string]any{"email": a}})
	upsert(t, e, c.SecretKey, map[string]any{"client": map[string]any{"customId": "C-2"}})
	id := newUUID()
	r := e.events(c.SecretKey, map[string]any{"eventId": id, "action": "a.b", "client": map[string]any{"email": a, "customId": "C-2"}})[0]
	if r.Status != "accepted" || r.ClientID != pa.ClientID || !hasCode(r.Warnings, "client.customId", kith.ECodeIdentityConflict) {
		t.Errorf("conflicting event: %+v", r)
	}
	r = e.events(c.SecretKey, map[string]any{"action": "a.b", "client": map[string]any{"clientId": pa.ClientID, "email": b}})[0]
	if r.Status != "accepted" || r.ClientID != pa.ClientID || !hasCode(r.Warnings, "client.email", kith.ECodeIdentifierMismatch) {
		t.Errorf("mismatching event: %+v", r)
	}
	if p := e.lookup(c.SecretKey, byClientID(pa.ClientID)); p.Email != a || p.CustomID != "" {
		t.Errorf("identifiers changed by a conflicting event: %+v", p)
	}
}
