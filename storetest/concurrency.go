package storetest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/identity"
)

// nodeTests checks R9: concurrent writes with the same new identifiers
// create one profile, merges and the writes that cause them commit
// together, and no write is lost or stored twice — whatever the
// interleaving. Each test runs many goroutines, each write in its own
// store.Update, as concurrent HTTP requests do. Given several stores
// sharing one database (RunNodes), the writes are spread over them, as
// over several Kith nodes; results are read through the first.
var nodeTests = []nodeCase{
	{"R9_same_new_identifier_creates_one_profile", bothModes, testR9SameIdentifier},
	{"R9_anonymous_visits_then_identify", bothModes, testR9VisitsThenIdentify},
	{"R9_mixed_traffic_invariants", bothModes, testR9Mixed},
	{"R9_concurrent_explicit_merges", emailMode, testR9Merges},
}

// nodeCase is a test that runs on one store or on several stores sharing
// one database.
type nodeCase struct {
	name  string
	modes []string
	run   func(t *testing.T, nodes []kith.Store, ws *kith.Workspace)
}

// concurrencyTests are the nodeTests on a single store.
var concurrencyTests = func() []testCase {
	var out []testCase
	for _, nc := range nodeTests {
		out = append(out, testCase{nc.name, nc.modes, func(t *testing.T, st kith.Store, ws *kith.Workspace) {
			nc.run(t, []kith.Store{st}, ws)
		}})
	}
	return out
}()

// outcome collects what concurrent writes answered.
type outcome struct {
	mu       sync.Mutex
	errs     []error
	accepted []string // event ids of accepted events
	seen     []int64  // every clientId a result named
}

func (o *outcome) record(w *identity.Write, res *identity.Result, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if err != nil {
		o.errs = append(o.errs, fmt.Errorf("%s: %w (code %s)", describe(w), err, kith.ErrorCode(err)))
		return
	}
	o.seen = append(o.seen, res.ClientID)
	o.seen = append(o.seen, res.Merged...)
	if w.Event != nil && !res.Duplicate {
		o.accepted = append(o.accepted, w.Event.EventID)
	}
}

// noErrors fails the test when a write was refused: every write of these
// tests is valid and must be accepted under any interleaving.
func (o *outcome) noErrors(t testing.TB) {
	t.Helper()
	for i, err := range o.errs {
		if i == 10 {
			t.Errorf("… and %d more", len(o.errs)-10)
			break
		}
		t.Errorf("concurrent write refused: %v", err)
	}
	if len(o.errs) > 0 {
		t.FailNow()
	}
}

// prepared returns a write ready to run without a *testing.T: normalized
// identifiers and a caller-chosen event id.
func prepared(t testing.TB, ws *kith.Workspace, w *identity.Write) *identity.Write {
	t.Helper()
	normalize(t, ws, w)
	if w.Event != nil && w.Event.EventID == "" {
		w.Event.EventID = newUUID()
	}
	return w
}

func testR9SameIdentifier(t *testing.T, nodes []kith.Store, ws *kith.Workspace) {
	st := nodes[0]
	const n = 32
	who := person(ws, "ada")
	writes := make([]*identity.Write, n)
	uuids := make([]string, n)
	for i := range writes {
		uuids[i] = newUUID()
		writes[i] = prepared(t, ws, ev(kith.ActionFormSubmit, ids(who, browser(uuids[i])), tags("vip"), attr("visits", float64(i))))
	}
	now := tick()
	var o outcome
	results := make([]*identity.Result, n)
	hammer(n, func(i int) {
		res, err := applyWrite(t.Context(), nodes[i%len(nodes)], ws, now, writes[i])
		results[i] = res
		o.record(writes[i], res, err)
	})
	o.noErrors(t)

	id := results[0].ClientID
	created := 0
	for i, r := range results {
		if r.ClientID != id {
			t.Errorf("write %d landed on %d, write 0 on %d: two profiles for one new identifier", i, r.ClientID, id)
		}
		if r.Created {
			created++
		}
	}
	eq(t, "writes that created the profile", created, 1)
	eq(t, "owner of the identifier", ownerOfMain(t, st, ws, who), id)
	p := profile(t, st, ws, id)
	eq(t, "uuids (every browser attached)", sorted(p.UUIDs), sorted(uuids))
	eq(t, "tags", p.Tags, []string{"vip"})
	eq(t, "catalogue", tagNames(catalogueTags(t, st, ws)), []string{"vip"})
	eq(t, "definition of visits", defType(t, st, ws, "visits"), kith.TypeNumber)
	eq(t, "client.add events", countAction(t, st, ws, id, kith.ActionClientAdd), 1)
	eq(t, "form.submit events", countAction(t, st, ws, id, kith.ActionFormSubmit), n)
	eq(t, "profile.tagAdded events", countAction(t, st, ws, id, kith.ActionTagAdded), 1)
}

