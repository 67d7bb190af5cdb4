package segment_test

import (
	"encoding/json"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	analytics "github.com/segmentio/analytics-go/v3"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/identity"
)

const firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"

// recorder counts what the SDK reports delivered and failed.
type recorder struct {
	mu     sync.Mutex
	ok     int
	failed []error
}

func (r *recorder) Success(analytics.Message) { r.mu.Lock(); r.ok++; r.mu.Unlock() }

func (r *recorder) Failure(_ analytics.Message, err error) {
	r.mu.Lock()
	r.failed = append(r.failed, err)
	r.mu.Unlock()
}

type sdkLogger struct{ t *testing.T }

func (l sdkLogger) Logf(f string, args ...any)   { l.t.Logf("analytics-go: "+f, args...) }
func (l sdkLogger) Errorf(f string, args ...any) { l.t.Logf("analytics-go error: "+f, args...) }

// sendGo sends msgs with the real analytics-go client configured as
// docs/SEGMENT.md says (Endpoint = the Kith URL), closes it to flush, and
// fails unless the SDK reports every message delivered.
func (k *kithServer) sendGo(key string, msgs ...analytics.Message) {
	k.t.Helper()
	rec := &recorder{}
	c, err := analytics.NewWithConfig(key, analytics.Config{
		Endpoint: k.url,
		Interval: time.Hour, // flush on Close only: one batch, in order
		Callback: rec,
		Logger:   sdkLogger{k.t},
	})
	if err != nil {
		k.t.Fatalf("analytics-go: %v", err)
	}
	for _, m := range msgs {
		if err := c.Enqueue(m); err != nil {
			k.t.Fatalf("enqueue %T: %v", m, err)
		}
	}
	if err := c.Close(); err != nil {
		k.t.Fatalf("close: %v", err)
	}
	if rec.ok != len(msgs) || len(rec.failed) > 0 {
		k.t.Fatalf("analytics-go delivered %d of %d messages; failures: %v", rec.ok, len(msgs), rec.failed)
	}
}

