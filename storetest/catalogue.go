package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/identity"
)

// catalogueTests check the attribute and tag catalogues and the removal
// of tags from profiles.
var catalogueTests = []testCase{
	{"Catalogue_attribute_define_describe_delete", emailMode, testAttributeCatalogue},
	{"Catalogue_attribute_refusals", emailMode, testAttributeRefusals},
	{"Catalogue_tags", emailMode, testTagCatalogue},
	{"Catalogue_tag_delete_force", bothModes, testTagDeleteForce},
	{"Profile_tag_remove", bothModes, testRemoveTag},
}

func defineAttr(t testing.TB, st kith.Store, ws *kith.Workspace, name, typ, desc string) error {
	t.Helper()
	return session(t, st, ws, func(ctx context.Context, s *identity.Session) error {
		return s.DefineAttribute(ctx, &kith.AttributeDef{Name: name, Type: typ, Description: desc})
	})
}

func findDef(t testing.TB, st kith.Store, ws *kith.Workspace, name string) (*kith.AttributeDef, error) {
	t.Helper()
	var d *kith.AttributeDef
	var ferr error
	view(t, st, func(ctx context.Context, rx kith.ReadTx) error {
		d, ferr = rx.FindAttributeDef(ctx, ws.ID, name)
		return nil
	})
	return d, ferr
}

func inUse(t testing.TB, st kith.Store, ws *kith.Workspace, name string) bool {
	t.Helper()
	return read(t, st, func(ctx context.Context, rx kith.ReadTx) (bool, error) {
		return rx.AttributeInUse(ctx, ws.ID, name)
	})
}

func deleteAttr(t testing.TB, st kith.Store, ws *kith.Workspace, name string) error {
	t.Helper()
	return session(t, st, ws, func(ctx context.Context, s *identity.Session) error {
		return s.DeleteAttribute(ctx, name)
	})
}

func testAttributeCatalogue(t *testing.T, st kith.Store, ws *kith.Workspace) {
	if err := defineAttr(t, st, ws, "ClubMember", kith.TypeBoolean, "Member of the club."); err != nil {
		t.Fatalf("define: %v", err)
	}
	d, err := findDef(t, st, ws, "ClubMember")
	if err != nil {
		t.Fatalf("FindAttributeDef: %v", err)
	}
	eq(t, "definition", [3]string{d.Name, d.Type, d.Description}, [3]string{"ClubMember", kith.TypeBoolean, "Member of the club."})
	if d.Default || d.CreatedAt.IsZero() {
		t.Errorf("definition default %v createdAt %v", d.Default, d.CreatedAt)
	}

	// The description changes; nothing else does.
	mustSession(t, st, ws, func(ctx context.Context, s *identity.Session) error {
		_, err := s.DescribeAttribute(ctx, "ClubMember", "Joined the loyalty club.")
		return err
	})
	d2, _ := findDef(t, st, ws, "ClubMember")
	eq(t, "described", [3]string{d2.Name, d2.Type, d2.Description}, [3]string{"ClubMember", kith.TypeBoolean, "Joined the loyalty club."})
	eq(t, "createdAt kept", d2.CreatedAt, d.CreatedAt)
	err = session(t, st, ws, func(ctx context.Context, s *identity.Session) error {
		_, err := s.DescribeAttribute(ctx, "firstName", "x")
		return err
	})
	wantCode(t, "describe a default attribute", err, kith.ECodeImmutable)
	err = session(t, st, ws, func(ctx context.Context, s *identity.Session) error {
		_, err := s.DescribeAttribute(ctx, "Nope", "x")
		return err
	})
	wantCode(t, "describe an unknown attribute", err, kith.ECodeNotFound)

	// Deletable only while no profile holds a value, and never a default.
	eq(t, "in use before any value", inUse(t, st, ws, "ClubMember"), false)
	mustApply(t, st, ws, upsert(ada, attr("ClubMember", true), attr("shoe.size-eu", 38.0)))
	eq(t, "in use", inUse(t, st, ws, "ClubMember"), true)
	eq(t, "dotted name in use", inUse(t, st, ws, "shoe.size-eu"), true)
	wantCode(t, "delete an attribute in use", deleteAttr(t, st, ws, "ClubMember"), kith.ECodeAttrNotDeletable)
	wantCode(t, "delete a default attribute", deleteAttr(t, st, ws, "firstName"), kith.ECodeAttrNotDeletable)
	wantCode(t, "delete an unknown attribute", deleteAttr(t, st, ws, "Nope"), kith.ECodeNotFound)
	if _, err := findDef(t, st, ws, "ClubMember"); err != nil {
		t.Errorf("a refused delete removed the definition: %v", err)
	}

	if err := defineAttr(t, st, ws, "Spare", kith.TypeString, ""); err != nil {
		t.Fatalf("define Spare: %v", err)
	}
	if err := deleteAttr(t, st, ws, "Spare"); err != nil {
		t.Fatalf("delete Spare: %v", err)
	}
	if _, err := findDef(t, st, ws, "Spare"); kith.ErrorCode(err) != kith.ECodeNotFound {
		t.Errorf("deleted definition still found: %v", err)
	}
	// Once deleted, the name is free again, with any type.
	if err := defineAttr(t, st, ws, "Spare", kith.TypeNumber, ""); err != nil {
		t.Errorf("define Spare again: %v", err)
	}
	eq(t, "Spare's new type", defType(t, st, ws, "Spare"), kith.TypeNumber)
}