func testR9VisitsThenIdentify(t *testing.T, nodes []kith.Store, ws *kith.Workspace) {
	st := nodes[0]
	const browsers = 16
	uuids := make([]string, browsers)
	for i := range uuids {
		uuids[i] = newUUID()
	}
	// Phase 1: two tabs per browser send their first visit at once.
	var o outcome
	visits := make([]*identity.Write, 2*browsers)
	for i := range visits {
		var opts []option
		if i%2 == 0 { // what one tab knows about its visitor
			opts = append(opts, attr(fmt.Sprintf("from%d", i/2), float64(i/2)), tags(fmt.Sprintf("b%d", i/2)))
		}
		visits[i] = prepared(t, ws, ev(kith.ActionPageVisit, browser(uuids[i/2]), opts...))
	}
	now := tick()
	hammer(len(visits), func(i int) {
		res, err := applyWrite(t.Context(), nodes[i%len(nodes)], ws, now, visits[i])
		o.record(visits[i], res, err)
	})
	o.noErrors(t)
	anon := map[int64]bool{}
	for _, u := range uuids {
		id := owner(t, st, ws, kith.KindUUID, u)
		if id == 0 {
			t.Fatalf("uuid %s owned by nobody after its visits", u)
		}
		anon[id] = true
		eq(t, "page.visit events of one browser", countAction(t, st, ws, id, kith.ActionPageVisit), 2)
		eq(t, "client.add events of one browser", countAction(t, st, ws, id, kith.ActionClientAdd), 1)
	}
	eq(t, "anonymous profiles", len(anon), browsers)

	// Phase 2: every browser identifies as the same customer at once.
	who := person(ws, "ada")
	forms := make([]*identity.Write, browsers)
	for i := range forms {
		forms[i] = prepared(t, ws, ev(kith.ActionFormSubmit, ids(who, browser(uuids[i]))))
	}
	now = tick()
	hammer(browsers, func(i int) {
		res, err := applyWrite(t.Context(), nodes[i%len(nodes)], ws, now, forms[i])
		o.record(forms[i], res, err)
	})
	o.noErrors(t)

	id := ownerOfMain(t, st, ws, who)
	if !anon[id] {
		t.Fatalf("the customer's profile %d is none of the anonymous profiles (R5 must recognize one of them)", id)
	}
	p := profile(t, st, ws, id)
	eq(t, "uuids", sorted(p.UUIDs), sorted(uuids))
	// Every merge filled what it brought: no fill lost to a concurrent one.
	wantAttrs := map[string]any{}
	var wantTags []string
	for i := range browsers {
		wantAttrs[fmt.Sprintf("from%d", i)] = i
		wantTags = append(wantTags, fmt.Sprintf("b%d", i))
	}
	jsonEq(t, "attributes", p.Attributes, wantAttrs)
	eq(t, "tags", sorted(p.Tags), sorted(wantTags))
	var others []int64
	for a := range anon {
		if a != id {
			others = append(others, a)
			wantGone(t, st, ws, a)
			eq(t, "merged-away clientId answers", survivor(t, st, ws, a), id)
		}
	}
	eq(t, "previousClientIds", sorted(p.PreviousClientIDs), sorted(others))
	eq(t, "page.visit events", countAction(t, st, ws, id, kith.ActionPageVisit), 2*browsers)
	eq(t, "form.submit events", countAction(t, st, ws, id, kith.ActionFormSubmit), browsers)
	eq(t, "client.add events", countAction(t, st, ws, id, kith.ActionClientAdd), browsers)
	eq(t, "client.identify events", countAction(t, st, ws, id, kith.ActionClientIdentify), 1)
	eq(t, "client.merge events", countAction(t, st, ws, id, kith.ActionClientMerge), browsers-1)
	for _, u := range uuids {
		eq(t, "owner of "+u, owner(t, st, ws, kith.KindUUID, u), id)
	}
}

