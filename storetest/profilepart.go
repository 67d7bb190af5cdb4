package storetest

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kithcdp/kith"
)

// profilePartTests checks the profile part of writes (SPEC §1):
// attributes validated through the attribute schema, implicit definitions,
// tags, agreements and devices, and their system events.
var profilePartTests = []testCase{
	{"Attributes_default_validation", emailMode, testDefaultAttributes},
	{"Attributes_implicit_definition", emailMode, testImplicitDefinition},
	{"Attributes_name_rules_and_null", emailMode, testAttributeNames},
	{"Attributes_strict_write_refused_whole", bothModes, testStrictRefusedWhole},
	{"Attributes_event_bad_field_skipped", bothModes, testEventBadFieldSkipped},
	{"Attributes_changes_audited", emailMode, testAttributeChanges},
	{"Tags_catalogue_and_events", emailMode, testTags},
	{"Agreements_audit_and_recency", emailMode, testAgreements},
	{"Devices_recorded", emailMode, testDevices},
}

var ada = email("ada@example.com")

func testDefaultAttributes(t *testing.T, st kith.Store, ws *kith.Workspace) {
	p := mustApply(t, st, ws, upsert(ada))
	for _, bad := range []string{"1990-02-30", "1990-5-1", "2999-01-01", "01/05/1990"} {
		wantRefused(t, st, ws, kith.ECodeInvalidBirthDate, []int64{p.ClientID}, upsert(ada, attr("birthDate", bad)))
	}
	_, err := apply(t, st, ws, upsert(ada, attr("birthDate", "1990-02-30")))
	if e := kith.AsError(err); e == nil || e.Field != "attributes.birthDate" {
		t.Errorf("invalid birthDate error %#v, want field attributes.birthDate", e)
	}
	wantRefused(t, st, ws, kith.ECodeInvalidPhone, []int64{p.ClientID}, upsert(ada, attr("phone", "600 700 800")))
	wantRefused(t, st, ws, kith.ECodeInvalidCountryCode, []int64{p.ClientID}, upsert(ada, attr("countryCode", "XX")))
	wantRefused(t, st, ws, kith.ECodeInvalidSex, []int64{p.ClientID}, upsert(ada, attr("sex", "yes")))
	wantRefused(t, st, ws, kith.ECodeAttrTypeMismatch, []int64{p.ClientID}, upsert(ada, attr("firstName", 7.0)))

	mustApply(t, st, ws, upsert(ada, attr("birthDate", "1990-05-01"), attr("phone", "+48 600 700 800"),
		attr("countryCode", "pl"), attr("sex", "female"), attr("firstName", "Ada")))
	jsonEq(t, "attributes", profile(t, st, ws, p.ClientID).Attributes, map[string]any{
		"birthDate": "1990-05-01", "phone": "+48600700800", "countryCode": "PL", "sex": "FEMALE", "firstName": "Ada",
	})
	eq(t, "custom definitions (defaults are not custom)", len(attributeDefs(t, st, ws)), 0)
}