func testAttributeRefusals(t *testing.T, st kith.Store, ws *kith.Workspace) {
	if err := defineAttr(t, st, ws, "ClubMember", kith.TypeBoolean, ""); err != nil {
		t.Fatalf("define: %v", err)
	}
	before := attributeDefs(t, st, ws)
	for _, c := range []struct{ name, typ, desc, code, mention string }{
		{"ClubMember", kith.TypeString, "", kith.ECodeAttributeNameTaken, "ClubMember"},
		{"club_member", kith.TypeBoolean, "", kith.ECodeAttributeNameTaken, "ClubMember"},
		{"firstName", kith.TypeString, "", kith.ECodeAttributeNameTaken, "firstName"},
		{"first_name", kith.TypeString, "", kith.ECodeAttributeNameTaken, "firstName"},
		{"email", kith.TypeString, "", kith.ECodeReservedAttribute, "email"},
		{"geo_loc_city", kith.TypeString, "", kith.ECodeReservedAttribute, "geo_loc_"},
		{"1st", kith.TypeString, "", kith.ECodeInvalidAttrName, "1st"},
		{"", kith.TypeString, "", kith.ECodeInvalidAttrName, ""},
		{"Money", "money", "", kith.ECodeInvalidAttrType, "money"},
		{"Long", kith.TypeString, strings.Repeat("x", identity.MaxDescriptionRunes+1), kith.ECodeInvalid, ""},
	} {
		err := defineAttr(t, st, ws, c.name, c.typ, c.desc)
		wantCode(t, "define "+c.name, err, c.code)
		if e := kith.AsError(err); e != nil && !strings.Contains(e.Message, c.mention) {
			t.Errorf("define %q: message %q does not name %q", c.name, e.Message, c.mention)
		}
	}
	eq(t, "catalogue after refusals", len(attributeDefs(t, st, ws)), len(before))
}

func tagSession(t testing.TB, st kith.Store, ws *kith.Workspace, fn func(context.Context, *identity.Session) error) error {
	t.Helper()
	return session(t, st, ws, fn)
}

func findTag(t testing.TB, st kith.Store, ws *kith.Workspace, name string) (*kith.Tag, error) {
	t.Helper()
	var tag *kith.Tag
	var ferr error
	view(t, st, func(ctx context.Context, rx kith.ReadTx) error {
		tag, ferr = rx.FindTag(ctx, ws.ID, name)
		return nil
	})
	return tag, ferr
}