func testR9Mixed(t *testing.T, nodes []kith.Store, ws *kith.Workspace) {
	st := nodes[0]
	const (
		goroutines = 32
		perG       = 10
		nPeople    = 10
		nBrowsers  = 24
		nIdentify  = 16 // browsers 16–23 stay anonymous
	)
	people, uuids := crowd(ws, "p", nPeople, nBrowsers)
	// Each goroutine's writes are drawn in advance from its own seed: the
	// traffic is reproducible, the interleaving is not.
	plan := make([][]*identity.Write, goroutines)
	for g := range plan {
		rng := rand.New(rand.NewPCG(uint64(g), 9))
		for range perG {
			k, b := rng.IntN(nPeople), rng.IntN(nBrowsers)
			name := fmt.Sprintf("p%d", k)
			var w *identity.Write
			switch r := rng.IntN(100); {
			case r < 35: // an anonymous visit
				w = ev(kith.ActionPageVisit, browser(uuids[b]))
			case r < 65: // a form identifies a browser (browsers are shared)
				w = ev(kith.ActionFormSubmit, ids(people[k], browser(uuids[b%nIdentify])), tags("lead"), attr("visits", float64(r)))
			case r < 80: // a backend event
				w = ev("order.placed", ids(people[k], secondary(ws, name)))
			case r < 90: // a strict upsert
				w = upsert(ids(people[k], secondary(ws, name)), attr("firstName", name), tags("customer"))
			default: // a write by clientId, resolved at run time
				w = ev("profile.view", kith.Identifiers{})
			}
			plan[g] = append(plan[g], w)
		}
	}
	for _, writes := range plan {
		for _, w := range writes {
			if !w.Client.IsZero() {
				prepared(t, ws, w)
			} else {
				w.Event.EventID = newUUID()
			}
		}
	}
	now := tick()
	var o outcome
	hammer(goroutines, func(g int) {
		node := nodes[g%len(nodes)]
		var mine []int64
		for _, w := range plan[g] {
			if w.Client.IsZero() {
				if len(mine) == 0 {
					continue // nothing to address yet
				}
				w.Client = clientID(mine[len(mine)/2])
				w.Event.Client = w.Client
			}
			res, err := applyWrite(t.Context(), node, ws, now, w)
			o.record(w, res, err)
			if err == nil {
				mine = append(mine, res.ClientID)
			}
		}
	})
	o.noErrors(t)
	checkInvariants(t, st, ws, &o, uuids, people)
}

