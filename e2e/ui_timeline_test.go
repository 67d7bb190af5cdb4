package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// TestUITimeline adds manual events, filters and pages the timeline,
// edits and deletes a note, and signs out.
func TestUITimeline(t *testing.T) {
	e := newEnv(t)
	id := e.uiUpsert(e.secret, `{"client":{"email":"ada@example.com"}}`)
	c := e.uiClient(e.uiUser("shop", "ann@shop.test"))
	base, card := e.api.URL, "/profiles/"+strconv.FormatInt(id, 10)
	for i := range 35 {
		if s, body := post(t, c, base, card, card+"/events", url.Values{"action": {"call.completed"}, "label": {fmt.Sprintf("Call %d", i)}}); s != http.StatusSeeOther {
			t.Fatalf("add event: %d %s", s, body)
		}
	}
	if s, body := post(t, c, base, card, card+"/events", url.Values{"action": {"profile.updated"}}); s != http.StatusUnprocessableEntity || !strings.Contains(body, "field-error") {
		t.Fatalf("a reserved action: %d", s)
	}
	_, page := get(t, c, base+card+"?action=call.completed")
	if !strings.Contains(page, "Call 34") || strings.Contains(page, "Profile created") || !strings.Contains(page, "call.completed (35)") {
		t.Fatal("the action filter does not filter")
	}
	_, rest, ok := strings.Cut(page, `<a class="more" href="`)
	if !ok {
		t.Fatal("no link to older events")
	}
	next, _, _ := strings.Cut(rest, `"`)
	next = strings.ReplaceAll(next, "&amp;", "&")
	if _, older := get(t, c, base+next); !strings.Contains(older, "Call 0") || strings.Contains(older, "Call 34") {
		t.Fatal("the second page is not the older events")
	}

	// Notes: add, edit, delete.
	post(t, c, base, card, card+"/notes", url.Values{"text": {"First call went well."}})
	_, page = get(t, c, base+card)
	_, rest, ok = strings.Cut(page, `action="`+card+`/notes/`)
	if !ok {
		t.Fatal("the note has no edit form")
	}
	noteID, _, _ := strings.Cut(rest, `"`)
	if s, _ := post(t, c, base, card, card+"/notes/"+noteID, url.Values{"text": {"Second call too."}}); s != http.StatusSeeOther {
		t.Fatalf("edit note: %d", s)
	}
	if _, page := get(t, c, base+card); !strings.Contains(page, "Second call too.") || !strings.Contains(page, "edited") {
		t.Fatal("the note was not edited")
	}
	// Another user may read the note but not change it.
	c2 := e.uiClient(e.uiUser("shop", "bo@shop.test"))
	if s, _ := post(t, c2, base, card, card+"/notes/"+noteID+"/delete", url.Values{}); s == http.StatusSeeOther {
		t.Fatal("another user deleted the note")
	}
	if s, _ := post(t, c, base, card, card+"/notes/"+noteID+"/delete", url.Values{}); s != http.StatusSeeOther {
		t.Fatalf("delete note: %d", s)
	}
	if _, page := get(t, c, base+card); strings.Contains(page, "Second call too.") {
		t.Fatal("the note was not deleted")
	}

	// Signing out ends the session.
	if s, _ := post(t, c, base, "/", "/logout", url.Values{}); s != http.StatusSeeOther {
		t.Fatalf("sign out: %d", s)
	}
	if s, _ := get(t, c, base+card); s != http.StatusSeeOther {
		t.Fatalf("after signing out the card answered %d", s)
	}
}
