package importer_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/importer"
	"github.com/kithcdp/kith/ingest"
)

const (
	uuidA = "6f1c1c1e-2f4b-4c9e-8a51-0d8b6a1f0a01"
	uuidB = "6f1c1c1e-2f4b-4c9e-8a51-0d8b6a1f0a02"
)

// seed writes profiles through the API's path (ingest upserts).
func seed(t testing.TB, st kith.Store, ws *kith.Workspace, upserts ...string) {
	t.Helper()
	raw := make([]json.RawMessage, len(upserts))
	for i, u := range upserts {
		raw[i] = json.RawMessage(u)
	}
	svc := &ingest.Service{Store: st, Now: clock}
	res, err := svc.Upsert(context.Background(), &ingest.Request{Workspace: ws, Source: kith.SourceAPI}, raw)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Err != nil {
			t.Fatalf("seed: %v", r.Err)
		}
	}
}

// TestConflicts checks the identity rules on rows of one file and on
// existing profiles: R3 conflicts are refused, R4 merges, R6 shared
// devices, R7 fills.
func TestConflicts(t *testing.T) {
	eachStore(t, func(t *testing.T, st kith.Store) {
		ws := workspace(t, st, kith.ModeEmail)
		seed(t, st, ws,
			`{"client":{"email":"old@example.com","customId":"OLD-1"}}`,
			`{"client":{"email":"other@example.com","customId":"OLD-2"}}`,
			`{"client":{"uuid":"`+uuidA+`"},"attributes":{"city":"Oslo"},"tags":["visitor"]}`,
			`{"client":{"email":"device@example.com","uuid":"`+uuidB+`"}}`)
		content := "email,customId,uuid,firstName\n" +
			"new@example.com,NEW-1,,New\n" + // 2: created
			"new@example.com,NEW-2,,\n" + // 3: identifier_mismatch (customId) with row 2
			"x@example.com,NEW-1,,\n" + // 4: identifier_mismatch (email) with row 2
			"old@example.com,OLD-2,,\n" + // 5: identity_conflict with existing profiles
			"new@example.com,OLD-1,,\n" + // 6: identity_conflict between row 2 and an existing profile
			"old@example.com,,,Old\n" + // 7: updated
			"anon@example.com,ANON-1," + uuidA + ",Anna\n" + // 8: R5: the anonymous profile becomes recognized (updated)
			"other@example.com,," + uuidA + ",\n" + // 9: R6: uuid on a recognized profile, write goes to other (updated)
			"shared@example.com,," + uuidB + ",\n" + // 10: R6: new profile, uuid stays
			"fill@example.com,,,\n" + // 11: created
			",FILL-1,,\n" + // 12: created (a customId-only profile)
			"fill@example.com,FILL-2,,\n" // 13: updated: fills FILL-2 (R7)
		res := mustRun(t, st, ws, "a.csv", content, importer.Options{})
		wantErrors(t, res.errs,
			rowErr(3, "customId", kith.ECodeIdentifierMismatch),
			rowErr(4, "email", kith.ECodeIdentifierMismatch),
			rowErr(5, "customId", kith.ECodeIdentityConflict),
			rowErr(6, "customId", kith.ECodeIdentityConflict))
		wantCounts(t, res.counts, 12, 4, 4, 0, 4)
		if p := mustProfile(t, st, ws, kith.KindUUID, uuidA); p.Email != "anon@example.com" || p.CustomID != "ANON-1" ||
			p.Attributes["city"] != "Oslo" || p.Attributes["firstName"] != "Anna" {
			t.Errorf("R5 profile = %+v", p)
		}
		if p := mustProfile(t, st, ws, kith.KindUUID, uuidB); p.Email != "device@example.com" {
			t.Errorf("uuidB moved to %+v", p)
		}
		if p := mustProfile(t, st, ws, kith.KindEmail, "fill@example.com"); p.CustomID != "FILL-2" {
			t.Errorf("fill = %+v", p)
		}
		if p := mustProfile(t, st, ws, kith.KindEmail, "old@example.com"); p.Attributes["firstName"] != "Old" || p.CustomID != "OLD-1" {
			t.Errorf("old = %+v", p)
		}
	})
}

