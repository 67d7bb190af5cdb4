package http_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/kithcdp/kith"
)

// upsertAnswer is POST /api/v1/profiles' answer.
type upsertAnswer struct {
	ClientID     int64        `json:"clientId"`
	Created      bool         `json:"created"`
	UUIDConflict bool         `json:"uuidConflict"`
	Profile      *profileView `json:"profile"`
}

// upsert posts one profile upsert and fails unless it answers 200.
func upsert(t testing.TB, e *apiEnv, key string, body any) *upsertAnswer {
	t.Helper()
	r := e.do("POST", "/api/v1/profiles", key, body)
	if r.Status != http.StatusOK {
		t.Fatalf("upsert %v: %d %s", body, r.Status, r.Body)
	}
	var a upsertAnswer
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		t.Fatalf("upsert answer %s: %v", r.Body, err)
	}
	if a.Profile == nil || a.Profile.ClientID != a.ClientID {
		t.Fatalf("upsert answer without its profile: %s", r.Body)
	}
	return &a
}

func TestUpsertAnswer(t *testing.T) {
	e := startAPI(t, "NORMAL")
	c := e.workspace(kith.ModeEmail)
	email := newEmail()
	a := upsert(t, e, c.SecretKey, map[string]any{
		"client":     map[string]any{"email": "  " + strings.ToUpper(email) + " "},
		"attributes": map[string]any{"firstName": "Ada", "birthDate": "1990-05-01", "ClubMember": true, "phone": "+44 20 7946 0958"},
		"tags":       []string{"vip", "newsletter"},
		"agreements": map[string]any{"email": true},
	})
	p := a.Profile
	switch {
	case !a.Created || a.UUIDConflict:
		t.Errorf("first upsert: %+v", a)
	case p.Email != email || p.Anonymous:
		t.Errorf("email %q anonymous %v, want %q recognized", p.Email, p.Anonymous, email)
	case len(p.UUIDs) != 1 || !kith.IsUUID(p.UUIDs[0]):
		t.Errorf("a profile created without a uuid got uuids %v", p.UUIDs)
	case p.Attributes["firstName"] != "Ada" || p.Attributes["birthDate"] != "1990-05-01" ||
		p.Attributes["ClubMember"] != true || p.Attributes["phone"] != "+442079460958":
		t.Errorf("attributes %v", p.Attributes)
	case !slices.Equal(p.Tags, []string{"newsletter", "vip"}):
		t.Errorf("tags %v", p.Tags)
	case len(p.Agreements) != len(kith.Channels) || !p.Agreements["email"] || p.Agreements["sms"]:
		t.Errorf("agreements %v", p.Agreements)
	case p.CreatedAt.IsZero() || p.UpdatedAt.IsZero() || p.PreviousClientIDs == nil || p.Devices == nil:
		t.Errorf("profile fields missing: %+v", p)
	}

	again := upsert(t, e, c.SecretKey, map[string]any{"client": map[string]any{"email": email, "customId": "LOY-1"},
		"attributes": map[string]any{"lastName": "Lovelace"}})
	if again.Created || again.ClientID != a.ClientID || again.Profile.CustomID != "LOY-1" ||
		again.Profile.Attributes["firstName"] != "Ada" || again.Profile.Attributes["lastName"] != "Lovelace" {
		t.Errorf("second upsert: %+v %+v", again, again.Profile)
	}
	// The answer equals a fresh read.
	if got := e.lookup(c.SecretKey, byClientID(a.ClientID)); got.UpdatedAt != again.Profile.UpdatedAt || got.CustomID != "LOY-1" {
		t.Errorf("lookup %+v differs from the upsert answer %+v", got, again.Profile)
	}

	// R6: a uuid of another recognized customer stays there.
	other := upsert(t, e, c.SecretKey, map[string]any{"client": map[string]any{"email": newEmail(), "uuid": p.UUIDs[0]}})
	if !other.Created || !other.UUIDConflict || other.ClientID == a.ClientID || slices.Contains(other.Profile.UUIDs, p.UUIDs[0]) {
		t.Errorf("shared device: %+v %+v", other, other.Profile)
	}
}

