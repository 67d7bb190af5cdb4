package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/identity"
)

// mergeTests checks what a merge moves (SPEC §2 "Merge"), for the
// implicit merge of R4 and the explicit merge API.
var mergeTests = []testCase{
	{"Merge_implicit_moves_everything", bothModes, testMergeImplicit},
	{"Merge_explicit_recognized_releases_identifiers", bothModes, testMergeExplicit},
	{"Merge_explicit_limits_and_refusals", emailMode, testMergeLimits},
	{"Merge_chain", bothModes, testMergeChain},
	{"Merge_explicit_several_sources_one_event", bothModes, testMergeSeveralSources},
	{"Merge_explicit_into_anonymous_target_identifies", bothModes, testMergeIntoAnonymous},
	{"Merge_within_one_session", bothModes, testMergeInOneSession},
}

var firefox = kith.Device{Browser: "Firefox 133", OS: "Linux", DeviceType: "desktop"}

func testMergeImplicit(t *testing.T, st kith.Store, ws *kith.Workspace) {
	t1, t2, t3 := ago(3*time.Hour), ago(2*time.Hour), ago(time.Hour)
	u := newUUID()
	seen := firefox
	seen.LastSeenAt = t2
	a := mustApply(t, st, ws, ev(kith.ActionPageVisit, browser(u),
		attr("firstName", "Ann"), attr("city", "Gdańsk"), attr("shoeSize", 38.0),
		tags("a-only", "shared"), agree("email", true), agree("sms", false), agree("push", true),
		at(t2), device(seen)))
	aEvents := events(t, st, ws, a.ClientID)

	ada := person(ws, "ada")
	p := mustApply(t, st, ws, upsert(ada, attr("firstName", "Ada"), tags("shared", "p-only"), agree("email", false), at(t1)))
	mustApply(t, st, ws, upsert(ada, agree("sms", true), at(t3)))
	older, chrome := firefox, kith.Device{Browser: "Chrome 131", OS: "Android", DeviceType: "mobile", LastSeenAt: t1}
	older.LastSeenAt = t1
	mustApply(t, st, ws, upsert(ada, device(older)))
	mustApply(t, st, ws, upsert(ada, device(chrome)))
	pUUIDs := profile(t, st, ws, p.ClientID).UUIDs

	res := mustApply(t, st, ws, ev(kith.ActionFormSubmit, ids(ada, browser(u))))
	wantResult(t, res, p.ClientID, false, false, a.ClientID)

	got := profile(t, st, ws, p.ClientID)
	// The target keeps its values and receives what it lacks.
	jsonEq(t, "attributes", got.Attributes, map[string]any{"firstName": "Ada", "city": "Gdańsk", "shoeSize": 38})
	eq(t, "tags (union)", sorted(got.Tags), []string{"a-only", "p-only", "shared"})
	eq(t, "uuids", sorted(got.UUIDs), sorted(append(pUUIDs, u)))
	eq(t, "main identifier", mainOfProfile(ws, got), mainOf(ws, ada))
	// Agreements: the more recent decision wins, channel by channel.
	wantAgreement(t, got, "email", true, t2, kith.SourceTracker) // source's is newer
	wantAgreement(t, got, "sms", true, t3, kith.SourceAPI)       // target's is newer
	wantAgreement(t, got, "push", true, t2, kith.SourceTracker)  // target had none
	// Devices: the union, the same device once with its latest sighting.
	devices := map[string]time.Time{}
	for _, d := range got.Devices {
		devices[d.Browser+"/"+d.OS+"/"+d.DeviceType] = d.LastSeenAt.UTC()
	}
	eq(t, "devices", devices, map[string]time.Time{"Firefox 133/Linux/desktop": t2, "Chrome 131/Android/mobile": t1})
	eq(t, "previousClientIds", got.PreviousClientIDs, []int64{a.ClientID})

	// The source is gone; its identifiers and events answer the target.
	wantGone(t, st, ws, a.ClientID)
	eq(t, "A's clientId answers", survivor(t, st, ws, a.ClientID), p.ClientID)
	eq(t, "owner of A's uuid", owner(t, st, ws, kith.KindUUID, u), p.ClientID)
	for _, e := range aEvents {
		moved, err := findEvent(t, st, ws, e.EventID)
		if err != nil {
			t.Errorf("A's %s event %s: %v", e.Action, e.EventID, err)
			continue
		}
		eq(t, "owner of A's "+e.Action+" event", moved.ClientID, p.ClientID)
	}
	timeline := map[string]bool{}
	for _, e := range events(t, st, ws, p.ClientID) {
		timeline[e.EventID] = true
	}
	for _, e := range aEvents {
		if !timeline[e.EventID] {
			t.Errorf("A's %s event %s is not on P's timeline", e.Action, e.EventID)
		}
	}

	// The merge's system events.
	merges := eventsOf(t, st, ws, p.ClientID, kith.ActionClientMerge)
	if len(merges) != 1 {
		t.Fatalf("client.merge events = %d, want 1", len(merges))
	}
	m := merges[0]
	mp := params[mergeParams](t, m)
	eq(t, "client.merge fromClientIds", mp.FromClientIDs, []int64{a.ClientID})
	eq(t, "client.merge reason", mp.Reason, kith.MergeImplicit)
	if mp.MergeID <= 0 {
		t.Errorf("client.merge mergeId = %d, want a journal id", mp.MergeID)
	}
	var filled []change
	var agreed []agreementParams
	var tagged []string
	for _, e := range events(t, st, ws, p.ClientID) {
		if !e.Time.Equal(m.Time) {
			continue // not written by the merge
		}
		switch e.Action {
		case kith.ActionProfileUpdated:
			filled = append(filled, params[updatedParams](t, e).Changes...)
		case kith.ActionAgreementChanged:
			agreed = append(agreed, params[agreementParams](t, e))
		case kith.ActionTagAdded:
			tagged = append(tagged, params[tagParams](t, e).Tag)
		}
	}
	jsonEq(t, "profile.updated changes of the merge", byName(filled),
		[]change{{Name: "city", New: "Gdańsk"}, {Name: "shoeSize", New: 38.0}})
	channels := map[string]bool{}
	for _, a := range agreed {
		channels[a.Channel] = a.Granted
	}
	eq(t, "profile.agreementChanged of the merge (channel → granted)", channels, map[string]bool{"email": true, "push": true})
	eq(t, "profile.tagAdded of the merge", sorted(tagged), []string{"a-only"})
}