// TestGoSDKJourney follows one customer: anonymous visits (tracker key),
// then identify, screen, group and alias from a backend (secret key). The
// anonymous history joins the customer, and alias brings in a second
// device's anonymous profile.
func TestGoSDKJourney(t *testing.T) {
	k := startKith(t, kith.ModeEmail, kith.KindCustomID)
	anon, anon2, userID := uuid.NewString(), newID("device"), newID("LOY")
	email := strings.ToLower(newID("ada")) + "@example.com"

	k.sendGo(k.creds.TrackerKey,
		analytics.Track{AnonymousId: anon, Event: "Product Viewed",
			Properties: analytics.NewProperties().Set("sku", "A1").SetPrice(12.5),
			Context:    &analytics.Context{UserAgent: firefox, IP: net.ParseIP("203.0.113.9")}},
		analytics.Page{AnonymousId: anon, Name: "Home", Properties: analytics.NewProperties().SetURL("https://shop.test/")},
		analytics.Track{AnonymousId: anon2, Event: "Cart Viewed"},
	)
	a := k.mustLookup("uuid", anon)
	if !a.Anonymous || len(a.Devices) != 1 || a.Devices[0].Browser != "Firefox 133" {
		t.Errorf("anonymous visitor: %+v", a)
	}
	k.wantActions(a.ClientID, "Product Viewed", "page.visit")

	k.sendGo(k.creds.SecretKey,
		analytics.Identify{AnonymousId: anon, UserId: userID, Traits: analytics.NewTraits().
			SetEmail(strings.ToUpper(email)).Set("first_name", "Ada").SetLastName("Lovelace").
			Set("birthday", "1990-05-01T00:00:00.000Z").Set("gender", "female").
			Set("address", map[string]any{"city": "Kraków", "postal_code": "30-001", "country": "pl"}).
			Set("plan", "pro").Set("logins", 3)},
		analytics.Screen{UserId: userID, Name: "Checkout"},
		analytics.Group{UserId: userID, GroupId: "acme", Traits: analytics.NewTraits().SetName("Acme")},
		analytics.Alias{PreviousId: anon2, UserId: userID},
	)
	p := k.mustLookup("custom-id", userID)
	if p.Anonymous || p.Email != email || p.ClientID != a.ClientID {
		t.Errorf("identified profile %+v: want recognized, email %s, the anonymous profile %d", p, email, a.ClientID)
	}
	want := map[string]any{"firstName": "Ada", "lastName": "Lovelace", "birthDate": "1990-05-01", "sex": "FEMALE",
		"city": "Kraków", "zipCode": "30-001", "countryCode": "PL", "plan": "pro", "logins": 3.0}
	for name, v := range want {
		if p.Attributes[name] != v {
			t.Errorf("attribute %s = %#v, want %#v (all: %v)", name, p.Attributes[name], v, p.Attributes)
		}
	}
	wantUUID := identity.NameUUID(anon2)
	if !slices.Contains(p.UUIDs, anon) || !slices.Contains(p.UUIDs, wantUUID) {
		t.Errorf("uuids %v, want %s and %s (alias's previousId)", p.UUIDs, anon, wantUUID)
	}
	for _, look := range [][2]string{{"uuid", wantUUID}, {"email", email}} {
		if q := k.mustLookup(look[0], look[1]); q.ClientID != p.ClientID {
			t.Errorf("by-%s answers profile %d, want %d", look[0], q.ClientID, p.ClientID)
		}
	}
	evs := k.wantActions(p.ClientID, "Product Viewed", "page.visit", "Cart Viewed",
		"user.identify", "screen.view", "group.join", "user.alias")
	all := k.events(p.ClientID)
	if count(all, kith.ActionClientIdentify) != 1 || count(all, kith.ActionClientMerge) != 1 {
		t.Errorf("system events %q: want one client.identify and one client.merge", actions(all))
	}
	wantParams(t, evs[0], `{"sku":"A1","price":12.5}`)
	wantParams(t, evs[1], `{"name":"Home","url":"https://shop.test/"}`)
	wantParams(t, evs[5], `{"groupId":"acme","traits":{"name":"Acme"}}`)
	wantParams(t, evs[6], `{"previousId":"`+anon2+`","userId":"`+userID+`"}`)
	for _, e := range evs {
		if !kith.IsUUID(e.EventID) || e.Time.After(time.Now()) {
			t.Errorf("event %s: eventId %q, time %s", e.Action, e.EventID, e.Time)
		}
	}
	if evs[0].Context.IP != "203.0.113.9" || evs[0].Context.UserAgent != firefox {
		t.Errorf("track context %+v", evs[0].Context)
	}
	if evs[3].Label != "" || evs[4].Label != "Checkout" || evs[1].Label != "Home" {
		t.Errorf("labels %q %q %q", evs[1].Label, evs[3].Label, evs[4].Label)
	}
}

// TestGoSDKSharedDevice identifies one anonymousId as two users in turn:
// two profiles (R6), and the device stays with the first.
func TestGoSDKSharedDevice(t *testing.T) {
	k := startKith(t, kith.ModeEmail, kith.KindCustomID)
	device, u1, u2 := uuid.NewString(), newID("U"), newID("U")
	k.sendGo(k.creds.SecretKey,
		analytics.Track{AnonymousId: device, Event: "Login Viewed"},
		analytics.Identify{AnonymousId: device, UserId: u1, Traits: analytics.NewTraits().SetEmail(u1 + "@example.com")},
	)
	k.sendGo(k.creds.SecretKey,
		analytics.Identify{AnonymousId: device, UserId: u2, Traits: analytics.NewTraits().SetEmail(u2 + "@example.com")},
		analytics.Track{AnonymousId: device, UserId: u2, Event: "Order Completed"},
	)
	p1, p2 := k.mustLookup("custom-id", u1), k.mustLookup("custom-id", u2)
	if p1.ClientID == p2.ClientID || p1.Anonymous || p2.Anonymous {
		t.Fatalf("want two recognized profiles, got %+v and %+v", p1, p2)
	}
	if d := k.mustLookup("uuid", device); d.ClientID != p1.ClientID || slices.Contains(p2.UUIDs, device) {
		t.Errorf("device on profile %d, second user's uuids %v: the device must stay with the first user %d", d.ClientID, p2.UUIDs, p1.ClientID)
	}
	k.wantActions(p1.ClientID, "Login Viewed", "user.identify")
	k.wantActions(p2.ClientID, "user.identify", "Order Completed")
}

