package http_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/identity"
	"github.com/kithcdp/kith/segment"
)

// The SDK end-to-end tests (analytics-go, analytics-node) are in package
// segment; these check the tracking API's protocol with raw requests.

// segAnswer is the tracking API's answer: success with per-message
// results, or a problem that is also Segment's error shape.
type segAnswer struct {
	Success bool   `json:"success"`
	Message string `json:"message"`
	Code    string `json:"code"`
	Status  int    `json:"status"`
	Results []struct {
		Status       string       `json:"status"`
		MessageID    string       `json:"messageId"`
		EventID      string       `json:"eventId"`
		ClientID     int64        `json:"clientId"`
		UUIDConflict bool         `json:"uuidConflict"`
		Duplicate    bool         `json:"duplicate"`
		Warnings     []fieldError `json:"warnings"`
		Errors       []fieldError `json:"errors"`
	} `json:"results"`
}

// segPost posts body to path (a string or bytes is sent as is, anything
// else as JSON); edit adjusts the request. It checks the answer's shape
// for status.
func segPost(e *apiEnv, path string, body any, status int, edit func(*http.Request)) *segAnswer {
	e.t.Helper()
	r := e.doWith("POST", path, body, edit)
	var a segAnswer
	if err := json.Unmarshal(r.Body, &a); err != nil {
		e.t.Fatalf("POST %s: %d %q is not JSON", path, r.Status, r.Body)
	}
	if r.Status != status {
		e.t.Fatalf("POST %s: status %d, want %d: %s", path, r.Status, status, r.Body)
	}
	if ok := status == http.StatusOK; a.Success != ok || ok && a.Code != "" || !ok && (a.Message == "" || a.Status != status || a.Code == "") {
		e.t.Errorf("POST %s: answer %s: want success %v and, on failure, message, status and code", path, r.Body, ok)
	}
	return &a
}

func basic(key string) func(*http.Request) {
	return func(r *http.Request) { r.SetBasicAuth(key, "") }
}

func track(user, event string) map[string]any {
	return map[string]any{"type": "track", "userId": user, "event": event, "messageId": newUUID()}
}

func TestSegmentAuth(t *testing.T) {
	e := startAPI(t, "NORMAL")
	c := e.workspace(kith.ModeEmail)
	batch := func(key string) map[string]any {
		b := map[string]any{"batch": []any{track("u1", "Signed Up")}}
		if key != "" {
			b["writeKey"] = key
		}
		return b
	}
	for _, tc := range []struct {
		name   string
		body   map[string]any
		edit   func(*http.Request)
		status int
		code   string
	}{
		{"Basic with the secret key", batch(""), basic(c.SecretKey), 200, ""},
		{"Basic with the tracker key", batch(""), basic(c.TrackerKey), 200, ""},
		{"Basic with the key as password", batch(""), func(r *http.Request) { r.SetBasicAuth("", c.TrackerKey) }, 200, ""},
		{"Bearer", batch(""), func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+c.SecretKey) }, 200, ""},
		{"writeKey in the body", batch(c.TrackerKey), nil, 200, ""},
		{"header wins over body", batch("sk_wrong"), basic(c.SecretKey), 200, ""},
		{"no key", batch(""), nil, 401, kith.ECodeUnauthorized},
		{"wrong key", batch(""), basic("sk_0000"), 401, kith.ECodeUnauthorized},
		{"wrong body key", batch("pk_0000"), nil, 401, kith.ECodeUnauthorized},
		{"malformed Basic", batch(""), func(r *http.Request) { r.Header.Set("Authorization", "Basic !!!") }, 401, kith.ECodeUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.counts()
			a := segPost(e, "/v1/batch", tc.body, tc.status, tc.edit)
			if a.Code != tc.code {
				t.Errorf("code %q, want %q", a.Code, tc.code)
			}
			if tc.status != 200 {
				e.wantUnchanged(tc.name, before)
			} else if len(a.Results) != 1 || a.Results[0].Status != "accepted" {
				t.Errorf("results %+v", a.Results)
			}
		})
	}
}

