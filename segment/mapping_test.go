package segment

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/identity"
)

const (
	anonID = "6f1c9a2e-3b7d-4c1e-9a55-0b8f7c2d1e3a"
	msgID  = "1b4e28ba-2fa1-41d2-883f-0016d3cca427"
)

var received = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// want is what a mapped message must hold; zero fields are not checked
// except Err and Warnings.
type want struct {
	err      string
	action   string
	label    string
	client   kith.Identifiers
	params   string // JSON, compared as values
	attrs    map[string]any
	eventID  string
	time     time.Time
	ip, ua   string
	device   string // browser of the parsed device
	warnings []string
}

func TestMap(t *testing.T) {
	ua := "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
	for _, tc := range []struct {
		name string
		typ  string // endpoint type; "" for a batch message
		msg  string
		want want
	}{
		{"track", "", `{"type":"track","messageId":"` + msgID + `","anonymousId":"` + anonID + `","event":"Order Completed","properties":{"total":12.50,"currency":"EUR"}}`,
			want{action: "Order Completed", client: kith.Identifiers{UUID: anonID}, params: `{"total":12.50,"currency":"EUR"}`, eventID: msgID, time: received}},
		{"track via its endpoint, no type field", "track", `{"userId":"LOY-1","event":"cart.add"}`,
			want{action: "cart.add", client: kith.Identifiers{CustomID: "LOY-1"}}},
		{"endpoint type wins over the field", "page", `{"type":"track","userId":"LOY-1","event":"x"}`,
			want{action: "page.visit"}},
		{"type is case-insensitive", "", `{"type":"Track","userId":"LOY-1","event":"x"}`, want{action: "x"}},
		{"track name trimmed", "", `{"type":"track","userId":"LOY-1","event":"  Signed Up "}`, want{action: "Signed Up"}},
		{"track without name", "", `{"type":"track","userId":"LOY-1"}`, want{err: kith.ECodeRequired}},
		{"track name with a control character", "", `{"type":"track","userId":"LOY-1","event":"a\u0007b"}`, want{err: kith.ECodeInvalidAction}},
		{"track system action", "", `{"type":"track","userId":"LOY-1","event":"client.merge"}`, want{err: kith.ECodeReservedAction}},
		{"track properties not an object", "", `{"type":"track","userId":"LOY-1","event":"x","properties":[1]}`,
			want{action: "x", params: "null", warnings: []string{"properties invalid_params"}}},
		{"unknown type", "", `{"type":"screenshot","userId":"LOY-1"}`, want{err: kith.ECodeInvalid}},
		{"no type", "", `{"userId":"LOY-1"}`, want{err: kith.ECodeInvalid}},
		{"no identifiers", "", `{"type":"track","event":"x"}`, want{err: kith.ECodeRequired}},
		{"malformed message", "", `{"type":"track","userId":{}}`, want{err: kith.ECodeInvalid}},
		{"non-UUID ids", "", `{"type":"track","messageId":"ajs-next-1","anonymousId":"abc","event":"x"}`,
			want{client: kith.Identifiers{UUID: identity.NameUUID("abc")}, eventID: identity.NameUUID("ajs-next-1")}},
		{"upper-case UUID messageId", "", `{"type":"track","messageId":"1B4E28BA-2FA1-41D2-883F-0016D3CCA427","userId":"u","event":"x"}`,
			want{eventID: msgID}},
		{"page", "", `{"type":"page","anonymousId":"` + anonID + `","name":"Home","properties":{"url":"https://shop.test/","title":"Shop"},
			"context":{"page":{"url":"https://shop.test/?utm=1","referrer":"https://search.test/"},"userAgent":"` + ua + `","ip":"203.0.113.9"}}`,
			want{action: "page.visit", label: "Home", params: `{"name":"Home","url":"https://shop.test/","title":"Shop","referrer":"https://search.test/"}`,
				ip: "203.0.113.9", ua: ua, device: "Firefox 133"}},
		{"page from context only", "", `{"type":"page","userId":"u","context":{"page":{"url":"https://shop.test/a","title":"A","path":"/a"}}}`,
			want{params: `{"url":"https://shop.test/a","title":"A","path":"/a"}`}},
		{"screen", "", `{"type":"screen","userId":"u","name":"Cart","category":"Shop","properties":{"items":2}}`,
			want{action: "screen.view", label: "Cart", params: `{"name":"Cart","category":"Shop","items":2}`}},
		{"identify", "", `{"type":"identify","messageId":"m-1","anonymousId":"` + anonID + `","userId":"LOY-1",
			"traits":{"email":"Ada@Example.com","first_name":"Ada","address":{"city":"Kraków","country":"Poland"}}}`,
			want{action: "user.identify", client: kith.Identifiers{UUID: anonID, CustomID: "LOY-1", Email: "ada@example.com"},
				params:  `{"traits":{"email":"Ada@Example.com","first_name":"Ada","address":{"city":"Kraków","country":"Poland"}}}`,
				attrs:   map[string]any{"firstName": "Ada", "city": "Kraków"},
				eventID: identity.NameUUID("m-1"), warnings: []string{"traits.address.country invalid_country_code"}}},
		{"identify by email trait alone", "", `{"type":"identify","traits":{"email":"ada@example.com"}}`,
			want{client: kith.Identifiers{Email: "ada@example.com"}, attrs: map[string]any{}}},
		{"identify traits email not text", "", `{"type":"identify","userId":"u","traits":{"email":5}}`,
			want{client: kith.Identifiers{CustomID: "u"}, warnings: []string{"traits.email invalid_email"}}},
		{"identify traits not an object", "", `{"type":"identify","userId":"u","traits":"x"}`,
			want{params: "null", warnings: []string{"traits invalid_params"}}},
		{"alias", "", `{"type":"alias","previousId":"` + anonID + `","userId":"LOY-1"}`,
			want{action: "user.alias", client: kith.Identifiers{UUID: anonID, CustomID: "LOY-1"},
				params: `{"previousId":"` + anonID + `","userId":"LOY-1"}`}},
		{"alias from a non-UUID previousId", "", `{"type":"alias","previousId":"old-device","userId":"LOY-1"}`,
			want{client: kith.Identifiers{UUID: identity.NameUUID("old-device"), CustomID: "LOY-1"}}},
		{"alias falls back to anonymousId", "", `{"type":"alias","anonymousId":"` + anonID + `","userId":"LOY-1"}`,
			want{client: kith.Identifiers{UUID: anonID, CustomID: "LOY-1"}}},
		{"alias without userId", "", `{"type":"alias","previousId":"` + anonID + `"}`, want{err: kith.ECodeRequired}},
		{"alias without previousId", "", `{"type":"alias","userId":"LOY-1"}`, want{err: kith.ECodeRequired}},
		{"group", "", `{"type":"group","userId":"LOY-1","groupId":"acme","traits":{"name":"Acme","email":"office@acme.test"}}`,
			want{action: "group.join", client: kith.Identifiers{CustomID: "LOY-1"},
				params: `{"groupId":"acme","traits":{"name":"Acme","email":"office@acme.test"}}`}},
		{"group without groupId", "", `{"type":"group","userId":"LOY-1"}`, want{err: kith.ECodeRequired}},
		{"timestamps", "", `{"type":"track","userId":"u","event":"x","timestamp":"2026-11-28T11:00:00Z","sentAt":"2026-11-28T11:00:10Z"}`,
			want{time: received.Add(-10 * time.Second)}},
		{"batch context and sentAt", "", `{"type":"track","userId":"u","event":"x","timestamp":"2026-11-28T11:00:00Z"}`,
			want{time: received.Add(-20 * time.Second), ip: "198.51.100.7"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := &Batch{Type: tc.typ, Messages: []json.RawMessage{json.RawMessage(tc.msg)}}
			if tc.name == "batch context and sentAt" {
				b.SentAt = json.RawMessage(`"2026-11-28T11:00:20Z"`)
				b.Context = &Context{IP: "198.51.100.7"}
			}
			mp := &Mapper{Workspace: kith.NewWorkspace("t", kith.ModeEmail), ReceivedAt: received}
			got := mp.Map(b)
			if len(got) != 1 {
				t.Fatalf("%d results", len(got))
			}
			checkMapped(t, got[0], tc.want)
		})
	}
}