// TestGoSDKRetriedMessages sends the same messages twice, as an SDK
// retrying after a lost answer does: each is stored once, under the
// eventId of its messageId.
func TestGoSDKRetriedMessages(t *testing.T) {
	k := startKith(t, kith.ModeEmail, kith.KindCustomID)
	user, orderMsg, uuidMsg := newID("U"), newID("order"), uuid.NewString()
	msgs := []analytics.Message{
		analytics.Identify{MessageId: newID("identify"), UserId: user, Traits: analytics.NewTraits().SetFirstName("Ada")},
		analytics.Track{MessageId: orderMsg, UserId: user, Event: "Order Completed", Properties: analytics.NewProperties().SetRevenue(10)},
		analytics.Track{MessageId: strings.ToUpper(uuidMsg), UserId: user, Event: "Refund"},
	}
	k.sendGo(k.creds.SecretKey, msgs...)
	k.sendGo(k.creds.SecretKey, msgs...)
	p := k.mustLookup("custom-id", user)
	evs := k.wantActions(p.ClientID, "user.identify", "Order Completed", "Refund")
	if len(evs) == 3 && (evs[1].EventID != identity.NameUUID(orderMsg) || evs[2].EventID != uuidMsg) {
		t.Errorf("eventIds %s %s, want %s (UUIDv5 of %q) and %s", evs[1].EventID, evs[2].EventID, identity.NameUUID(orderMsg), orderMsg, uuidMsg)
	}
	if n := count(k.events(p.ClientID), kith.ActionProfileUpdated); n != 1 {
		t.Errorf("%d profile.updated events, want 1", n)
	}
}

// TestGoSDKCustomIDMode checks that in customId mode a userId recognizes
// the anonymous visitor.
func TestGoSDKCustomIDMode(t *testing.T) {
	k := startKith(t, kith.ModeCustomID, kith.KindCustomID)
	anon, user := newID("anon"), newID("LOY")
	k.sendGo(k.creds.TrackerKey, analytics.Page{AnonymousId: anon, Name: "Home"})
	k.sendGo(k.creds.SecretKey, analytics.Identify{AnonymousId: anon, UserId: user})
	p := k.mustLookup("custom-id", user)
	if p.Anonymous || !slices.Contains(p.UUIDs, identity.NameUUID(anon)) {
		t.Errorf("profile %+v: want recognized with the uuid of %q", p, anon)
	}
	k.wantActions(p.ClientID, "page.visit", "user.identify")
}

// TestGoSDKUserIDAsEmail checks the workspace setting segmentUserIdAs =
// email.
func TestGoSDKUserIDAsEmail(t *testing.T) {
	k := startKith(t, kith.ModeEmail, kith.KindEmail)
	anon := uuid.NewString()
	k.sendGo(k.creds.SecretKey, analytics.Identify{AnonymousId: anon, UserId: "Ada@Example.com", Traits: analytics.NewTraits().SetName("Ada L.")})
	p := k.mustLookup("email", "ada@example.com")
	if p.Anonymous || p.CustomID != "" || !slices.Contains(p.UUIDs, anon) || p.Attributes["displayName"] != "Ada L." {
		t.Errorf("profile %+v", p)
	}
}

func wantParams(t *testing.T, e *kith.Event, want string) {
	t.Helper()
	var got, w any
	_ = json.Unmarshal(e.Params, &got)
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	if !jsonEqual(got, w) {
		t.Errorf("%s params %s, want %s", e.Action, e.Params, want)
	}
}

func jsonEqual(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}
