package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/identity"
)

// eraseTests check GDPR erasure and suppression.
var eraseTests = []testCase{
	{"Erase_leaves_nothing_to_read", bothModes, testEraseReads},
	{"Erase_with_suppression_refuses_its_identifiers", bothModes, testEraseSuppress},
	{"Erase_without_suppression_frees_its_identifiers", emailMode, testEraseFrees},
	{"Erase_in_the_session_that_wrote", emailMode, testEraseSameSession},
	{"Erase_suppression_holds_in_the_same_session", emailMode, testEraseSuppressSameSession},
}

// Erased describes the profile ErasureScenario erased.
type Erased struct {
	Workspace *kith.Workspace
	// ClientIDs are the erased profile's clientId and its previous ones.
	ClientIDs []int64
	// Values are texts only the erased profile held: identifiers, attribute
	// values, a note, an event's label, params and context, a device.
	Values []string
	// Identifiers are its email, customId and uuids.
	Identifiers kith.Identifiers
	UUIDs       []string
	// Kept is a bystander profile that must be intact.
	Kept int64
}

// ErasureScenario fills a new workspace of st (email mode) with a profile
// that has everything — identifiers, several uuids, attributes, tags,
// agreements, devices, events with params and context, notes, previous
// clientIds from an implicit and an explicit merge — and a bystander, then
// erases the profile (with suppression when suppress is set) and returns
// what it held. Stores use it to look for the values in every table.
func ErasureScenario(t testing.TB, st kith.Store, suppress bool) *Erased {
	t.Helper()
	ws := createWorkspace(t, st, kith.ModeEmail)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	tok := hex.EncodeToString(b)
	e := &Erased{Workspace: ws}
	val := func(s string) string { e.Values = append(e.Values, s); return s }
	ip, ua := "203.0.113."+fmt.Sprint(int(b[0])%200+10), val("EraseAgent-"+tok+"/1.0")
	val(ip)
	dev := kith.Device{Browser: val("EraseBrowser" + tok), OS: "Linux", DeviceType: "desktop", LastSeenAt: ago(0)}

	uA, uB := newUUID(), newUUID()
	who := ids(email(val("erase-"+tok+"@example.com")), custom(val("ERASE-"+tok)))
	a := mustApply(t, st, ws, ev(kith.ActionPageVisit, browser(uA), origin(ip, ua), device(dev),
		label(val("erase-label-"+tok)), eventParams(`{"secret":"`+val("erase-param-"+tok)+`"}`)))
	p := mustApply(t, st, ws, upsert(who, attr("firstName", val("Eraseda"+tok)), attr("favourite", val("colour-"+tok)),
		tags("vip"), agree("email", true), origin(ip, ua)))
	mustApply(t, st, ws, ev(kith.ActionFormSubmit, ids(who, browser(uA)), origin(ip, ua))) // R4: A into P
	bb := mustApply(t, st, ws, ev(kith.ActionPageVisit, browser(uB)))
	mustMerge(t, st, ws, p.ClientID, bb.ClientID)
	if _, err := addNote(t, st, ws, p.ClientID, val("erase-note-"+tok), "ui:marta"); err != nil {
		t.Fatalf("note: %v", err)
	}
	kept := mustApply(t, st, ws, upsert(email("kept-"+tok+"@example.com"), tags("vip"), attr("firstName", "Kept")))
	mustApply(t, st, ws, ev("cart.add", email("kept-"+tok+"@example.com")))
	if _, err := addNote(t, st, ws, kept.ClientID, "kept note", "ui:marta"); err != nil {
		t.Fatalf("note: %v", err)
	}
	full := profile(t, st, ws, p.ClientID)
	eq(t, "previous clientIds before erasure", sorted(full.PreviousClientIDs), sorted([]int64{a.ClientID, bb.ClientID}))
	for _, u := range full.UUIDs {
		val(u)
	}
	e.Identifiers, e.UUIDs = kith.Identifiers{ClientID: p.ClientID, Email: full.Email, CustomID: full.CustomID}, full.UUIDs
	e.ClientIDs, e.Kept = []int64{p.ClientID, a.ClientID, bb.ClientID}, kept.ClientID

	// Erase through a previous clientId: the same customer.
	var out *identity.Erasure
	mustSession(t, st, ws, func(ctx context.Context, s *identity.Session) error {
		var err error
		out, err = s.Erase(ctx, a.ClientID, suppress)
		return err
	})
	eq(t, "erased clientId", out.ClientID, p.ClientID)
	eq(t, "erased previous clientIds", sorted(out.PreviousClientIDs), sorted([]int64{a.ClientID, bb.ClientID}))
	want := 0
	if suppress {
		want = 2 + len(full.UUIDs)
	}
	eq(t, "suppressed identifiers", out.Suppressed, want)
	return e
}