func checkMapped(t *testing.T, m Mapped, w want) {
	t.Helper()
	var warns []string
	for _, e := range m.Warnings {
		warns = append(warns, e.Field+" "+e.Code)
	}
	if !slices.Equal(warns, w.warnings) {
		t.Errorf("warnings = %q, want %q", warns, w.warnings)
	}
	if kith.ErrorCode(errOrNil(m.Err)) != w.err {
		t.Fatalf("error %v, want code %q", m.Err, w.err)
	}
	if m.Err != nil {
		if m.Write != nil {
			t.Error("a refused message has a write")
		}
		return
	}
	wr, ev := m.Write, m.Write.Event
	if ev == nil || ev.Source != kith.SourceSegment || wr.Source != kith.SourceSegment || wr.Strict {
		t.Fatalf("write %+v: want a non-strict segment write with an event", wr)
	}
	if !kith.IsUUID(ev.EventID) || wr.CheckDuplicate != (m.MessageID != "") {
		t.Errorf("eventId %q, CheckDuplicate %v for messageId %q", ev.EventID, wr.CheckDuplicate, m.MessageID)
	}
	if ev.Client != wr.Client || !ev.ReceivedAt.Equal(received) {
		t.Errorf("event client %+v (write %+v), receivedAt %s", ev.Client, wr.Client, ev.ReceivedAt)
	}
	check := func(what string, got, want any, zero bool) {
		if !zero && !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, want %#v", what, got, want)
		}
	}
	check("action", ev.Action, w.action, w.action == "")
	check("label", ev.Label, w.label, w.label == "")
	check("client", wr.Client, w.client, w.client == kith.Identifiers{})
	check("attributes", wr.Attributes, w.attrs, w.attrs == nil)
	check("eventId", ev.EventID, w.eventID, w.eventID == "")
	check("time", wr.Time, w.time, w.time.IsZero())
	check("ip", wr.Context.IP, w.ip, w.ip == "")
	check("userAgent", wr.Context.UserAgent, w.ua, w.ua == "")
	if w.device != "" && (wr.Device == nil || wr.Device.Browser != w.device) {
		t.Errorf("device %+v, want browser %q", wr.Device, w.device)
	}
	if w.params != "" {
		var got, want any
		_ = json.Unmarshal(ev.Params, &got)
		if ev.Params == nil {
			got = nil
		}
		if err := json.Unmarshal([]byte(w.params), &want); err != nil {
			t.Fatalf("bad want params: %v", err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("params = %s, want %s", ev.Params, w.params)
		}
	}
}

