package importer_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/importer"
)

// TestUnknownColumnsRefused checks that columns that are neither fields
// nor usable attribute names refuse the file, each named, before anything
// is written — even the rows before a bad cell far down.
func TestUnknownColumnsRefused(t *testing.T) {
	eachStore(t, func(t *testing.T, st kith.Store) {
		ws := workspace(t, st, kith.ModeEmail)
		mustRun(t, st, ws, "seed.csv", "email,ClubMember\nseed@example.com,true\n", importer.Options{})
		var b strings.Builder
		b.WriteString("email,Notes,E-mail,1st,status,club_member,first_name,agreements.fax,geo_loc_city\n")
		for i := range 1200 {
			fmt.Fprintf(&b, "u%d@example.com,n,,,,,,,\n", i)
		}
		res := run(t, st, ws, "a.csv", b.String(), importer.Options{BatchSize: 100})
		if kith.ErrorCode(res.err) != kith.ECodeReservedAttribute {
			t.Fatalf("err = %v (%s)", res.err, kith.ErrorCode(res.err))
		}
		for _, col := range []string{"E-mail", "1st", "status", "club_member", "first_name", "agreements.fax", "geo_loc_city"} {
			if !strings.Contains(res.err.Error(), col) {
				t.Errorf("error %q does not name %s", res.err, col)
			}
		}
		wantErrors(t, res.errs,
			rowErr(1, "E-mail", kith.ECodeReservedAttribute),
			rowErr(1, "1st", kith.ECodeInvalidAttrName),
			rowErr(1, "status", kith.ECodeReservedAttribute),
			rowErr(1, "club_member", kith.ECodeAttributeNameTaken),
			rowErr(1, "first_name", kith.ECodeAttributeNameTaken),
			rowErr(1, "agreements.fax", kith.ECodeInvalidAgreement),
			rowErr(1, "geo_loc_city", kith.ECodeReservedAttribute))
		if res.counts != (importer.Counts{}) {
			t.Errorf("counts = %+v", res.counts)
		}
		if p := profile(t, st, ws, kith.KindEmail, "u0@example.com"); p != nil {
			t.Errorf("a row was written: %+v", p)
		}
		if defs, _ := catalogue(t, st, ws); defs["Notes"] != "" {
			t.Errorf("Notes was defined: %v", defs)
		}
	})
}