// TestMerge checks R4 through an import: a row whose uuid is on an
// anonymous profile and whose email is on another merges them.
func TestMerge(t *testing.T) {
	eachStore(t, func(t *testing.T, st kith.Store) {
		ws := workspace(t, st, kith.ModeEmail)
		seed(t, st, ws,
			`{"client":{"uuid":"`+uuidA+`"},"attributes":{"city":"Oslo"},"tags":["visitor"]}`,
			`{"client":{"email":"ada@example.com"}}`)
		anon := mustProfile(t, st, ws, kith.KindUUID, uuidA)
		res := mustRun(t, st, ws, "a.csv", "email,uuid\nada@example.com,"+uuidA+"\n", importer.Options{})
		wantCounts(t, res.counts, 1, 0, 1, 1, 0)
		ada := mustProfile(t, st, ws, kith.KindEmail, "ada@example.com")
		if ada.Attributes["city"] != "Oslo" || len(ada.Tags) != 1 || len(ada.PreviousClientIDs) != 1 || ada.PreviousClientIDs[0] != anon.ClientID {
			t.Errorf("ada = %+v", ada)
		}
	})
}

// TestRerunIsIdempotent checks that importing the same file twice leaves
// the same profiles: the second run creates nothing.
func TestRerunIsIdempotent(t *testing.T) {
	eachStore(t, func(t *testing.T, st kith.Store) {
		ws := workspace(t, st, kith.ModeEmail)
		content := "email,customId,firstName,points,tags,agreements.email,agreements.sms\n" +
			"ada@example.com,C-1,Ada,1,vip;new,yes,no\n" +
			"grace@example.com,,Grace,2,,true,\n" +
			",C-3,Linus,3,vip,,\n" +
			"bad,,,,,,\n" +
			"ada@example.com,,,,b2b,,\n"
		opts := importer.Options{Mapping: &importer.Mapping{Tags: []string{"import-1"}}}
		first := mustRun(t, st, ws, "a.csv", content, opts)
		wantCounts(t, first.counts, 5, 3, 1, 0, 1)
		before := snapshot(t, st, ws, "ada@example.com", "grace@example.com")
		second := mustRun(t, st, ws, "a.csv", content, opts)
		wantCounts(t, second.counts, 5, 0, 4, 0, 1)
		wantErrors(t, second.errs, rowErr(5, "email", kith.ECodeInvalidEmail))
		if after := snapshot(t, st, ws, "ada@example.com", "grace@example.com"); after != before {
			t.Errorf("a second run changed profiles:\n%s\n%s", before, after)
		}
	})
}

// snapshot describes profiles and their timelines.
func snapshot(t testing.TB, st kith.Store, ws *kith.Workspace, emails ...string) string {
	var b strings.Builder
	for _, e := range emails {
		p := mustProfile(t, st, ws, kith.KindEmail, e)
		fmt.Fprintf(&b, "%d %s %s %v %v %v events:%d\n", p.ClientID, p.Email, p.CustomID, p.Attributes, p.Tags, p.Agreements, len(events(t, st, ws, p.ClientID)))
	}
	return b.String()
}

