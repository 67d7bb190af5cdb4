package e2e

import (
	"fmt"
	"slices"
	"testing"

	"github.com/kithcdp/kith"
	kithhttp "github.com/kithcdp/kith/http"
)

// A visitor who browses without identifying gets an anonymous profile that
// holds their page visits, with the page's url, title and referrer.
func TestVisitsMakeAnonymousProfile(t *testing.T) {
	e := newEnv(t)
	b := browser(t)
	uuid := b.open(e.shop.URL + "/")
	b.follow(`a[href="/about"]`)

	p := waitProfile(t, "anonymous profile", func() (*kithhttp.ProfileView, error) { return e.byUUID(uuid) },
		e.hasEvents(map[string]int{"page.visit": 2}))
	if !p.Anonymous || p.Email != "" || !slices.Contains(p.UUIDs, uuid) {
		t.Fatalf("profile %+v: want anonymous with uuid %s", p, uuid)
	}
	evs := e.events(p.ClientID)
	if got := visitedPaths(t, evs); !slices.Equal(got, []string{"/", "/about"}) {
		t.Fatalf("visits %v", got)
	}
	about := params(t, filter(evs, "page.visit")[1])
	if about["title"] != "About us" || about["referrer"] != e.shop.URL+"/" {
		t.Fatalf("page.visit params %v: want the title and the previous page as referrer", about)
	}
	for _, ev := range filter(evs, "page.visit") {
		if ev.Source != kith.SourceTracker || ev.Client.UUID != uuid || ev.Context.UserAgent == "" {
			t.Fatalf("page.visit %+v: want source tracker, the uuid, a user agent", ev)
		}
	}
}

// Submitting a tagged form turns the anonymous visitor into a recognized
// profile: the same profile, keeping the visits made before (SPEC R5).
func TestFormSubmitRecognizes(t *testing.T) {
	e := newEnv(t)
	b := browser(t)
	uuid := b.open(e.shop.URL + "/")
	b.open(e.shop.URL + "/newsletter")
	anon := waitProfile(t, "anonymous profile", func() (*kithhttp.ProfileView, error) { return e.byUUID(uuid) },
		e.hasEvents(map[string]int{"page.visit": 2}))

	b.fill(map[string]string{"email": " Ada@Example.com", "firstName": "Ada", "message": "Hello"})
	b.do(clickID("consent"))
	b.submit("submit")

	p := waitProfile(t, "recognized profile", func() (*kithhttp.ProfileView, error) { return e.byEmail("ada@example.com") },
		e.hasEvents(map[string]int{"form.submit": 1, "client.identify": 1, "page.visit": 3}))
	if p.ClientID != anon.ClientID || p.Anonymous || !slices.Contains(p.UUIDs, uuid) {
		t.Fatalf("profile %+v: want the anonymous profile %d, recognized, with uuid %s", p, anon.ClientID, uuid)
	}
	if p.Attributes["firstName"] != "Ada" || !p.Agreements["email"] ||
		!slices.Contains(p.Tags, "newsletter") || !slices.Contains(p.Tags, "summer") {
		t.Fatalf("profile %+v: want firstName, the email agreement and the form's tags", p)
	}
	evs := e.events(p.ClientID)
	// The visits before the submit, then the thank-you page after it.
	if got := visitedPaths(t, evs); !slices.Equal(got, []string{"/", "/newsletter", "/thanks"}) {
		t.Fatalf("visits %v", got)
	}
	submit := params(t, filter(evs, "form.submit")[0])
	if submit["formType"] != "newsletter" || submit["message"] != "Hello" {
		t.Fatalf("form.submit params %v: want formType and the unmapped message", submit)
	}
	if identify := params(t, filter(evs, "client.identify")[0]); identify["email"] != "ada@example.com" {
		t.Fatalf("client.identify params %v: want the email that recognized the profile", identify)
	}
	if b.uuid() != uuid {
		t.Fatal("the first identification of a browser must keep its uuid")
	}
}