// checkInvariants checks what R1–R9 promise after any interleaving: each
// identifier on exactly one profile, no profile without a uuid, every
// accepted event stored exactly once on a profile that exists.
func checkInvariants(t *testing.T, st kith.Store, ws *kith.Workspace, o *outcome, uuids []string, people []kith.Identifiers) {
	t.Helper()
	live := map[int64]*kith.Profile{}
	add := func(id int64, why string) {
		if id == 0 {
			t.Errorf("%s: answers no profile", why)
			return
		}
		if live[id] == nil {
			live[id] = profile(t, st, ws, id)
		}
	}
	for _, id := range o.seen {
		add(survivor(t, st, ws, id), fmt.Sprintf("clientId %d", id))
	}
	for _, u := range uuids {
		if id := owner(t, st, ws, kith.KindUUID, u); id != 0 {
			add(id, "uuid "+u)
		}
	}
	for _, who := range people {
		if id := ownerOfMain(t, st, ws, who); id != 0 {
			add(id, "identifier "+mainOf(ws, who))
		}
	}

	uuidHolders := map[string][]int64{}
	mainHolders := map[string][]int64{}
	secHolders := map[string][]int64{}
	stored := map[string]int{}
	for id, p := range live {
		if len(p.UUIDs) == 0 {
			t.Errorf("profile %d has no uuid", id)
		}
		for _, u := range p.UUIDs {
			uuidHolders[u] = append(uuidHolders[u], id)
		}
		if m := mainOfProfile(ws, p); m != "" {
			mainHolders[m] = append(mainHolders[m], id)
		}
		if ws.IdentityMode == kith.ModeEmail && p.CustomID != "" {
			secHolders[p.CustomID] = append(secHolders[p.CustomID], id)
		}
		for _, e := range events(t, st, ws, id) {
			if e.ClientID != id {
				t.Errorf("event %s listed on %d says clientId %d", e.EventID, id, e.ClientID)
			}
			if e.Source != kith.SourceSystem {
				stored[e.EventID]++
			}
		}
	}
	for u, hs := range uuidHolders {
		if len(hs) != 1 {
			t.Errorf("uuid %s held by %v, want exactly one profile", u, hs)
		} else if o := owner(t, st, ws, kith.KindUUID, u); o != hs[0] {
			t.Errorf("FindClientID(uuid %s) = %d, but profile %d holds it", u, o, hs[0])
		}
	}
	for _, u := range uuids {
		if len(uuidHolders[u]) == 0 && owner(t, st, ws, kith.KindUUID, u) != 0 {
			t.Errorf("uuid %s has an owner that no profile lists", u)
		}
	}
	for m, hs := range mainHolders {
		if len(hs) != 1 {
			t.Errorf("main identifier %s held by %v, want exactly one profile", m, hs)
			continue
		}
		if o := owner(t, st, ws, ws.MainKind(), m); o != hs[0] {
			t.Errorf("FindClientID(%s) = %d, but profile %d holds it", m, o, hs[0])
		}
		if ws.IdentityMode == kith.ModeEmail {
			eq(t, "FindClientIDsByEmail("+m+")", byEmail(t, st, ws, m), hs)
		}
	}
	for c, hs := range secHolders {
		if len(hs) != 1 {
			t.Errorf("customId %s held by %v, want exactly one profile", c, hs)
		} else if o := owner(t, st, ws, kith.KindCustomID, c); o != hs[0] {
			t.Errorf("FindClientID(customId %s) = %d, but profile %d holds it", c, o, hs[0])
		}
	}
	for _, who := range people {
		if m := mainOf(ws, who); len(mainHolders[m]) == 0 && ownerOfMain(t, st, ws, who) != 0 {
			t.Errorf("identifier %s has an owner that no profile lists", m)
		}
	}
	for _, id := range o.accepted {
		switch n := stored[id]; {
		case n == 0:
			e, err := findEvent(t, st, ws, id)
			t.Errorf("accepted event %s is on no live profile's timeline (FindEvent: %+v, %v)", id, e, err)
		case n > 1:
			t.Errorf("accepted event %s stored %d times", id, n)
		}
	}
	total := 0
	for _, n := range stored {
		total += n
	}
	eq(t, "events stored", total, len(o.accepted))
	t.Logf("%d writes accepted (%d events) over %d live profiles", len(o.seen), len(o.accepted), len(live))
}