// TestDryRun checks that a dry run reports what a real run would and
// writes nothing: no profile, no attribute, no tag.
func TestDryRun(t *testing.T) {
	eachStore(t, func(t *testing.T, st kith.Store) {
		ws := workspace(t, st, kith.ModeEmail)
		seed(t, st, ws, `{"client":{"email":"old@example.com","customId":"OLD-1"}}`)
		var b strings.Builder
		b.WriteString("email,customId,points,tags\n")
		for i := range 1100 {
			fmt.Fprintf(&b, "u%d@example.com,U-%d,%d,dry\n", i, i, i)
		}
		b.WriteString("u5@example.com,,,\n")         // updated: row 7 created it
		b.WriteString("old@example.com,U-7,,\n")     // identity_conflict with row 9 and an existing profile
		b.WriteString("old@example.com,,not-num,\n") // attribute_type_mismatch
		opts := importer.Options{DryRun: true, BatchSize: 100, Mapping: &importer.Mapping{Tags: []string{"dry-tag"}}}
		dry := mustRun(t, st, ws, "a.csv", b.String(), opts)
		wantCounts(t, dry.counts, 1103, 1100, 1, 0, 2)
		wantErrors(t, dry.errs, rowErr(1103, "customId", kith.ECodeIdentityConflict), rowErr(1104, "points", kith.ECodeAttrTypeMismatch))
		if p := profile(t, st, ws, kith.KindEmail, "u0@example.com"); p != nil {
			t.Errorf("dry run wrote %+v", p)
		}
		defs, tags := catalogue(t, st, ws)
		if len(defs) != 0 || len(tags) != 0 {
			t.Errorf("dry run defined %v and tags %v", defs, tags)
		}
		opts.DryRun = false
		real := mustRun(t, st, ws, "a.csv", b.String(), opts)
		if real.counts != dry.counts {
			t.Errorf("real run %+v, dry run %+v", real.counts, dry.counts)
		}
		mustProfile(t, st, ws, kith.KindEmail, "u0@example.com")
	})
}

// TestAuditAndCatalogue checks the system events an import leaves:
// client.add with source import, agreement changes audited with source
// import, tags (from the column and the mapping) in the catalogue.
func TestAuditAndCatalogue(t *testing.T) {
	eachStore(t, func(t *testing.T, st kith.Store) {
		ws := workspace(t, st, kith.ModeEmail)
		m := &importer.Mapping{Tags: []string{"import-2026-11"}}
		mustRun(t, st, ws, "a.csv", "email,tags,agreements.email,agreements.sms\nada@example.com,vip,yes,0\n", importer.Options{Mapping: m})
		ada := mustProfile(t, st, ws, kith.KindEmail, "ada@example.com")
		if a := ada.Agreements["email"]; !a.Granted || a.Source != kith.SourceImport {
			t.Errorf("email agreement = %+v", a)
		}
		var agreementEvents, tagEvents int
		for _, e := range events(t, st, ws, ada.ClientID) {
			var params map[string]any
			_ = json.Unmarshal(e.Params, &params)
			switch e.Action {
			case kith.ActionClientAdd:
				if params["source"] != kith.SourceImport {
					t.Errorf("client.add params = %v", params)
				}
			case kith.ActionAgreementChanged:
				agreementEvents++
				if params["source"] != kith.SourceImport {
					t.Errorf("agreement event params = %v", params)
				}
			case kith.ActionTagAdded:
				tagEvents++
			}
		}
		if agreementEvents != 2 || tagEvents != 2 {
			t.Errorf("agreement events %d, tag events %d; want 2 and 2", agreementEvents, tagEvents)
		}
		_, tags := catalogue(t, st, ws)
		if fmt.Sprint(tags) != "[import-2026-11 vip]" {
			t.Errorf("tag catalogue = %v", tags)
		}
	})
}

// TestWorkspaceIsolation checks that an import writes to its workspace
// only.
func TestWorkspaceIsolation(t *testing.T) {
	st := openSQLite(t)
	a, b := workspace(t, st, kith.ModeEmail), workspace(t, st, kith.ModeEmail)
	mustRun(t, st, a, "a.csv", "email,Level\nada@example.com,1\n", importer.Options{})
	if p := profile(t, st, b, kith.KindEmail, "ada@example.com"); p != nil {
		t.Errorf("workspace b sees %+v", p)
	}
	res := mustRun(t, st, b, "a.csv", "email,Level\nada@example.com,gold\n", importer.Options{})
	wantCounts(t, res.counts, 1, 1, 0, 0, 0)
	if defs, _ := catalogue(t, st, b); defs["Level"] != kith.TypeString {
		t.Errorf("b's Level = %q", defs["Level"])
	}
}