// TestSegmentEndpoints sends one call to each endpoint, in the long form
// SDKs use and in the one-letter form of analytics.js (text/plain, key in
// the body, from a browser origin).
func TestSegmentEndpoints(t *testing.T) {
	e := startAPI(t, "NORMAL")
	c := e.workspace(kith.ModeEmail)
	anon, user := newUUID(), "LOY-"+newUUID()
	calls := []struct {
		path, short string
		msg         map[string]any
		action      string
	}{
		{"track", "t", map[string]any{"anonymousId": anon, "event": "Product Viewed"}, "Product Viewed"},
		{"page", "p", map[string]any{"anonymousId": anon, "name": "Home"}, segment.ActionPageVisit},
		{"screen", "s", map[string]any{"anonymousId": anon, "name": "Cart"}, segment.ActionScreenView},
		{"identify", "i", map[string]any{"anonymousId": anon, "userId": user, "traits": map[string]any{"email": newEmail()}}, segment.ActionIdentify},
		{"group", "g", map[string]any{"userId": user, "groupId": "acme"}, segment.ActionGroup},
		{"alias", "a", map[string]any{"previousId": newUUID(), "userId": user}, segment.ActionAlias},
	}
	for _, call := range calls {
		call.msg["messageId"] = newUUID()
		a := segPost(e, "/v1/"+call.path, call.msg, 200, basic(c.SecretKey))
		if len(a.Results) != 1 || a.Results[0].Status != "accepted" || a.Results[0].EventID != call.msg["messageId"] {
			t.Fatalf("/v1/%s: %+v", call.path, a.Results)
		}
		ev, err := e.findEvent(c.Workspace.ID, a.Results[0].EventID)
		if err != nil || ev.Action != call.action || ev.Source != kith.SourceSegment {
			t.Errorf("/v1/%s stored %+v, %v; want action %q, source segment", call.path, ev, err, call.action)
		}

		call.msg["messageId"] = newUUID()
		call.msg["writeKey"] = c.TrackerKey
		r := e.doWith("POST", "/v1/"+call.short, call.msg, func(r *http.Request) {
			r.Header.Set("Content-Type", "text/plain")
			r.Header.Set("Origin", "https://shop.test")
		})
		if r.Status != 200 || r.Header.Get("Access-Control-Allow-Origin") != "https://shop.test" {
			t.Errorf("/v1/%s: %d, CORS %q: %s", call.short, r.Status, r.Header.Get("Access-Control-Allow-Origin"), r.Body)
		}
		if n := e.eventStored(call.msg["messageId"].(string)); n != 1 {
			t.Errorf("/v1/%s stored the event %d times", call.short, n)
		}
	}
	p := e.lookup(c.SecretKey, byCustomID(user))
	if p.Anonymous || len(p.UUIDs) != 2 {
		t.Errorf("profile %+v: want recognized with the anonymousId and the aliased uuid", p)
	}
	pre := e.doWith("OPTIONS", "/v1/t", nil, func(r *http.Request) { r.Header.Set("Origin", "https://shop.test") })
	if pre.Status != http.StatusNoContent || !strings.Contains(pre.Header.Get("Access-Control-Allow-Headers"), "Authorization") {
		t.Errorf("preflight: %d %v", pre.Status, pre.Header)
	}
}

// TestSegmentBatchResults checks per-message outcomes: a bad message is
// rejected alone (200, as Segment), warnings are reported, a retried
// message is a duplicate, and a bad single call answers 400.
func TestSegmentBatchResults(t *testing.T) {
	e := startAPI(t, "NORMAL")
	c := e.workspace(kith.ModeEmail)
	good := track("u1", "Order Completed")
	noID := map[string]any{"type": "track", "event": "x", "messageId": "no-ids"}
	odd := map[string]any{"type": "identify", "userId": "u1", "messageId": "ajs-1",
		"traits": map[string]any{"address": map[string]any{"country": "Poland"}, "phone": "555"}}
	body := map[string]any{"batch": []any{good, noID, odd, map[string]any{"type": "nope"}}}
	a := segPost(e, "/v1/batch", body, 200, basic(c.SecretKey))
	if len(a.Results) != 4 {
		t.Fatalf("results %+v", a.Results)
	}
	r := a.Results
	if r[0].Status != "accepted" || r[1].Status != "rejected" || !hasCode(r[1].Errors, "userId", kith.ECodeRequired) ||
		r[1].MessageID != "no-ids" || r[3].Status != "rejected" || !hasCode(r[3].Errors, "type", kith.ECodeInvalid) {
		t.Errorf("results %+v", r)
	}
	if r[2].Status != "accepted" || r[2].EventID != identity.NameUUID("ajs-1") ||
		!hasCode(r[2].Warnings, "traits.address.country", kith.ECodeInvalidCountryCode) ||
		!hasCode(r[2].Warnings, "attributes.phone", kith.ECodeInvalidPhone) {
		t.Errorf("identify result %+v", r[2])
	}
	again := segPost(e, "/v1/batch", body, 200, basic(c.SecretKey))
	if !again.Results[0].Duplicate || !again.Results[2].Duplicate || again.Results[0].ClientID != r[0].ClientID {
		t.Errorf("retried batch: %+v", again.Results)
	}
	if n := e.eventStored(good["messageId"].(string)); n != 1 {
		t.Errorf("retried message stored %d times", n)
	}
	bad := segPost(e, "/v1/track", map[string]any{"userId": "u1"}, 400, basic(c.SecretKey))
	if bad.Code != kith.ECodeRequired {
		t.Errorf("single call without event: %+v", bad)
	}
}