func testImplicitDefinition(t *testing.T, st kith.Store, ws *kith.Workspace) {
	p := mustApply(t, st, ws, upsert(ada,
		attr("ClubMember", true), attr("points", 12.0), attr("lastOrder", "2026-01-02"),
		attr("nickname", "Ady"), attr("interests", []any{"chess", "maths"}), attr("lastLogin", "2026-01-02T10:00:00Z"),
		attr("big", 9007199254740991.0), attr("ratio", 0.1+0.2), attr("bio", strings.Repeat("zażółć ", 580))))
	want := map[string]string{
		"ClubMember": kith.TypeBoolean, "points": kith.TypeNumber, "lastOrder": kith.TypeDate,
		"nickname": kith.TypeString, "interests": kith.TypeList, "lastLogin": kith.TypeDatetime,
		"big": kith.TypeNumber, "ratio": kith.TypeNumber, "bio": kith.TypeString,
	}
	defs := attributeDefs(t, st, ws)
	got := map[string]string{}
	var names []string
	for _, d := range defs {
		got[d.Name] = d.Type
		names = append(names, d.Name)
		if d.Default {
			t.Errorf("custom definition %s marked default", d.Name)
		}
	}
	eq(t, "inferred definitions", got, want)
	if !slices.IsSorted(names) {
		t.Errorf("ListAttributeDefs order %v, want by name", names)
	}
	jsonEq(t, "attributes", profile(t, st, ws, p.ClientID).Attributes, map[string]any{
		"ClubMember": true, "points": 12, "lastOrder": "2026-01-02", "nickname": "Ady",
		"interests": []string{"chess", "maths"}, "lastLogin": "2026-01-02T10:00:00Z",
		"big": 9007199254740991.0, "ratio": 0.1 + 0.2, "bio": strings.Repeat("zażółć ", 580),
	})

	// The definition is kept: a later value of another type is refused.
	for name, v := range map[string]any{"ClubMember": "yes", "points": "12", "lastOrder": "yesterday",
		"interests": "chess", "nickname": 5.0} {
		wantRefused(t, st, ws, kith.ECodeAttrTypeMismatch, []int64{p.ClientID}, upsert(ada, attr(name, v)))
	}
	// Values of the right type are accepted, on any profile.
	q := mustApply(t, st, ws, upsert(email("bob@example.com"), attr("points", 3.0), attr("ClubMember", false)))
	jsonEq(t, "bob's attributes", profile(t, st, ws, q.ClientID).Attributes, map[string]any{"points": 3, "ClubMember": false})
	eq(t, "definitions after more writes", len(attributeDefs(t, st, ws)), len(want))
}

func testAttributeNames(t *testing.T, st kith.Store, ws *kith.Workspace) {
	p := mustApply(t, st, ws, upsert(ada, attr("ClubMember", true)))
	for name, code := range map[string]string{
		"club_member":       kith.ECodeAttributeNameTaken,
		"Club-Member":       kith.ECodeAttributeNameTaken,
		"clubmember":        kith.ECodeAttributeNameTaken,
		"first_name":        kith.ECodeAttributeNameTaken,
		"status":            kith.ECodeReservedAttribute,
		"geo_loc_city":      kith.ECodeReservedAttribute,
		"email":             kith.ECodeReservedAttribute,
		"previousClientIds": kith.ECodeReservedAttribute,
		"9lives":            kith.ECodeInvalidAttrName,
	} {
		wantRefused(t, st, ws, code, []int64{p.ClientID}, upsert(ada, attr(name, "x")))
	}
	for _, name := range []string{"firstName", "ClubMember", "brandNew"} {
		wantRefused(t, st, ws, kith.ECodeAttrNull, []int64{p.ClientID}, upsert(ada, attr(name, nil)))
	}
	eq(t, "definition of brandNew", defType(t, st, ws, "brandNew"), "")
}

func testStrictRefusedWhole(t *testing.T, st kith.Store, ws *kith.Workspace) {
	who := person(ws, "ada")
	p := mustApply(t, st, ws, upsert(who, attr("firstName", "Ada"), tags("old")))
	bob := person(ws, "bob")
	bad := func(client kith.Identifiers) {
		t.Helper()
		wantRefused(t, st, ws, kith.ECodeInvalidBirthDate, []int64{p.ClientID},
			upsert(client, attr("firstName", "Bob"), attr("birthDate", "1990-02-30"), attr("favColor", "blue"),
				tags("newtag"), agree("email", true)))
	}
	bad(ids(bob, browser(newUUID()))) // would create a profile
	bad(who)                          // would update one
	eq(t, "owner of bob", ownerOfMain(t, st, ws, bob), int64(0))
	eq(t, "definition of favColor", defType(t, st, ws, "favColor"), "")
	if slices.Contains(tagNames(catalogueTags(t, st, ws)), "newtag") {
		t.Errorf("refused write created tag newtag")
	}
}

