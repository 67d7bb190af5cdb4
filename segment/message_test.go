package segment

import (
	"strings"
	"testing"

	"github.com/kithcdp/kith"
)

func TestDecodeBatch(t *testing.T) {
	many := "[" + strings.Repeat(`{"type":"track"},`, MaxBatchMessages) + `{"type":"track"}]`
	for _, tc := range []struct {
		name, body, typ string
		n               int
		key, code       string
	}{
		{"batch", `{"batch":[{"type":"track"},{"type":"page"}],"writeKey":"k","sentAt":"2026-01-01T00:00:00Z","context":{"ip":"1.2.3.4"}}`, "", 2, "k", ""},
		{"unknown fields ignored", `{"batch":[{"type":"track"}],"messageId":"x","integrations":{},"_metadata":{}}`, "", 1, "", ""},
		{"key from the first message (analytics.js)", `{"batch":[{"type":"track","writeKey":"k1"}]}`, "", 1, "k1", ""},
		{"single call", `{"event":"x","userId":"u","writeKey":"k"}`, "track", 1, "k", ""},
		{"numeric key text", `{"event":"x","userId":"u","writeKey":12}`, "track", 1, "12", ""},
		{"malformed", `{"batch":[`, "", 0, "", kith.ECodeInvalidJSON},
		{"empty body", ``, "", 0, "", kith.ECodeInvalidJSON},
		{"empty single body", ``, "identify", 0, "", kith.ECodeInvalidJSON},
		{"array body", `[{"type":"track"}]`, "", 0, "", kith.ECodeInvalid},
		{"no batch", `{}`, "", 0, "", kith.ECodeRequired},
		{"batch not an array", `{"batch":{"type":"track"}}`, "", 0, "", kith.ECodeRequired},
		{"empty batch", `{"batch":[]}`, "", 0, "", kith.ECodeRequired},
		{"too many", `{"batch":` + many + `}`, "", 0, "", kith.ECodeTooManyItems},
		{"bad key type", `{"batch":[{"type":"track"}],"writeKey":{}}`, "", 0, "", kith.ECodeInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, e := DecodeBatch([]byte(tc.body), tc.typ)
			if kith.ErrorCode(errOrNil(e)) != tc.code {
				t.Fatalf("DecodeBatch: %v, want code %q", e, tc.code)
			}
			if e != nil {
				return
			}
			if len(b.Messages) != tc.n || b.WriteKey != tc.key || b.Type != tc.typ {
				t.Errorf("got %d messages, key %q, type %q; want %d, %q, %q", len(b.Messages), b.WriteKey, b.Type, tc.n, tc.key, tc.typ)
			}
		})
	}
}

func TestCheckSizes(t *testing.T) {
	fits := `{"type":"track","event":"x","properties":{"p":"` + strings.Repeat("a", MaxMessageBytes-60) + `"}}`
	over := `{"type":"track","event":"x","properties":{"p":"` + strings.Repeat("a", MaxMessageBytes) + `"}}`
	b, e := DecodeBatch([]byte(`{"batch":[`+fits+`,`+fits+`]}`), "")
	if e != nil || b.CheckSizes() != nil {
		t.Fatalf("messages under the limit refused: %v %v", e, b.CheckSizes())
	}
	b, _ = DecodeBatch([]byte(`{"batch":[`+fits+`,`+over+`]}`), "")
	if e := b.CheckSizes(); e == nil || e.Code != kith.ECodePayloadTooLarge || e.Field != "batch[1]" {
		t.Errorf("oversized message: %v", e)
	}
	b, _ = DecodeBatch([]byte(over), "track")
	if e := b.CheckSizes(); e == nil || e.Code != kith.ECodePayloadTooLarge {
		t.Errorf("oversized single call: %v", e)
	}
}

func TestText(t *testing.T) {
	for _, tc := range []struct{ body, want, err string }{
		{`{"userId":"u1"}`, "u1", ""},
		{`{"userId":123}`, "123", ""},
		{`{"userId":1.5e3}`, "1.5e3", ""},
		{`{"userId":null}`, "", ""},
		{`{}`, "", ""},
		{`{"userId":true}`, "", "invalid"},
		{`{"userId":{"id":1}}`, "", "invalid"},
	} {
		m, e := decodeMessage([]byte(tc.body))
		if kith.ErrorCode(errOrNil(e)) != tc.err || e == nil && string(m.UserID) != tc.want {
			t.Errorf("%s: %+v %v, want %q %q", tc.body, m, e, tc.want, tc.err)
		}
	}
}