// TestMapRequestDefaults checks that the request's IP and user agent fill
// in for messages that lack them (browser SDKs) and never override them.
func TestMapRequestDefaults(t *testing.T) {
	mp := &Mapper{Workspace: kith.NewWorkspace("t", kith.ModeEmail), ReceivedAt: received,
		IP: "192.0.2.1", UserAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"}
	got := mp.Map(&Batch{Messages: []json.RawMessage{
		json.RawMessage(`{"type":"page","anonymousId":"a1"}`),
		json.RawMessage(`{"type":"page","anonymousId":"a1","context":{"ip":"203.0.113.5","userAgent":"curl/8.0"}}`),
	}})
	if c := got[0].Write.Context; c.IP != mp.IP || c.UserAgent != mp.UserAgent || got[0].Write.Device == nil {
		t.Errorf("defaults not applied: %+v, device %+v", c, got[0].Write.Device)
	}
	if c := got[1].Write.Context; c.IP != "203.0.113.5" || c.UserAgent != "curl/8.0" {
		t.Errorf("message context overridden: %+v", c)
	}
}

// TestMapUserIDAsEmail checks the workspace setting segmentUserIdAs.
func TestMapUserIDAsEmail(t *testing.T) {
	ws := kith.NewWorkspace("t", kith.ModeEmail)
	ws.SegmentUserIDAs = string(kith.KindEmail)
	mp := &Mapper{Workspace: ws, ReceivedAt: received}
	got := mp.Map(&Batch{Type: TypeIdentify, Messages: []json.RawMessage{json.RawMessage(`{"userId":"Ada@Example.com","traits":{"plan":"pro"}}`)}})
	checkMapped(t, got[0], want{client: kith.Identifiers{Email: "ada@example.com"}, attrs: map[string]any{"plan": "pro"}})
}