func testR9Merges(t *testing.T, nodes []kith.Store, ws *kith.Workspace) {
	st := nodes[0]
	const pairs = 8
	type pair struct{ x, y int64 }
	ps := make([]pair, pairs)
	var writes []*identity.Write
	for i := range ps {
		writes = append(writes,
			upsert(ids(email(fmt.Sprintf("x%d@example.com", i)), browser(newUUID()))),
			upsert(ids(email(fmt.Sprintf("y%d@example.com", i)), browser(newUUID()))))
	}
	results, errs := batch(t, st, ws, writes...)
	for i := range ps {
		if errs[2*i] != nil || errs[2*i+1] != nil {
			t.Fatalf("setup: %v %v", errs[2*i], errs[2*i+1])
		}
		ps[i] = pair{results[2*i].ClientID, results[2*i+1].ClientID}
	}
	// For each pair: a merge each way, and events addressed to both sides.
	type job struct {
		pair int
		kind int // 0: merge y into x, 1: merge x into y, 2..5: an event
		w    *identity.Write
	}
	var jobs []job
	for i, p := range ps {
		jobs = append(jobs, job{pair: i, kind: 0}, job{pair: i, kind: 1})
		for k := range 4 {
			target := p.x
			if k%2 == 1 {
				target = p.y
			}
			jobs = append(jobs, job{pair: i, kind: 2 + k, w: prepared(t, ws, ev("cart.add", clientID(target)))})
		}
	}
	mergeErrs := make([]error, len(jobs))
	var o outcome
	now := tick()
	hammer(len(jobs), func(j int) {
		jb := jobs[j]
		node := nodes[j%len(nodes)]
		p := ps[jb.pair]
		switch jb.kind {
		case 0, 1:
			target, source := p.x, p.y
			if jb.kind == 1 {
				target, source = p.y, p.x
			}
			err := node.Update(t.Context(), func(tx kith.Tx) error {
				s := identity.NewSession(tx, ws, now)
				if _, err := s.Merge(t.Context(), target, []int64{source}); err != nil {
					return err
				}
				return s.Flush(t.Context())
			})
			mergeErrs[j] = err
		default:
			res, err := applyWrite(t.Context(), node, ws, now, jb.w)
			o.record(jb.w, res, err)
		}
	})
	o.noErrors(t)
	for i, p := range ps {
		e0, e1 := mergeErrs[6*i], mergeErrs[6*i+1]
		if (e0 == nil) == (e1 == nil) {
			t.Errorf("pair %d: merge errors %v / %v, want exactly one merge to succeed", i, e0, e1)
			continue
		}
		loser := e0
		surv, gone := p.y, p.x
		if e0 == nil {
			loser, surv, gone = e1, p.x, p.y
		}
		wantCode(t, fmt.Sprintf("pair %d: the second merge", i), loser, kith.ECodeConflict)
		wantGone(t, st, ws, gone)
		eq(t, "merged-away clientId answers", survivor(t, st, ws, gone), surv)
		sp := profile(t, st, ws, surv)
		eq(t, "uuids of the survivor", len(sp.UUIDs), 2)
		eq(t, "cart.add events on the survivor", countAction(t, st, ws, surv, "cart.add"), 4)
		eq(t, "client.merge events on the survivor", countAction(t, st, ws, surv, kith.ActionClientMerge), 1)
		eq(t, "client.add events on the survivor", countAction(t, st, ws, surv, kith.ActionClientAdd), 2)
		if slices.Contains(sp.PreviousClientIDs, surv) || !slices.Contains(sp.PreviousClientIDs, gone) {
			t.Errorf("pair %d: previousClientIds %v, want %d", i, sp.PreviousClientIDs, gone)
		}
	}
}

// crowd returns nPeople people (their identifiers, named prefix0, prefix1…)
// and nBrowsers fresh browser uuids for a concurrency test.
func crowd(ws *kith.Workspace, prefix string, nPeople, nBrowsers int) ([]kith.Identifiers, []string) {
	people := make([]kith.Identifiers, nPeople)
	for i := range people {
		people[i] = person(ws, fmt.Sprintf("%s%d", prefix, i))
	}
	uuids := make([]string, nBrowsers)
	for i := range uuids {
		uuids[i] = newUUID()
	}
	return people, uuids
}