// Two people on one browser: the second one's email makes the tracker
// reset the uuid, so they get a profile of their own, and the first keeps
// their whole history (SPEC §2, tracker reset and R6).
func TestSharedBrowserSecondPerson(t *testing.T) {
	e := newEnv(t)
	b := browser(t)
	uuidAda := b.open(e.shop.URL + "/newsletter")
	b.fill(map[string]string{"email": "ada@example.com", "firstName": "Ada"})
	b.submit("submit")
	ada := waitProfile(t, "Ada's profile", func() (*kithhttp.ProfileView, error) { return e.byEmail("ada@example.com") },
		e.hasEvents(map[string]int{"form.submit": 1, "page.visit": 2}))

	b.open(e.shop.URL + "/newsletter")
	b.fill(map[string]string{"email": "bob@example.com", "firstName": "Bob"})
	b.submit("submit")
	bob := waitProfile(t, "Bob's profile", func() (*kithhttp.ProfileView, error) { return e.byEmail("bob@example.com") },
		e.hasEvents(map[string]int{"form.submit": 1, "page.visit": 1}))

	uuidBob := b.uuid()
	if uuidBob == uuidAda {
		t.Fatal("the tracker kept the uuid for a second person")
	}
	if bob.ClientID == ada.ClientID || bob.Anonymous || !slices.Contains(bob.UUIDs, uuidBob) || slices.Contains(bob.UUIDs, uuidAda) {
		t.Fatalf("Bob %+v: want his own profile with the new uuid only (Ada is %d, uuid %s)", bob, ada.ClientID, uuidAda)
	}
	if bob.Attributes["firstName"] != "Bob" {
		t.Fatalf("Bob's attributes %v", bob.Attributes)
	}

	// Ada keeps her profile, her uuid and her history; none of Bob's.
	ada, err := e.byEmail("ada@example.com")
	if err != nil || ada == nil {
		t.Fatal(ada, err)
	}
	if !slices.Contains(ada.UUIDs, uuidAda) || slices.Contains(ada.UUIDs, uuidBob) || ada.Attributes["firstName"] != "Ada" {
		t.Fatalf("Ada %+v", ada)
	}
	adaEvs := e.events(ada.ClientID)
	if got := visitedPaths(t, adaEvs); !slices.Equal(got, []string{"/newsletter", "/thanks", "/newsletter"}) {
		t.Fatalf("Ada's visits %v", got)
	}
	for _, ev := range filter(adaEvs, "form.submit") {
		if ev.Client.Email != "ada@example.com" {
			t.Fatalf("Ada's timeline has a form.submit of %s", ev.Client.Email)
		}
	}
	if got := visitedPaths(t, e.events(bob.ClientID)); !slices.Equal(got, []string{"/thanks"}) {
		t.Fatalf("Bob's visits %v", got)
	}

	// From now on the browser is Bob's.
	b.open(e.shop.URL + "/about")
	waitProfile(t, "Bob's next visit", func() (*kithhttp.ProfileView, error) { return e.byEmail("bob@example.com") },
		e.hasEvents(map[string]int{"page.visit": 2}))
}

// A known customer on a new browser: anonymous visits there, then a login
// with their loyalty card merges that anonymous profile into theirs
// (SPEC R4), visits included. The password never reaches Kith.
func TestReturningVisitorMerged(t *testing.T) {
	const password = "Open-Sesame-42!"
	e := newEnv(t)

	home := browser(t)
	homeUUID := home.open(e.shop.URL + "/register")
	home.fill(map[string]string{"email": "carol@example.com", "loyaltyId": "LOY-42", "firstName": "Carol",
		"password": password, "password2": password})
	home.submit("submit")
	carol := waitProfile(t, "Carol's profile", func() (*kithhttp.ProfileView, error) { return e.byEmail("carol@example.com") },
		e.hasEvents(map[string]int{"form.submit": 1}))
	if carol.CustomID != "LOY-42" {
		t.Fatalf("Carol %+v: want customId LOY-42", carol)
	}

	work := browser(t) // another browser: no cookie
	workUUID := work.open(e.shop.URL + "/")
	work.open(e.shop.URL + "/about")
	anon := waitProfile(t, "anonymous profile", func() (*kithhttp.ProfileView, error) { return e.byUUID(workUUID) },
		e.hasEvents(map[string]int{"page.visit": 2}))
	if workUUID == homeUUID || !anon.Anonymous || anon.ClientID == carol.ClientID {
		t.Fatalf("the new browser's profile %+v must be a new anonymous one", anon)
	}

	work.open(e.shop.URL + "/login")
	work.fill(map[string]string{"loyaltyId": "LOY-42", "password": password})
	work.submit("submit")

	merged := waitProfile(t, "merged profile", func() (*kithhttp.ProfileView, error) { return e.byUUID(workUUID) },
		func(p *kithhttp.ProfileView) error {
			if p.ClientID != carol.ClientID {
				return fmt.Errorf("uuid %s is on profile %d, not Carol's %d", workUUID, p.ClientID, carol.ClientID)
			}
			return e.hasEvents(map[string]int{"client.merge": 1})(p)
		})
	if !slices.Contains(merged.UUIDs, homeUUID) || !slices.Contains(merged.PreviousClientIDs, anon.ClientID) {
		t.Fatalf("merged %+v: want both uuids and previous clientId %d", merged, anon.ClientID)
	}
	evs := e.events(carol.ClientID)
	merge := params(t, filter(evs, "client.merge")[0])
	if from, _ := merge["fromClientIds"].([]any); len(from) != 1 || from[0] != float64(anon.ClientID) {
		t.Fatalf("client.merge params %v: want fromClientIds [%d]", merge, anon.ClientID)
	}
	// Both browsers' visits are on Carol's timeline now.
	for _, path := range []string{"/register", "/", "/about", "/login"} {
		if !slices.Contains(visitedPaths(t, evs), path) {
			t.Fatalf("Carol's visits %v lack %s", visitedPaths(t, evs), path)
		}
	}
	if n := len(filter(evs, "form.submit")); n != 2 {
		t.Fatalf("Carol has %d form.submit events, want the register and the login", n)
	}
	if old, err := e.profile(fmt.Sprint(anon.ClientID)); err != nil || old == nil || old.ClientID != carol.ClientID {
		t.Fatalf("the merged-away clientId answers %+v, %v", old, err)
	}
	e.assertNotSent(t, []int64{carol.ClientID}, password)
}