func TestUpsertRefusals(t *testing.T) {
	e := startAPI(t, "NORMAL")
	c := e.workspace(kith.ModeEmail)
	ea, eb := newEmail(), newEmail()
	pa := upsert(t, e, c.SecretKey, map[string]any{"client": map[string]any{"email": ea, "customId": "A-1"}})
	pb := upsert(t, e, c.SecretKey, map[string]any{"client": map[string]any{"email": eb}})
	anon := e.events(c.SecretKey, map[string]any{"action": "page.visit", "client": map[string]any{"uuid": newUUID()}})[0]
	_ = anon

	for _, tc := range []struct {
		name   string
		body   string
		status int
		code   string
		field  string
	}{
		{"email and customId of two profiles", fmt.Sprintf(`{"client":{"email":%q,"customId":"A-1"},"attributes":{"firstName":"X"}}`, eb),
			409, kith.ECodeIdentityConflict, "client.customId"},
		{"clientId and another's email", fmt.Sprintf(`{"client":{"clientId":%d,"email":%q},"tags":["x"]}`, pa.ClientID, eb),
			409, kith.ECodeIdentityConflict, "client.email"},
		{"clientId and a different new email", fmt.Sprintf(`{"client":{"clientId":%d,"email":%q},"tags":["x"]}`, pb.ClientID, newEmail()),
			409, kith.ECodeIdentifierMismatch, "client.email"},
		{"email and a different new customId", fmt.Sprintf(`{"client":{"email":%q,"customId":"A-2"},"agreements":{"sms":true}}`, ea),
			409, kith.ECodeIdentifierMismatch, "client.customId"},
		{"unknown clientId", `{"client":{"clientId":987654},"attributes":{"firstName":"X"}}`, 404, kith.ECodeNotFound, "client.clientId"},
		{"bad attribute", fmt.Sprintf(`{"client":{"email":%q},"attributes":{"birthDate":"1990-02-30"}}`, newEmail()),
			400, kith.ECodeInvalidBirthDate, "attributes.birthDate"},
		{"reserved attribute", fmt.Sprintf(`{"client":{"email":%q},"attributes":{"geo_loc_city":"x"}}`, newEmail()),
			400, kith.ECodeReservedAttribute, ""},
		{"near-duplicate attribute", fmt.Sprintf(`{"client":{"email":%q},"attributes":{"first_name":"x"}}`, newEmail()),
			400, kith.ECodeAttributeNameTaken, ""},
		{"null attribute", fmt.Sprintf(`{"client":{"email":%q},"attributes":{"city":null}}`, newEmail()),
			400, kith.ECodeAttrNull, ""},
		{"bad agreement channel", fmt.Sprintf(`{"client":{"email":%q},"agreements":{"fax":true}}`, newEmail()),
			400, kith.ECodeInvalidAgreement, "agreements.fax"},
		{"tags a string", fmt.Sprintf(`{"client":{"email":%q},"tags":"x"}`, newEmail()), 400, kith.ECodeInvalid, "tags"},
		{"clientId a string", `{"client":{"clientId":"abc"}}`, 400, kith.ECodeInvalid, "client.clientId"},
		{"blocked email", `{"client":{"email":"test@test.com"}}`, 400, kith.ECodeBlockedIdentifier, "client.email"},
		{"blocked customId", `{"client":{"customId":"undefined"}}`, 400, kith.ECodeBlockedIdentifier, "client.customId"},
		{"no identifier", `{"client":{},"attributes":{"firstName":"X"}}`, 400, kith.ECodeRequired, "client"},
		{"unknown field", fmt.Sprintf(`{"client":{"email":%q},"traits":{}}`, newEmail()), 400, kith.ECodeUnknownField, "traits"},
		{"malformed JSON", `{"client":`, 400, kith.ECodeInvalidJSON, ""},
		{"two identifiers wrong", `{"client":{"email":"x@","uuid":"nope"}}`, 400, kith.ECodeInvalidEmail, "client.email"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.counts()
			r := e.do("POST", "/api/v1/profiles", c.SecretKey, tc.body)
			p := wantProblem(t, r, tc.status, tc.code)
			if tc.field != "" && !p.hasError(tc.field, tc.code) {
				t.Errorf("errors lack %s/%s: %s", tc.field, tc.code, r.Body)
			}
			e.wantUnchanged(tc.name, before)
		})
	}
	// Neither profile changed.
	if p := e.lookup(c.SecretKey, byClientID(pa.ClientID)); p.Email != ea || p.CustomID != "A-1" || len(p.Attributes) != 0 || len(p.Tags) != 0 {
		t.Errorf("profile a changed: %+v", p)
	}
	if p := e.lookup(c.SecretKey, byClientID(pb.ClientID)); p.Email != eb || p.CustomID != "" || len(p.Tags) != 0 {
		t.Errorf("profile b changed: %+v", p)
	}
}