func testEraseReads(t *testing.T, st kith.Store, _ *kith.Workspace) {
	e := ErasureScenario(t, st, false)
	ws := e.Workspace
	for _, id := range e.ClientIDs {
		wantGone(t, st, ws, id)
		eq(t, fmt.Sprint("clientId ", id, " answers"), survivor(t, st, ws, id), int64(0))
		eq(t, fmt.Sprint("events of ", id), len(events(t, st, ws, id)), 0)
		eq(t, fmt.Sprint("notes of ", id), len(notesOf(t, st, ws, id)), 0)
	}
	eq(t, "merge journal", len(journal(t, st, ws, e.ClientIDs...)), 0)
	eq(t, "owner of the email", owner(t, st, ws, kith.KindEmail, e.Identifiers.Email), int64(0))
	eq(t, "owner of the customId", owner(t, st, ws, kith.KindCustomID, e.Identifiers.CustomID), int64(0))
	eq(t, "contact email", len(byEmail(t, st, ws, e.Identifiers.Email)), 0)
	for _, u := range e.UUIDs {
		eq(t, "owner of uuid "+u, owner(t, st, ws, kith.KindUUID, u), int64(0))
		eq(t, "search by uuid", listIDs(t, st, ws, kith.ProfileFilter{Query: u}), []int64{})
	}
	for _, q := range []string{e.Identifiers.Email, e.Identifiers.CustomID, "Eraseda", fmt.Sprint(e.ClientIDs[0])} {
		eq(t, "search "+q, listIDs(t, st, ws, kith.ProfileFilter{Query: q}), []int64{})
	}
	eq(t, "list", listIDs(t, st, ws, kith.ProfileFilter{}), []int64{e.Kept})
	eq(t, "stats", stats(t, st, ws), kith.ProfileStats{Total: 1, Recognized: 1})

	// The bystander keeps everything.
	kept := profile(t, st, ws, e.Kept)
	eq(t, "bystander tags", kept.Tags, []string{"vip"})
	eq(t, "bystander events", actions(t, st, ws, e.Kept), []string{kith.ActionNoteAdded, "cart.add", kith.ActionTagAdded, kith.ActionProfileUpdated, kith.ActionClientAdd})
	eq(t, "bystander notes", len(notesOf(t, st, ws, e.Kept)), 1)
	eq(t, "catalogue keeps the tag", tagNames(catalogueTags(t, st, ws)), []string{"vip"})

	// Erasing again finds nothing.
	err := session(t, st, ws, func(ctx context.Context, s *identity.Session) error {
		_, err := s.Erase(ctx, e.ClientIDs[0], false)
		return err
	})
	wantCode(t, "erase again", err, kith.ECodeNotFound)
}

func testEraseSuppress(t *testing.T, st kith.Store, ws *kith.Workspace) {
	who := person(ws, "ada")
	u := newUUID()
	client := ids(who, browser(u), custom("CUST-ada"))
	if !ws.EmailIsIdentifier() {
		client.Email = "ada.contact@example.com" // a contact field, suppressed all the same
	}
	p := mustApply(t, st, ws, upsert(client))
	mustSession(t, st, ws, func(ctx context.Context, s *identity.Session) error {
		_, err := s.Erase(ctx, p.ClientID, true)
		return err
	})
	bystander := mustApply(t, st, ws, upsert(person(ws, "bob")))
	// Every write that carries one of its identifiers is refused, strict
	// or not, alone or with others; nothing of it is written.
	for _, w := range []*identity.Write{
		upsert(who),
		upsert(ids(person(ws, "new"), browser(u))),
		upsert(ids(person(ws, "other"), custom("CUST-ada"))),
		upsert(ids(person(ws, "other2"), email(client.Email))),
		ev(kith.ActionPageVisit, browser(u)),
		ev(kith.ActionFormSubmit, who),
	} {
		wantRefused(t, st, ws, kith.ECodeSuppressed, []int64{bystander.ClientID}, w)
	}
	// An explicit change to a suppressed value is refused too.
	err := changeID(t, st, ws, bystander.ClientID, ws.MainKind(), mainOf(ws, who))
	wantCode(t, "change to a suppressed value", err, kith.ECodeSuppressed)
	// Other workspaces are not affected.
	other := createWorkspace(t, st, ws.IdentityMode)
	mustApply(t, st, other, upsert(ids(who, browser(u))))
}

func testEraseFrees(t *testing.T, st kith.Store, ws *kith.Workspace) {
	u := newUUID()
	p := mustApply(t, st, ws, upsert(ids(ada, browser(u))))
	mustSession(t, st, ws, func(ctx context.Context, s *identity.Session) error {
		_, err := s.Erase(ctx, p.ClientID, false)
		return err
	})
	again := mustApply(t, st, ws, upsert(ids(ada, browser(u))))
	if !again.Created || again.ClientID == p.ClientID {
		t.Errorf("after erasure without suppression: %+v", again)
	}
	wantGone(t, st, ws, p.ClientID)
	eq(t, "fresh timeline", actions(t, st, ws, again.ClientID), []string{kith.ActionClientAdd})
}