// TestUnknownKeysNDJSON checks NDJSON keys: a seekable file is checked
// whole before anything is written; a stream reports rows using an
// unknown key.
func TestUnknownKeysNDJSON(t *testing.T) {
	st := openSQLite(t)
	ws := workspace(t, st, kith.ModeEmail)
	var b strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&b, `{"email":"u%d@example.com","firstName":"U"}`+"\n", i)
	}
	b.WriteString(`{"email":"last@example.com","Status":"x"}` + "\n")
	res := run(t, st, ws, "a.ndjson", b.String(), importer.Options{BatchSize: 100})
	if kith.ErrorCode(res.err) != kith.ECodeReservedAttribute || !strings.Contains(res.err.Error(), `"Status"`) {
		t.Fatalf("err = %v", res.err)
	}
	wantErrors(t, res.errs, rowErr(0, "Status", kith.ECodeReservedAttribute))
	if p := profile(t, st, ws, kith.KindEmail, "u0@example.com"); p != nil {
		t.Errorf("a row was written: %+v", p)
	}

	// Standard input cannot be read twice: the row is refused alone.
	counts, err := importer.Run(context.Background(), st, ws,
		importer.Input{Name: "-", R: io.MultiReader(strings.NewReader(b.String()))},
		importer.Options{Format: importer.FormatNDJSON, Now: clock, OnErrors: func(errs []importer.RowError) error {
			res.errs = errs
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	wantCounts(t, counts, 1001, 1000, 0, 0, 1)
	wantErrors(t, res.errs, rowErr(1001, "Status", kith.ECodeReservedAttribute))

	// A pipe is an *os.File, which has Seek, but cannot seek.
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		_, _ = io.WriteString(pw, `{"email":"pipe@example.com"}`+"\n"+`{"email":"pipe2@example.com","Status":"x"}`+"\n")
		_ = pw.Close()
	}()
	defer pr.Close()
	counts, err = importer.Run(context.Background(), st, ws, importer.Input{Name: "stdin", R: pr},
		importer.Options{Format: importer.FormatNDJSON, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	wantCounts(t, counts, 2, 1, 0, 0, 1)
}

// TestMapping checks renaming, ignoring, constant tags, and that a
// mapping may name columns the file does not have.
func TestMapping(t *testing.T) {
	eachStore(t, func(t *testing.T, st kith.Store) {
		ws := workspace(t, st, kith.ModeEmail)
		m, err := importer.ParseMapping([]byte(`{"columns":{"E-mail":"email","Card":"customId",
			"Club":"attributes.ClubMember","Notes":null,"Missing":"city","Segment":"tags","Consent":"agreements.email"},
			"tags":["import-2026-11"," crm "],"delimiter":";"}`))
		if err != nil {
			t.Fatal(err)
		}
		res := mustRun(t, st, ws, "a.csv", "E-mail;Card;Club;Notes;tags;Segment;Consent\n"+
			"ada@example.com;C-1;true;call her;vip|new;b2b;1\n"+
			"grace@example.com;C-2;no;;;;0\n", importer.Options{Mapping: m})
		wantCounts(t, res.counts, 2, 2, 0, 0, 0)
		ada := mustProfile(t, st, ws, kith.KindCustomID, "C-1")
		slices.Sort(ada.Tags)
		if ada.Email != "ada@example.com" || ada.Attributes["ClubMember"] != true || ada.Attributes["Notes"] != nil ||
			!slices.Equal(ada.Tags, []string{"b2b", "crm", "import-2026-11", "new", "vip"}) || !ada.Agreements["email"].Granted {
			t.Errorf("ada = %s %+v %v %+v", ada.Email, ada.Attributes, ada.Tags, ada.Agreements)
		}
		grace := mustProfile(t, st, ws, kith.KindEmail, "grace@example.com")
		slices.Sort(grace.Tags)
		if !slices.Equal(grace.Tags, []string{"crm", "import-2026-11"}) || grace.Attributes["ClubMember"] != false {
			t.Errorf("grace = %+v %v", grace.Attributes, grace.Tags)
		}
		defs, tags := catalogue(t, st, ws)
		if defs["ClubMember"] != kith.TypeBoolean || defs["Notes"] != "" {
			t.Errorf("catalogue = %v", defs)
		}
		for _, want := range []string{"import-2026-11", "crm", "vip", "new", "b2b"} {
			if !slices.Contains(tags, want) {
				t.Errorf("tag catalogue %v lacks %q", tags, want)
			}
		}
	})
}

// TestMappingErrors checks that bad mapping files are refused.
func TestMappingErrors(t *testing.T) {
	for _, bad := range []string{
		`{"columns":{"a":"email"},"extra":1}`,
		`{"columns":{"a":""}}`,
		`{"tags":[""]}`,
		`{"delimiter":"ab"}`,
		`{"delimiter":"\""}`,
		`[]`,
		``,
	} {
		if _, err := importer.ParseMapping([]byte(bad)); kith.ErrorCode(err) != importer.CodeInvalidMapping {
			t.Errorf("ParseMapping(%s) = %v, want invalid_mapping", bad, err)
		}
	}
}

// TestDuplicateColumns checks that two columns feeding one field refuse
// the file, except tags, which add up.
func TestDuplicateColumns(t *testing.T) {
	st := openSQLite(t)
	ws := workspace(t, st, kith.ModeEmail)
	res := run(t, st, ws, "a.csv", "email,firstName,email\na@example.com,A,a@example.com\n", importer.Options{})
	if kith.ErrorCode(res.err) != importer.CodeDuplicateColumn {
		t.Errorf("err = %v", res.err)
	}
	m := &importer.Mapping{Columns: map[string]*string{"Mail": ptr("email")}}
	res = run(t, st, ws, "a.csv", "email,Mail\na@example.com,a@example.com\n", importer.Options{Mapping: m})
	if kith.ErrorCode(res.err) != importer.CodeDuplicateColumn || !strings.Contains(res.err.Error(), `"Mail"`) {
		t.Errorf("err = %v", res.err)
	}
	res = run(t, st, ws, "a.csv", "email,loyaltyLevel,loyalty_level\na@example.com,1,2\n", importer.Options{})
	if kith.ErrorCode(res.err) != kith.ECodeAttributeNameTaken || !strings.Contains(res.err.Error(), "loyalty_level") {
		t.Errorf("err = %v", res.err)
	}
	m = &importer.Mapping{Columns: map[string]*string{"Segment": ptr("tags")}}
	mustRun(t, st, ws, "a.csv", "email,tags,Segment\na@example.com,x,y\n", importer.Options{Mapping: m})
	if p := mustProfile(t, st, ws, kith.KindEmail, "a@example.com"); len(p.Tags) != 2 {
		t.Errorf("tags = %v", p.Tags)
	}
}

func ptr(s string) *string { return &s }

// TestTypeInference checks that a new attribute column takes its type from
// its first non-empty cell, however far down, and that later cells are
// parsed to it.
func TestTypeInference(t *testing.T) {
	eachStore(t, func(t *testing.T, st kith.Store) {
		ws := workspace(t, st, kith.ModeEmail)
		mustRun(t, st, ws, "seed.ndjson", `{"email":"seed@example.com","tiers":["gold"],"level":3}`, importer.Options{})
		var b strings.Builder
		b.WriteString("email,joined,score,ratio,active,at,tiers,level\n")
		for i := range 1200 {
			fmt.Fprintf(&b, "u%d@example.com,,,,,,,\n", i)
		}
		// Line 1202: the first non-empty cells.
		b.WriteString("first@example.com,2020-01-31,007,1.5,TRUE,2026-11-28T10:00:00Z,gold;silver| bronze,4\n")
		b.WriteString("second@example.com,2021-02-03,42,-2e3,no,later,plain,5.5\n")
		b.WriteString("bad1@example.com,31.01.2020,,,,,,\n") // line 1204
		b.WriteString("bad2@example.com,,,,,,,high\n")       // line 1205
		b.WriteString("bad3@example.com,,,1.5.2,,,,\n")      // line 1206
		b.WriteString("bad4@example.com,,,,maybe,,,\n")      // line 1207
		b.WriteString("bad5@example.com,2023-02-29,,,,,,\n") // line 1208
		res := mustRun(t, st, ws, "a.csv", b.String(), importer.Options{BatchSize: 500})
		wantCounts(t, res.counts, 1207, 1202, 0, 0, 5)
		wantErrors(t, res.errs,
			rowErr(1204, "joined", kith.ECodeAttrTypeMismatch),
			rowErr(1205, "level", kith.ECodeAttrTypeMismatch),
			rowErr(1206, "ratio", kith.ECodeAttrTypeMismatch),
			rowErr(1207, "active", kith.ECodeAttrTypeMismatch),
			rowErr(1208, "joined", kith.ECodeAttrTypeMismatch))
		defs, _ := catalogue(t, st, ws)
		want := map[string]string{"joined": kith.TypeDate, "score": kith.TypeString, "ratio": kith.TypeNumber,
			"active": kith.TypeBoolean, "at": kith.TypeString, "tiers": kith.TypeList, "level": kith.TypeNumber}
		for name, typ := range want {
			if defs[name] != typ {
				t.Errorf("%s is %q, want %q", name, defs[name], typ)
			}
		}
		first := mustProfile(t, st, ws, kith.KindEmail, "first@example.com")
		second := mustProfile(t, st, ws, kith.KindEmail, "second@example.com")
		if got := fmt.Sprint(first.Attributes); got != "map[active:true at:2026-11-28T10:00:00Z joined:2020-01-31 level:4 ratio:1.5 score:007 tiers:[gold silver bronze]]" {
			t.Errorf("first = %s", got)
		}
		if got := fmt.Sprint(second.Attributes); got != "map[active:false at:later joined:2021-02-03 level:5.5 ratio:-2000 score:42 tiers:[plain]]" {
			t.Errorf("second = %s", got)
		}
		if p := mustProfile(t, st, ws, kith.KindEmail, "u0@example.com"); len(p.Attributes) != 0 {
			t.Errorf("u0 = %v", p.Attributes)
		}
	})
}