func TestUpsertBatch(t *testing.T) {
	e := startAPI(t, "NORMAL")
	c := e.workspace(kith.ModeEmail)
	ea, eb := newEmail(), newEmail()
	existing := upsert(t, e, c.SecretKey, map[string]any{"client": map[string]any{"email": ea, "customId": "E-1"}})
	items := []any{
		map[string]any{"client": map[string]any{"email": eb}, "attributes": map[string]any{"firstName": "B"}},
		map[string]any{"client": map[string]any{"email": "nope"}},
		map[string]any{"client": map[string]any{"email": ea}, "tags": []string{"vip"}},
		map[string]any{"client": map[string]any{"email": eb, "customId": "E-1"}}, // conflict with item 0's profile
		map[string]any{"client": map[string]any{"email": eb}, "attributes": map[string]any{"lastName": "Bee"}},
		map[string]any{"client": map[string]any{"email": newEmail()}, "attributes": map[string]any{"birthDate": "tomorrow"}},
		"not an object",
	}
	r := e.do("POST", "/api/v1/profiles/batch", c.SecretKey, map[string]any{"profiles": items})
	if r.Status != http.StatusOK {
		t.Fatalf("batch: %d %s", r.Status, r.Body)
	}
	var out struct {
		Results []struct {
			Status       string       `json:"status"`
			ClientID     int64        `json:"clientId"`
			Created      bool         `json:"created"`
			UUIDConflict bool         `json:"uuidConflict"`
			Code         string       `json:"code"`
			Errors       []fieldError `json:"errors"`
		} `json:"results"`
	}
	r.decode(t, &out)
	if len(out.Results) != len(items) {
		t.Fatalf("%d results for %d items: %s", len(out.Results), len(items), r.Body)
	}
	res := out.Results
	if res[0].Status != "ok" || !res[0].Created || res[0].ClientID == 0 {
		t.Errorf("item 0: %+v", res[0])
	}
	if res[1].Status != "rejected" || res[1].Code != kith.ECodeInvalidEmail || !hasCode(res[1].Errors, "client.email", kith.ECodeInvalidEmail) {
		t.Errorf("item 1: %+v", res[1])
	}
	if res[2].Status != "ok" || res[2].Created || res[2].ClientID != existing.ClientID {
		t.Errorf("item 2: %+v", res[2])
	}
	if res[3].Status != "rejected" || res[3].Code != kith.ECodeIdentityConflict {
		t.Errorf("item 3: %+v", res[3])
	}
	if res[4].Status != "ok" || res[4].Created || res[4].ClientID != res[0].ClientID {
		t.Errorf("item 4 (same email as item 0, same batch): %+v", res[4])
	}
	if res[5].Status != "rejected" || res[5].Code != kith.ECodeInvalidBirthDate {
		t.Errorf("item 5: %+v", res[5])
	}
	if res[6].Status != "rejected" || res[6].Code != kith.ECodeInvalid {
		t.Errorf("item 6: %+v", res[6])
	}
	p := e.lookup(c.SecretKey, byEmail(eb))
	if p.CustomID != "" || p.Attributes["firstName"] != "B" || p.Attributes["lastName"] != "Bee" {
		t.Errorf("batch profile: %+v", p)
	}
	if p := e.lookup(c.SecretKey, byEmail(ea)); !slices.Equal(p.Tags, []string{"vip"}) {
		t.Errorf("existing profile tags %v", p.Tags)
	}

	// The batch envelope is checked like the events one.
	before := e.counts()
	many := make([]any, kith.MaxProfilesPerBatch+1)
	for i := range many {
		many[i] = map[string]any{"client": map[string]any{"email": newEmail()}}
	}
	wantProblem(t, e.do("POST", "/api/v1/profiles/batch", c.SecretKey, map[string]any{"profiles": many}), 400, kith.ECodeTooManyItems)
	wantProblem(t, e.do("POST", "/api/v1/profiles/batch", c.SecretKey, map[string]any{"profiles": []any{}}), 400, kith.ECodeRequired)
	wantProblem(t, e.do("POST", "/api/v1/profiles/batch", c.SecretKey, map[string]any{"items": items}), 400, kith.ECodeUnknownField)
	wantProblem(t, e.do("POST", "/api/v1/profiles/batch", c.SecretKey, `{"profiles":[`), 400, kith.ECodeInvalidJSON)
	e.wantUnchanged("refused batches", before)
}