func testEventBadFieldSkipped(t *testing.T, st kith.Store, ws *kith.Workspace) {
	who := person(ws, "ada")
	res := mustApply(t, st, ws, ev(kith.ActionFormSubmit, ids(who, browser(newUUID())),
		attr("firstName", "Ada"), attr("birthDate", "1990-02-30"), attr("status", "gold"), attr("favColor", "blue"),
		attr("lastName", nil), tags("newsletter", ""), agree("email", true), agree("fax", true)))
	if !res.Created {
		t.Fatalf("event with bad profile fields was not stored on a new profile: %+v", res)
	}
	eq(t, "warning codes", sorted(codes(res.Warnings)), sorted([]string{kith.ECodeInvalidBirthDate, kith.ECodeReservedAttribute,
		kith.ECodeAttrNull, kith.ECodeInvalidTag, kith.ECodeInvalidAgreement}))
	eq(t, "warning fields", sorted(fields(res.Warnings)), sorted([]string{"attributes.birthDate", "attributes.status",
		"attributes.lastName", "tags[1]", "agreements.fax"}))
	p := profile(t, st, ws, res.ClientID)
	jsonEq(t, "attributes", p.Attributes, map[string]any{"firstName": "Ada", "favColor": "blue"})
	eq(t, "tags", p.Tags, []string{"newsletter"})
	if a := p.Agreements["email"]; !a.Granted {
		t.Errorf("email agreement not granted: the valid fields must be applied")
	}
	if _, ok := p.Agreements["fax"]; ok {
		t.Errorf("unknown channel fax stored")
	}
	eq(t, "form.submit stored", countAction(t, st, ws, res.ClientID, kith.ActionFormSubmit), 1)
	eq(t, "definition of favColor", defType(t, st, ws, "favColor"), kith.TypeString)
	eq(t, "definition of status", defType(t, st, ws, "status"), "")
}

func testAttributeChanges(t *testing.T, st kith.Store, ws *kith.Workspace) {
	p := mustApply(t, st, ws, upsert(ada, attr("firstName", "Ada"), attr("points", 1.0)))
	mustApply(t, st, ws, upsert(ada, attr("firstName", "Ann"), attr("lastName", "Lovelace"), attr("points", 1.0)))
	mustApply(t, st, ws, upsert(ada, attr("firstName", "Ann")))    // no change
	mustApply(t, st, ws, ev("cart.add", ada, attr("points", 2.0))) // events update profiles too
	evs := eventsOf(t, st, ws, p.ClientID, kith.ActionProfileUpdated)
	if len(evs) != 3 {
		t.Fatalf("profile.updated events = %d, want 3 (one per write that changed a value)", len(evs))
	}
	jsonEq(t, "first changes", byName(params[updatedParams](t, evs[2]).Changes),
		[]change{{Name: "firstName", New: "Ada"}, {Name: "points", New: 1}})
	jsonEq(t, "second changes", byName(params[updatedParams](t, evs[1]).Changes),
		[]change{{Name: "firstName", Old: "Ada", New: "Ann"}, {Name: "lastName", New: "Lovelace"}})
	jsonEq(t, "third changes", params[updatedParams](t, evs[0]).Changes, []change{{Name: "points", Old: 1, New: 2}})
	// Attributes not written keep their values.
	jsonEq(t, "attributes", profile(t, st, ws, p.ClientID).Attributes,
		map[string]any{"firstName": "Ann", "lastName": "Lovelace", "points": 2})
}

var colour = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

func testTags(t *testing.T, st kith.Store, ws *kith.Workspace) {
	p := mustApply(t, st, ws, upsert(ada, tags("newsletter", "summer")))
	cat := catalogueTags(t, st, ws)
	eq(t, "catalogue", tagNames(cat), []string{"newsletter", "summer"})
	for _, tg := range cat {
		if !colour.MatchString(tg.Color) {
			t.Errorf("tag %s colour %q, want #rrggbb", tg.Name, tg.Color)
		}
	}
	mustApply(t, st, ws, ev(kith.ActionFormSubmit, ada, tags("newsletter", "vip", " vip ")))
	eq(t, "profile tags", sorted(profile(t, st, ws, p.ClientID).Tags), []string{"newsletter", "summer", "vip"})
	eq(t, "profile.tagAdded events", tagsAdded(t, st, ws, p.ClientID), []string{"newsletter", "summer", "vip"})
	q := mustApply(t, st, ws, upsert(email("bob@example.com"), tags("vip")))
	eq(t, "bob's tags", profile(t, st, ws, q.ClientID).Tags, []string{"vip"})
	eq(t, "catalogue", tagNames(catalogueTags(t, st, ws)), []string{"newsletter", "summer", "vip"})
	wantRefused(t, st, ws, kith.ECodeInvalidTag, []int64{p.ClientID}, upsert(ada, tags("ok-tag", "   ")))
}