func testTagCatalogue(t *testing.T, st kith.Store, ws *kith.Workspace) {
	create := func(name, color, desc string) (*kith.Tag, error) {
		tag := &kith.Tag{Name: name, Color: color, Description: desc}
		err := tagSession(t, st, ws, func(ctx context.Context, s *identity.Session) error { return s.CreateTag(ctx, tag) })
		return tag, err
	}
	vip, err := create("  vip ", "#FF8800", "Best customers")
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	got, err := findTag(t, st, ws, "vip")
	if err != nil {
		t.Fatalf("FindTag: %v", err)
	}
	eq(t, "tag", [3]string{got.Name, got.Color, got.Description}, [3]string{"vip", "#ff8800", "Best customers"})
	eq(t, "createdAt", got.CreatedAt, vip.CreatedAt)
	plain, err := create("plain", "", "")
	if err != nil || plain.Color != identity.DefaultTagColor {
		t.Errorf("tag without colour: %+v, %v", plain, err)
	}
	_, err = create("vip", "#000000", "")
	wantCode(t, "create an existing tag", err, kith.ECodeConflict)
	_, err = create("red", "red", "")
	wantCode(t, "colour name", err, kith.ECodeInvalidColor)
	_, err = create("short", "#fff", "")
	wantCode(t, "short colour", err, kith.ECodeInvalidColor)
	_, err = create(" ", "", "")
	wantCode(t, "empty name", err, kith.ECodeInvalidTag)
	_, err = create(strings.Repeat("t", identity.MaxTagRunes+1), "", "")
	wantCode(t, "long name", err, kith.ECodeInvalidTag)
	eq(t, "catalogue", tagNames(catalogueTags(t, st, ws)), []string{"plain", "vip"})

	update := func(name string, color, desc *string) (*kith.Tag, error) {
		var tag *kith.Tag
		err := tagSession(t, st, ws, func(ctx context.Context, s *identity.Session) error {
			var err error
			tag, err = s.UpdateTag(ctx, name, color, desc)
			return err
		})
		return tag, err
	}
	green, desc := "#00AA00", "Our best customers"
	if _, err := update("vip", &green, nil); err != nil {
		t.Fatalf("update colour: %v", err)
	}
	if _, err := update("vip", nil, &desc); err != nil {
		t.Fatalf("update description: %v", err)
	}
	got, _ = findTag(t, st, ws, "vip")
	eq(t, "updated", [2]string{got.Color, got.Description}, [2]string{"#00aa00", desc})
	bad := "green"
	_, err = update("vip", &bad, nil)
	wantCode(t, "update to a bad colour", err, kith.ECodeInvalidColor)
	_, err = update("nope", &green, nil)
	wantCode(t, "update an unknown tag", err, kith.ECodeNotFound)
	got, _ = findTag(t, st, ws, "vip")
	eq(t, "colour after refusal", got.Color, "#00aa00")
	_, err = findTag(t, st, ws, "nope")
	wantCode(t, "find an unknown tag", err, kith.ECodeNotFound)
}

func deleteTag(t testing.TB, st kith.Store, ws *kith.Workspace, name string, force bool) error {
	t.Helper()
	return tagSession(t, st, ws, func(ctx context.Context, s *identity.Session) error {
		return s.DeleteTag(ctx, name, force)
	})
}