func testEraseSameSession(t *testing.T, st kith.Store, ws *kith.Workspace) {
	var created int64
	mustSession(t, st, ws, func(ctx context.Context, s *identity.Session) error {
		w := upsert(ada, attr("firstName", "Ada"), tags("vip"))
		normalize(t, ws, w)
		res, err := s.Apply(ctx, w)
		if err != nil {
			return err
		}
		created = res.ClientID
		if _, err := s.AddNote(ctx, created, "hello", "ui:marta"); err != nil {
			return err
		}
		_, err = s.Erase(ctx, created, false)
		return err
	})
	wantGone(t, st, ws, created)
	eq(t, "events", len(events(t, st, ws, created)), 0)
	eq(t, "stats", stats(t, st, ws), kith.ProfileStats{})
}

func testEraseSuppressSameSession(t *testing.T, st kith.Store, ws *kith.Workspace) {
	mustSession(t, st, ws, func(ctx context.Context, s *identity.Session) error {
		w := upsert(ids(email("bob@example.com"), browser(newUUID())))
		normalize(t, ws, w)
		if _, err := s.Apply(ctx, w); err != nil { // the session learns: nothing is suppressed
			return err
		}
		first := upsert(ada)
		normalize(t, ws, first)
		res, err := s.Apply(ctx, first)
		if err != nil {
			return err
		}
		if _, err := s.Erase(ctx, res.ClientID, true); err != nil {
			return err
		}
		again := upsert(ada)
		normalize(t, ws, again)
		_, err = s.Apply(ctx, again)
		wantCode(t, "the erased email in the same session", err, kith.ECodeSuppressed)
		return nil
	})
	eq(t, "owner of the erased email", owner(t, st, ws, kith.KindEmail, ada.Email), int64(0))
}

// Leaks returns what a row of table, read raw from the database (column
// name → value), still holds of the erased profile: one of its Values
// anywhere in the row, or one of its ClientIDs in a clientId column
// (client_id, old_client_id, target_id, source_ids). Stores call it on
// every row of every table after ErasureScenario.
func (e *Erased) Leaks(table string, row map[string]any) []string {
	var out []string
	for col, v := range row {
		text := rawText(v)
		for _, s := range e.Values {
			if strings.Contains(text, s) {
				out = append(out, fmt.Sprintf("%s.%s holds %q", table, col, s))
			}
		}
		if col != "client_id" && col != "old_client_id" && col != "target_id" && col != "source_ids" {
			continue
		}
		for _, id := range clientIDsIn(text) {
			if slices.Contains(e.ClientIDs, id) {
				out = append(out, fmt.Sprintf("%s.%s holds erased clientId %d", table, col, id))
			}
		}
	}
	return out
}

// rawText returns a raw column value as text: strings and bytes as they
// are, anything else (numbers, decoded JSON) as JSON.
func rawText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSpace(b.String())
}

// clientIDsIn returns the integers of a clientId column's text: one
// number, or a JSON array of them.
func clientIDsIn(text string) []int64 {
	var ids []int64
	if json.Unmarshal([]byte(text), &ids) == nil {
		return ids
	}
	var id int64
	if json.Unmarshal([]byte(text), &id) == nil {
		return []int64{id}
	}
	return nil
}

// CheckNoTrace runs the erasure scenario on st, reads every row of every
// table with dump (by table name, column name) and reports every trace of
// the erased profile, a missing bystander, and suppression hashes stored
// or not as suppress says. Hashes may be read as bytes or as PostgreSQL's
// \x hex text.
func CheckNoTrace(t *testing.T, st kith.Store, suppress bool, dump func(t *testing.T) map[string][]map[string]any) {
	t.Helper()
	e := ErasureScenario(t, st, suppress)
	rows := dump(t)
	if len(rows["profiles"]) == 0 || len(rows["events"]) == 0 {
		t.Fatalf("the scan read no profiles or events: %d tables", len(rows))
	}
	keptSeen := false
	for table, list := range rows {
		for _, row := range list {
			for _, leak := range e.Leaks(table, row) {
				t.Error(leak)
			}
			if table == "profiles" && fmt.Sprint(row["client_id"]) == fmt.Sprint(e.Kept) {
				keptSeen = true
			}
		}
	}
	if !keptSeen {
		t.Error("the bystander's profile row was not found: the scan is broken")
	}
	hashes := map[string]bool{}
	for _, row := range rows["suppressed_identifiers"] {
		switch h := row["hash"].(type) {
		case []byte:
			hashes[hex.EncodeToString(h)] = true
		case string:
			hashes[strings.TrimPrefix(h, `\x`)] = true
		}
	}
	for kind, v := range map[kith.IdentifierKind]string{kith.KindEmail: e.Identifiers.Email,
		kith.KindCustomID: e.Identifiers.CustomID, kith.KindUUID: e.UUIDs[0]} {
		if got := hashes[hex.EncodeToString(kith.SuppressionHash(kind, v))]; got != suppress {
			t.Errorf("suppression hash of the %s stored: %v, want %v", kind, got, suppress)
		}
	}
}