func testAgreements(t *testing.T, st kith.Store, ws *kith.Workspace) {
	t1, t2, t3, t4 := ago(4*time.Hour), ago(3*time.Hour), ago(2*time.Hour), ago(time.Hour)
	p := mustApply(t, st, ws, upsert(ada))
	mustApply(t, st, ws, ev(kith.ActionFormSubmit, ada, agree("email", true), agree("sms", true), at(t2),
		source(kith.SourceForm), origin("203.0.113.7", "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0")))
	evs := eventsOf(t, st, ws, p.ClientID, kith.ActionAgreementChanged)
	got := map[string]agreementParams{}
	for _, e := range evs {
		ap := params[agreementParams](t, e)
		got[ap.Channel] = ap
	}
	want := agreementParams{Granted: true, Source: kith.SourceForm, IP: "203.0.113.7", UserAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0"}
	for _, ch := range []string{"email", "sms"} {
		w := want
		w.Channel = ch
		eq(t, "profile.agreementChanged "+ch, got[ch], w)
	}
	eq(t, "profile.agreementChanged events", len(evs), 2)
	wantAgreement(t, profile(t, st, ws, p.ClientID), "email", true, t2, kith.SourceForm)

	// The same decision again is no change.
	mustApply(t, st, ws, upsert(ada, agree("email", true), at(t3)))
	eq(t, "events after repeating a decision", countAction(t, st, ws, p.ClientID, kith.ActionAgreementChanged), 2)
	// An older decision arriving late does not override a newer one.
	mustApply(t, st, ws, upsert(ada, agree("email", false), at(t1)))
	eq(t, "email granted after an older withdrawal", profile(t, st, ws, p.ClientID).Agreements["email"].Granted, true)
	eq(t, "events after an older decision", countAction(t, st, ws, p.ClientID, kith.ActionAgreementChanged), 2)
	// A newer one does.
	mustApply(t, st, ws, upsert(ada, agree("email", false), at(t4)))
	wantAgreement(t, profile(t, st, ws, p.ClientID), "email", false, t4, kith.SourceAPI)
	evs = eventsOf(t, st, ws, p.ClientID, kith.ActionAgreementChanged)
	if len(evs) != 3 {
		t.Fatalf("profile.agreementChanged events = %d, want 3", len(evs))
	}
	eq(t, "newest profile.agreementChanged", params[agreementParams](t, evs[0]),
		agreementParams{Channel: "email", Granted: false, Source: kith.SourceAPI})
	eq(t, "sms untouched", profile(t, st, ws, p.ClientID).Agreements["sms"].Granted, true)
}

func testDevices(t *testing.T, st kith.Store, ws *kith.Workspace) {
	t1, t2, t3 := ago(3*time.Hour), ago(2*time.Hour), ago(time.Hour)
	seen := func(d kith.Device, at time.Time) kith.Device { d.LastSeenAt = at; return d }
	chrome := kith.Device{Browser: "Chrome 131", OS: "Android", DeviceType: "mobile"}
	p := mustApply(t, st, ws, ev(kith.ActionPageVisit, ada, device(seen(firefox, t1))))
	mustApply(t, st, ws, ev(kith.ActionPageVisit, ada, device(seen(firefox, t2))))
	mustApply(t, st, ws, ev(kith.ActionPageVisit, ada, device(seen(firefox, t1))))
	mustApply(t, st, ws, ev(kith.ActionPageVisit, ada, device(seen(chrome, t3))))
	devs := profile(t, st, ws, p.ClientID).Devices
	byBrowser := map[string]kith.Device{}
	for _, d := range devs {
		byBrowser[d.Browser] = d
	}
	if len(devs) != 2 {
		t.Fatalf("devices = %+v, want Firefox and Chrome once each", devs)
	}
	if d := byBrowser[firefox.Browser]; !d.LastSeenAt.Equal(t2) || d.OS != "Linux" || d.DeviceType != "desktop" {
		t.Errorf("firefox = %+v, want Linux desktop last seen %v (the latest)", d, t2)
	}
	if d := byBrowser[chrome.Browser]; !d.LastSeenAt.Equal(t3) || d.OS != "Android" || d.DeviceType != "mobile" {
		t.Errorf("chrome = %+v, want Android mobile last seen %v", d, t3)
	}
}