func wantAgreement(t testing.TB, p *kith.Profile, channel string, granted bool, changedAt time.Time, source string) {
	t.Helper()
	a, ok := p.Agreements[channel]
	if !ok {
		t.Errorf("agreement %s: not decided, want granted=%v", channel, granted)
		return
	}
	if a.Granted != granted || !a.ChangedAt.Equal(changedAt) || a.Source != source {
		t.Errorf("agreement %s = {granted %v, changedAt %v, source %q}, want {%v, %v, %q}",
			channel, a.Granted, a.ChangedAt, a.Source, granted, changedAt, source)
	}
}

// byName returns changes sorted by attribute name.
func byName(cs []change) []change {
	out := append([]change{}, cs...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j].Name < out[i].Name {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func testMergeExplicit(t *testing.T, st kith.Store, ws *kith.Workspace) {
	ada, bob := person(ws, "ada"), person(ws, "bob")
	u1, u2 := newUUID(), newUUID()
	p := mustApply(t, st, ws, upsert(ids(ada, browser(u1)), attr("firstName", "Ada"), tags("p")))
	q := mustApply(t, st, ws, upsert(ids(bob, secondary(ws, "bob"), browser(u2)), attr("firstName", "Bob"), attr("city", "Oslo"), tags("q")))
	mustApply(t, st, ws, ev(kith.ActionPageVisit, bob, rawEventID(newUUID())))
	visit := eventsOf(t, st, ws, q.ClientID, kith.ActionPageVisit)[0].EventID

	res := mustMerge(t, st, ws, p.ClientID, q.ClientID)
	eq(t, "result clientId", res.ClientID, p.ClientID)
	eq(t, "result merged", res.Merged, []int64{q.ClientID})
	eq(t, "result released", res.Released, []kith.Identifiers{bob})

	got := profile(t, st, ws, p.ClientID)
	eq(t, "main identifier (target keeps its own)", mainOfProfile(ws, got), mainOf(ws, ada))
	eq(t, "secondary identifier (target lacked one)", secondaryOf(ws, got), secondaryValue(ws, "bob"))
	jsonEq(t, "attributes", got.Attributes, map[string]any{"firstName": "Ada", "city": "Oslo"})
	eq(t, "tags", sorted(got.Tags), []string{"p", "q"})
	eq(t, "uuids", sorted(got.UUIDs), sorted([]string{u1, u2}))
	eq(t, "previousClientIds", got.PreviousClientIDs, []int64{q.ClientID})
	wantGone(t, st, ws, q.ClientID)
	eq(t, "Q's clientId answers", survivor(t, st, ws, q.ClientID), p.ClientID)
	eq(t, "released identifier's owner", ownerOfMain(t, st, ws, bob), int64(0))
	if ws.IdentityMode == kith.ModeEmail {
		eq(t, "owner of bob's customId", owner(t, st, ws, kith.KindCustomID, "LOY-bob"), p.ClientID)
	}
	e, err := findEvent(t, st, ws, visit)
	if err != nil || e.ClientID != p.ClientID {
		t.Errorf("Q's page.visit after the merge: %+v, %v; want it on %d", e, err, p.ClientID)
	}
	merges := eventsOf(t, st, ws, p.ClientID, kith.ActionClientMerge)
	if len(merges) != 1 {
		t.Fatalf("client.merge events = %d, want 1", len(merges))
	}
	mp := params[mergeParams](t, merges[0])
	eq(t, "client.merge fromClientIds", mp.FromClientIDs, []int64{q.ClientID})
	eq(t, "client.merge reason", mp.Reason, kith.MergeExplicit)
	if mp.MergeID <= 0 {
		t.Errorf("client.merge mergeId = %d, want a journal id", mp.MergeID)
	}

	if ws.IdentityMode == kith.ModeEmail {
		// Both identifiers of a source are released when the target has
		// other values of both.
		r := mustApply(t, st, ws, upsert(ids(email("rob@example.com"), custom("LOY-rob"))))
		res := mustMerge(t, st, ws, p.ClientID, r.ClientID)
		eq(t, "released", res.Released, []kith.Identifiers{{Email: "rob@example.com"}, {CustomID: "LOY-rob"}})
		eq(t, "owner of rob", owner(t, st, ws, kith.KindEmail, "rob@example.com"), int64(0))
		eq(t, "owner of LOY-rob", owner(t, st, ws, kith.KindCustomID, "LOY-rob"), int64(0))
		eq(t, "customId kept", profile(t, st, ws, p.ClientID).CustomID, "LOY-bob")
	}

	// The released identifier is free: a write with it makes a new profile.
	n := mustApply(t, st, ws, upsert(bob))
	wantResult(t, n, n.ClientID, true, false)
	if n.ClientID == p.ClientID || n.ClientID == q.ClientID {
		t.Errorf("the released identifier's new profile reused clientId %d", n.ClientID)
	}
}

func testMergeLimits(t *testing.T, st kith.Store, ws *kith.Workspace) {
	var writes []*identity.Write
	for i := range 42 {
		writes = append(writes, upsert(email(fmt.Sprintf("m%d@example.com", i)), tags(fmt.Sprintf("t%d", i))))
	}
	results, errs := batch(t, st, ws, writes...)
	var idsOf []int64
	for i, r := range results {
		if errs[i] != nil {
			t.Fatalf("create profile %d: %v", i, errs[i])
		}
		idsOf = append(idsOf, r.ClientID)
	}
	target, twenty, more := idsOf[0], idsOf[1:21], idsOf[21:42] // 21 sources

	refused := func(what, code string, target int64, sources ...int64) {
		t.Helper()
		all := append([]int64{target}, sources...)
		before := snapshot(t, st, ws, all)
		_, err := merge(t, st, ws, target, sources...)
		wantCode(t, what, err, code)
		wantUnchanged(t, what, before, snapshot(t, st, ws, all))
	}
	refused("21 sources", kith.ECodeTooManyMergeSources, target, more...)
	refused("no source", kith.ECodeRequired, target)
	refused("self", kith.ECodeConflict, target, target)
	refused("duplicate source", kith.ECodeConflict, target, twenty[0], twenty[0])
	refused("unknown source", kith.ECodeNotFound, target, twenty[0], idsOf[41]+1000000)
	refused("unknown target", kith.ECodeNotFound, idsOf[41]+1000000, twenty[0])

	res := mustMerge(t, st, ws, target, twenty...)
	eq(t, "merged (20 sources)", sorted(res.Merged), sorted(twenty))
	got := profile(t, st, ws, target)
	eq(t, "previousClientIds", sorted(got.PreviousClientIDs), sorted(twenty))
	eq(t, "uuids", len(got.UUIDs), 21)
	eq(t, "tags", len(got.Tags), 21)
	eq(t, "released emails", len(res.Released), 20)
	for _, id := range twenty {
		wantGone(t, st, ws, id)
		eq(t, "merged-away clientId answers", survivor(t, st, ws, id), target)
	}
	// A source given by a clientId that now answers the target.
	refused("source merged into the target", kith.ECodeConflict, target, twenty[3])
	// A target given by an old clientId resolves to the survivor.
	res = mustMerge(t, st, ws, twenty[5], more[0])
	eq(t, "target by old clientId", res.ClientID, target)
	eq(t, "survivor of the new source", survivor(t, st, ws, more[0]), target)
}

func testMergeChain(t *testing.T, st kith.Store, ws *kith.Workspace) {
	a := mustApply(t, st, ws, ev(kith.ActionPageVisit, browser(newUUID())))
	b := mustApply(t, st, ws, ev(kith.ActionPageVisit, browser(newUUID())))
	c := mustApply(t, st, ws, upsert(person(ws, "carol")))
	aVisit := eventsOf(t, st, ws, a.ClientID, kith.ActionPageVisit)[0].EventID

	r1 := mustMerge(t, st, ws, b.ClientID, a.ClientID)
	r2 := mustMerge(t, st, ws, c.ClientID, b.ClientID)
	eq(t, "first merge merged", r1.Merged, []int64{a.ClientID})
	eq(t, "second merge merged", r2.Merged, []int64{b.ClientID})

	eq(t, "A answers", survivor(t, st, ws, a.ClientID), c.ClientID)
	eq(t, "B answers", survivor(t, st, ws, b.ClientID), c.ClientID)
	wantGone(t, st, ws, a.ClientID)
	wantGone(t, st, ws, b.ClientID)
	got := profile(t, st, ws, c.ClientID)
	eq(t, "previousClientIds", sorted(got.PreviousClientIDs), sorted([]int64{a.ClientID, b.ClientID}))
	eq(t, "uuids", len(got.UUIDs), 3)
	e, err := findEvent(t, st, ws, aVisit)
	if err != nil || e.ClientID != c.ClientID {
		t.Errorf("A's page.visit: %+v, %v; want it on %d", e, err, c.ClientID)
	}
	res := mustApply(t, st, ws, ev("cart.add", clientID(a.ClientID)))
	wantResult(t, res, c.ClientID, false, false)

	// Each merge has its own journal entry.
	ids := map[int64]bool{}
	for _, m := range eventsOf(t, st, ws, c.ClientID, kith.ActionClientMerge) {
		ids[params[mergeParams](t, m).MergeID] = true
	}
	if len(ids) != 2 || ids[0] {
		t.Errorf("mergeIds of the two merges = %v, want two distinct journal ids", ids)
	}
}

func testMergeSeveralSources(t *testing.T, st kith.Store, ws *kith.Workspace) {
	p := mustApply(t, st, ws, upsert(person(ws, "ada")))
	a := mustApply(t, st, ws, ev(kith.ActionPageVisit, browser(newUUID())))
	b := mustApply(t, st, ws, ev(kith.ActionPageVisit, browser(newUUID())))
	res := mustMerge(t, st, ws, p.ClientID, a.ClientID, b.ClientID)
	eq(t, "merged", sorted(res.Merged), sorted([]int64{a.ClientID, b.ClientID}))
	eq(t, "previousClientIds", sorted(profile(t, st, ws, p.ClientID).PreviousClientIDs), sorted([]int64{a.ClientID, b.ClientID}))
	// One merge: the target gets one client.merge event naming all its
	// sources, recorded as one journal entry.
	merges := eventsOf(t, st, ws, p.ClientID, kith.ActionClientMerge)
	if len(merges) != 1 {
		var got []mergeParams
		for _, m := range merges {
			got = append(got, params[mergeParams](t, m))
		}
		t.Fatalf("client.merge events for one merge of two sources = %+v, want one with fromClientIds [%d %d]", got, a.ClientID, b.ClientID)
	}
	mp := params[mergeParams](t, merges[0])
	eq(t, "client.merge fromClientIds", sorted(mp.FromClientIDs), sorted([]int64{a.ClientID, b.ClientID}))
	eq(t, "client.merge reason", mp.Reason, kith.MergeExplicit)
}

func testMergeIntoAnonymous(t *testing.T, st kith.Store, ws *kith.Workspace) {
	// The target survives and keeps its clientId; it receives the main
	// identifier it lacks and so becomes recognized.
	anon := mustApply(t, st, ws, ev(kith.ActionPageVisit, browser(newUUID())))
	ada := person(ws, "ada")
	r := mustApply(t, st, ws, upsert(ada))
	res := mustMerge(t, st, ws, anon.ClientID, r.ClientID)
	eq(t, "released", len(res.Released), 0)
	p := profile(t, st, ws, anon.ClientID)
	eq(t, "main identifier", mainOfProfile(ws, p), mainOf(ws, ada))
	eq(t, "owner of ada", ownerOfMain(t, st, ws, ada), anon.ClientID)
	wantGone(t, st, ws, r.ClientID)
	idf := eventsOf(t, st, ws, anon.ClientID, kith.ActionClientIdentify)
	if len(idf) != 1 {
		t.Fatalf("client.identify events = %d, want 1: the anonymous target became recognized", len(idf))
	}
	jsonEq(t, "client.identify params", params[map[string]any](t, idf[0]), map[string]any{string(ws.MainKind()): mainOf(ws, ada)})
}

func testMergeInOneSession(t *testing.T, st kith.Store, ws *kith.Workspace) {
	// One batch: a visitor's first visit creates A, a form identifies the
	// browser as P's customer (A merged into P), and an event addressed to
	// A's clientId follows. Nothing may stay on A.
	ada := person(ws, "ada")
	p := mustApply(t, st, ws, upsert(ada))
	u := newUUID()
	results, errs := batch(t, st, ws,
		ev(kith.ActionPageVisit, browser(u), rawEventID(newUUID())),
		ev(kith.ActionFormSubmit, ids(ada, browser(u))))
	for _, err := range errs {
		if err != nil {
			t.Fatalf("batch: %v", err)
		}
	}
	a := results[0].ClientID
	wantResult(t, results[0], a, true, false)
	wantResult(t, results[1], p.ClientID, false, false, a)
	res := mustApply(t, st, ws, ev("cart.add", clientID(a)))
	wantResult(t, res, p.ClientID, false, false)
	wantGone(t, st, ws, a)
	eq(t, "events left on A", len(events(t, st, ws, a)), 0)
	for _, action := range []string{kith.ActionPageVisit, kith.ActionFormSubmit, "cart.add", kith.ActionClientMerge} {
		eq(t, action+" on P", countAction(t, st, ws, p.ClientID, action), 1)
	}
	eq(t, "client.add on P (P's and A's)", countAction(t, st, ws, p.ClientID, kith.ActionClientAdd), 2)
	eq(t, "owner of u", owner(t, st, ws, kith.KindUUID, u), p.ClientID)
}