func testTagDeleteForce(t *testing.T, st kith.Store, ws *kith.Workspace) {
	p := mustApply(t, st, ws, upsert(person(ws, "ada"), tags("vip", "newsletter")))
	q := mustApply(t, st, ws, upsert(person(ws, "bob"), tags("vip")))
	r := mustApply(t, st, ws, upsert(person(ws, "cy"), tags("newsletter")))
	mustSession(t, st, ws, func(ctx context.Context, s *identity.Session) error {
		return s.CreateTag(ctx, &kith.Tag{Name: "unused"})
	})
	inUseTag := func(name string) bool {
		return read(t, st, func(ctx context.Context, rx kith.ReadTx) (bool, error) { return rx.TagInUse(ctx, ws.ID, name) })
	}
	eq(t, "vip in use", inUseTag("vip"), true)
	eq(t, "unused in use", inUseTag("unused"), false)

	wantCode(t, "delete an assigned tag", deleteTag(t, st, ws, "vip", false), kith.ECodeConflict)
	eq(t, "catalogue after refusal", tagNames(catalogueTags(t, st, ws)), []string{"newsletter", "unused", "vip"})
	eq(t, "tags after refusal", profile(t, st, ws, p.ClientID).Tags, []string{"newsletter", "vip"})
	if err := deleteTag(t, st, ws, "unused", false); err != nil {
		t.Errorf("delete an unused tag: %v", err)
	}
	wantCode(t, "delete an unknown tag", deleteTag(t, st, ws, "unused", true), kith.ECodeNotFound)

	if err := deleteTag(t, st, ws, "vip", true); err != nil {
		t.Fatalf("force delete: %v", err)
	}
	eq(t, "catalogue", tagNames(catalogueTags(t, st, ws)), []string{"newsletter"})
	eq(t, "vip in use after delete", inUseTag("vip"), false)
	for _, c := range []struct {
		id      int64
		tags    []string
		removed int
	}{{p.ClientID, []string{"newsletter"}, 1}, {q.ClientID, nil, 1}, {r.ClientID, []string{"newsletter"}, 0}} {
		got := profile(t, st, ws, c.id)
		eq(t, "tags of profile", got.Tags, c.tags)
		evs := eventsOf(t, st, ws, c.id, kith.ActionTagRemoved)
		eq(t, "tagRemoved events", len(evs), c.removed)
		for _, e := range evs {
			eq(t, "tagRemoved tag", params[tagParams](t, e).Tag, "vip")
			eq(t, "tagRemoved source", e.Source, kith.SourceSystem)
		}
	}
}

func removeTag(t testing.TB, st kith.Store, ws *kith.Workspace, id int64, tag string) error {
	t.Helper()
	return session(t, st, ws, func(ctx context.Context, s *identity.Session) error {
		return s.RemoveTag(ctx, id, tag)
	})
}

func testRemoveTag(t *testing.T, st kith.Store, ws *kith.Workspace) {
	who := person(ws, "ada")
	p := mustApply(t, st, ws, upsert(who, tags("vip", "newsletter")))
	if err := removeTag(t, st, ws, p.ClientID, " vip "); err != nil {
		t.Fatalf("remove: %v", err)
	}
	eq(t, "tags", profile(t, st, ws, p.ClientID).Tags, []string{"newsletter"})
	evs := eventsOf(t, st, ws, p.ClientID, kith.ActionTagRemoved)
	if len(evs) != 1 || params[tagParams](t, evs[0]).Tag != "vip" {
		t.Errorf("tagRemoved events %v", actions(t, st, ws, p.ClientID))
	}
	eq(t, "catalogue keeps the tag", tagNames(catalogueTags(t, st, ws)), []string{"newsletter", "vip"})
	wantCode(t, "remove a tag the profile lacks", removeTag(t, st, ws, p.ClientID, "vip"), kith.ECodeNotFound)
	wantCode(t, "remove from an unknown profile", removeTag(t, st, ws, p.ClientID+1000, "newsletter"), kith.ECodeNotFound)
	wantCode(t, "remove a malformed tag", removeTag(t, st, ws, p.ClientID, ""), kith.ECodeInvalidTag)
	eq(t, "tagRemoved events after refusals", countAction(t, st, ws, p.ClientID, kith.ActionTagRemoved), 1)

	// A merged-away clientId removes from its survivor.
	a := mustApply(t, st, ws, ev(kith.ActionPageVisit, browser(newUUID()), tags("promo")))
	u := profile(t, st, ws, a.ClientID).UUIDs[0]
	mustApply(t, st, ws, ev(kith.ActionFormSubmit, ids(who, browser(u))))
	if err := removeTag(t, st, ws, a.ClientID, "promo"); err != nil {
		t.Fatalf("remove through a merged-away clientId: %v", err)
	}
	eq(t, "survivor's tags", profile(t, st, ws, p.ClientID).Tags, []string{"newsletter"})
}