func TestSegmentRefusedBodies(t *testing.T) {
	e := startAPI(t, "NORMAL")
	c := e.workspace(kith.ModeEmail)
	pad := func(n int) map[string]any {
		m := track("u1", "x")
		m["properties"] = map[string]any{"p": strings.Repeat("a", n)}
		return m
	}
	msgs := make([]any, segment.MaxBatchMessages+1)
	for i := range msgs {
		msgs[i] = map[string]any{"type": "track"}
	}
	fits := pad(segment.MaxMessageBytes - 200)
	over := make([]any, segment.MaxBatchBytes/segment.MaxMessageBytes+1)
	for i := range over {
		over[i] = fits
	}
	for _, tc := range []struct {
		name, path string
		body       any
		edit       func(*http.Request)
		status     int
		code       string
	}{
		{"batch over 500 KB", "/v1/batch", map[string]any{"batch": over}, nil, 400, kith.ECodePayloadTooLarge},
		{"message over 32 KB in a batch", "/v1/batch", map[string]any{"batch": []any{pad(segment.MaxMessageBytes)}}, nil, 400, kith.ECodePayloadTooLarge},
		{"single call over 32 KB", "/v1/track", pad(segment.MaxMessageBytes), nil, 400, kith.ECodePayloadTooLarge},
		{"too many messages", "/v1/batch", map[string]any{"batch": msgs}, nil, 400, kith.ECodeTooManyItems},
		{"malformed JSON", "/v1/batch", `{"batch":[`, nil, 400, kith.ECodeInvalidJSON},
		{"malformed JSON without a key", "/v1/batch", `{"batch":[`, func(r *http.Request) { r.Header.Del("Authorization") }, 400, kith.ECodeInvalidJSON},
		{"no batch", "/v1/batch", `{}`, nil, 400, kith.ECodeRequired},
		{"form content", "/v1/batch", `{"batch":[]}`, func(r *http.Request) { r.Header.Set("Content-Type", "application/x-www-form-urlencoded") }, 415, kith.ECodeUnsupportedMedia},
		{"brotli", "/v1/batch", `{"batch":[]}`, func(r *http.Request) { r.Header.Set("Content-Encoding", "br") }, 415, kith.ECodeUnsupportedMedia},
		{"corrupt gzip", "/v1/batch", "not gzip at all", func(r *http.Request) { r.Header.Set("Content-Encoding", "gzip") }, 400, kith.ECodeInvalidJSON},
		{"gzip over 500 KB compressed", "/v1/batch", gzipped(t, randomText(segment.MaxBatchBytes+1000)),
			func(r *http.Request) { r.Header.Set("Content-Encoding", "gzip") }, 400, kith.ECodePayloadTooLarge},
		{"gzip over 500 KB decompressed", "/v1/batch", gzipped(t, `{"batch":[`+strings.Repeat(" ", segment.MaxBatchBytes)+`]}`),
			func(r *http.Request) { r.Header.Set("Content-Encoding", "gzip") }, 400, kith.ECodePayloadTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.counts()
			a := segPost(e, tc.path, tc.body, tc.status, func(r *http.Request) {
				r.SetBasicAuth(c.SecretKey, "")
				if tc.edit != nil {
					tc.edit(r)
				}
			})
			if a.Code != tc.code {
				t.Errorf("code %q, want %q: %s", a.Code, tc.code, a.Message)
			}
			e.wantUnchanged(tc.name, before)
		})
	}
}

// TestSegmentOrigins checks that a browser's tracker key is limited to
// the workspace's allowed origins, as on Kith's own events API.
func TestSegmentOrigins(t *testing.T) {
	e := startAPI(t, "NORMAL")
	ws := kith.NewWorkspace("segment-origins", kith.ModeEmail)
	ws.AllowedOrigins = []string{"https://shop.test"}
	c, err := kith.CreateWorkspace(context.Background(), e.store, ws, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	from := func(origin string) func(*http.Request) {
		return func(r *http.Request) { r.Header.Set("Origin", origin) }
	}
	msg := map[string]any{"userId": "u", "event": "x", "writeKey": c.TrackerKey}
	segPost(e, "/v1/t", msg, 200, from("https://shop.test"))
	before := e.counts()
	if a := segPost(e, "/v1/t", msg, 403, from("https://evil.test")); a.Code != kith.ECodeOriginNotAllowed {
		t.Errorf("foreign origin: %+v", a)
	}
	e.wantUnchanged("a foreign origin", before)
	msg["writeKey"] = c.SecretKey // a secret key is not a browser's
	segPost(e, "/v1/t", msg, 200, from("https://evil.test"))
}

func TestSegmentGzip(t *testing.T) {
	e := startAPI(t, "NORMAL")
	c := e.workspace(kith.ModeEmail)
	msgs := make([]any, 300)
	for i := range msgs {
		msgs[i] = track(fmt.Sprintf("user-%d", i%7), "Gzipped")
	}
	body, _ := json.Marshal(map[string]any{"batch": msgs, "sentAt": "2026-01-01T00:00:00Z"})
	a := segPost(e, "/v1/batch", gzipped(t, string(body)), 200, func(r *http.Request) {
		r.SetBasicAuth(c.SecretKey, "")
		r.Header.Set("Content-Encoding", "gzip")
	})
	for i, res := range a.Results {
		if res.Status != "accepted" || e.eventStored(msgs[i].(map[string]any)["messageId"].(string)) != 1 {
			t.Fatalf("message %d: %+v", i, res)
		}
	}
}

func gzipped(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// randomText returns n bytes that gzip cannot compress.
func randomText(n int) string {
	b := make([]byte, n)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range b {
		b[i] = byte(rng.UintN(256))
	}
	return string(b)
}