func TestLookups(t *testing.T) {
	e := startAPI(t, "NORMAL")
	c := e.workspace(kith.ModeEmail)
	email, u := newEmail(), newUUID()
	a := upsert(t, e, c.SecretKey, map[string]any{"client": map[string]any{"email": email, "customId": "Ü-1/2 x", "uuid": u}})
	for _, path := range []string{
		byClientID(a.ClientID), byEmail(email), byEmail(" " + strings.ToUpper(email)), byUUID(u),
		byUUID(strings.ToUpper(u)), byCustomID("Ü-1/2 x"),
	} {
		if p := e.lookup(c.SecretKey, path); p.ClientID != a.ClientID {
			t.Errorf("GET %s: %+v", path, p)
		}
	}
	for _, path := range []string{byClientID(a.ClientID + 1000), byEmail(newEmail()), byUUID(newUUID()), byCustomID("ü-1/2 x")} {
		wantProblem(t, e.do("GET", path, c.SecretKey, nil), 404, kith.ECodeNotFound)
	}
	for _, tc := range []struct{ path, code string }{
		{"/api/v1/profiles/abc", kith.ECodeInvalidClientID},
		{"/api/v1/profiles/0", kith.ECodeInvalidClientID},
		{"/api/v1/profiles/-3", kith.ECodeInvalidClientID},
		{"/api/v1/profiles/99999999999999999999", kith.ECodeInvalidClientID},
		{byUUID("nope"), kith.ECodeInvalidUUID},
		{byUUID("00000000-0000-0000-0000-000000000000"), kith.ECodeBlockedIdentifier},
		{byEmail("nope"), kith.ECodeInvalidEmail},
		{byEmail("null"), kith.ECodeBlockedIdentifier},
		{byCustomID("null"), kith.ECodeBlockedIdentifier},
		{byCustomID("a\u2028b"), kith.ECodeInvalidIdentifier},
		{byCustomID(strings.Repeat("x", 257)), kith.ECodeInvalidCustomID},
	} {
		wantProblem(t, e.do("GET", tc.path, c.SecretKey, nil), 400, tc.code)
	}
	wantProblem(t, e.do("GET", "/api/v1/nothing-here", c.SecretKey, nil), 404, kith.ECodeNotFound)
}

// TestLookupMergedClientID checks that a clientId merged away (R4)
// answers the survivor, which lists it in previousClientIds.
func TestLookupMergedClientID(t *testing.T) {
	e := startAPI(t, "NORMAL")
	c := e.workspace(kith.ModeEmail)
	u, email := newUUID(), newEmail()
	anon := e.events(c.TrackerKey, map[string]any{"action": "page.visit", "client": map[string]any{"uuid": u},
		"profile": map[string]any{"attributes": map[string]any{"city": "Paris"}}})[0]
	customer := upsert(t, e, c.SecretKey, map[string]any{"client": map[string]any{"email": email}})
	if anon.ClientID == customer.ClientID {
		t.Fatal("the visitor and the customer are one profile already")
	}
	form := e.events(c.TrackerKey, map[string]any{"action": "form.submit", "client": map[string]any{"uuid": u, "email": email}})[0]
	if form.Status != "accepted" || form.ClientID != customer.ClientID {
		t.Fatalf("the form went to %+v, want the customer %d (R4)", form, customer.ClientID)
	}
	for _, path := range []string{byClientID(anon.ClientID), byClientID(customer.ClientID), byUUID(u), byEmail(email)} {
		p := e.lookup(c.SecretKey, path)
		if p.ClientID != customer.ClientID || !slices.Equal(p.PreviousClientIDs, []int64{anon.ClientID}) ||
			!slices.Contains(p.UUIDs, u) || p.Attributes["city"] != "Paris" {
			t.Errorf("GET %s: %+v", path, p)
		}
	}
	// Writes naming the old clientId land on the survivor too.
	r := e.events(c.SecretKey, map[string]any{"action": "a.b", "client": map[string]any{"clientId": anon.ClientID}})[0]
	if r.ClientID != customer.ClientID {
		t.Errorf("event on the merged clientId: %+v", r)
	}
}

// TestLookupByEmailInCustomIDMode checks that a shared email is ambiguous
// in customId mode.
func TestLookupByEmailInCustomIDMode(t *testing.T) {
	e := startAPI(t, "NORMAL")
	c := e.workspace(kith.ModeCustomID)
	shared, own := newEmail(), newEmail()
	a := upsert(t, e, c.SecretKey, map[string]any{"client": map[string]any{"customId": "A", "email": shared}})
	b := upsert(t, e, c.SecretKey, map[string]any{"client": map[string]any{"customId": "B", "email": shared}})
	d := upsert(t, e, c.SecretKey, map[string]any{"client": map[string]any{"customId": "D", "email": own}})
	if a.ClientID == b.ClientID || !b.Created || b.Profile.Email != shared {
		t.Fatalf("two customers sharing an email: %+v %+v", a, b)
	}
	r := e.do("GET", byEmail(shared), c.SecretKey, nil)
	p := wantProblem(t, r, 409, kith.ECodeAmbiguous)
	for _, id := range []int64{a.ClientID, b.ClientID} {
		if !strings.Contains(p.Detail, fmt.Sprint(id)) {
			t.Errorf("the answer does not name clientId %d: %s", id, r.Body)
		}
	}
	if got := e.lookup(c.SecretKey, byEmail(strings.ToUpper(own))); got.ClientID != d.ClientID {
		t.Errorf("single holder: %+v", got)
	}
	wantProblem(t, e.do("GET", byEmail(newEmail()), c.SecretKey, nil), 404, kith.ECodeNotFound)
	if got := e.lookup(c.SecretKey, byCustomID("B")); got.ClientID != b.ClientID || got.Anonymous {
		t.Errorf("by customId: %+v", got)
	}
}
