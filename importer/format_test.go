package importer_test

import (
	"testing"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/importer"
)

// TestMessyFiles imports the same two customers written in every way a
// CRM export comes: each must give the same profiles.
func TestMessyFiles(t *testing.T) {
	for _, tc := range []struct {
		name, file, content string
		opts                importer.Options
	}{
		{name: "plain", file: "a.csv", content: "email,firstName,tags\nada@example.com,Ada,vip\ngrace@example.com,Grace,\n"},
		{name: "BOM", file: "a.csv", content: "\ufeffemail,firstName,tags\nada@example.com,Ada,vip\ngrace@example.com,Grace,\n"},
		{name: "CRLF", file: "a.csv", content: "email,firstName,tags\r\nada@example.com,Ada,vip\r\ngrace@example.com,Grace,\r\n"},
		{name: "no final newline", file: "a.csv", content: "email,firstName,tags\nada@example.com,Ada,vip\ngrace@example.com,Grace,"},
		{name: "semicolon detected", file: "a.csv", content: "\ufeffemail;firstName;tags\r\nada@example.com;Ada;vip\r\ngrace@example.com;Grace;\r\n"},
		{name: "semicolon given", file: "a.csv", content: "email;firstName;tags\nada@example.com;Ada;vip\ngrace@example.com;Grace;\n",
			opts: importer.Options{Delimiter: ";"}},
		{name: "semicolon in mapping", file: "a.csv", content: "email;firstName;tags\nada@example.com;Ada;vip\ngrace@example.com;Grace;\n",
			opts: importer.Options{Mapping: &importer.Mapping{Delimiter: ";"}}},
		{name: "tab", file: "a.tsv", content: "email\tfirstName\ttags\nada@example.com\tAda\tvip\ngrace@example.com\tGrace\t\n"},
		{name: "quoted", file: "a.csv", content: "\"email\",\"firstName\",\"tags\"\n\"ada@example.com\",\"Ada\",\"vip\"\n\"grace@example.com\",\"Grace\",\"\"\n"},
		{name: "blank lines and trailing delimiter", file: "a.csv", content: "email,firstName,tags,\n\nada@example.com,Ada,vip,\n\ngrace@example.com,Grace,,\n\n"},
		{name: "padded header", file: "a.csv", content: " email , firstName ,tags\nada@example.com,Ada,vip\ngrace@example.com,Grace,\n"},
		{name: "ndjson", file: "a.ndjson", content: `{"email":"ada@example.com","firstName":"Ada","tags":["vip"]}` + "\n" + `{"email":"grace@example.com","firstName":"Grace","tags":null}` + "\n"},
		{name: "ndjson nested, CRLF, BOM, blank lines", file: "a.jsonl", content: "\ufeff" + `{"client":{"email":"ada@example.com"},"attributes":{"firstName":"Ada"},"tags":"vip"}` + "\r\n\r\n" + `{"email":"grace@example.com","attributes.firstName":"Grace"}` + "\r\n"},
		{name: "ndjson sniffed", file: "export.dat", content: `  {"email":"ada@example.com","firstName":"Ada","tags":["vip"]}` + "\n" + `{"email":"grace@example.com","firstName":"Grace"}`},
		{name: "ndjson given", file: "export.csv", content: `{"email":"ada@example.com","firstName":"Ada","tags":["vip"]}` + "\n" + `{"email":"grace@example.com","firstName":"Grace"}`,
			opts: importer.Options{Format: "ndjson"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := openSQLite(t)
			ws := workspace(t, st, kith.ModeEmail)
			res := mustRun(t, st, ws, tc.file, tc.content, tc.opts)
			wantCounts(t, res.counts, 2, 2, 0, 0, 0)
			wantErrors(t, res.errs)
			ada := mustProfile(t, st, ws, kith.KindEmail, "ada@example.com")
			if ada.Attributes["firstName"] != "Ada" || len(ada.Tags) != 1 || ada.Tags[0] != "vip" {
				t.Errorf("ada = %+v %v", ada.Attributes, ada.Tags)
			}
			grace := mustProfile(t, st, ws, kith.KindEmail, "grace@example.com")
			if grace.Attributes["firstName"] != "Grace" || len(grace.Tags) != 0 {
				t.Errorf("grace = %+v %v", grace.Attributes, grace.Tags)
			}
		})
	}
}

// TestQuotedNewlines checks that a row spanning lines is one row, and that
// errors name the line on which a row starts.
func TestQuotedNewlines(t *testing.T) {
	st := openSQLite(t)
	ws := workspace(t, st, kith.ModeEmail)
	content := "email,address,birthDate\r\n" + // line 1
		"ada@example.com,\"12 Analytical St\r\nFlat 3\r\nLondon\",1915-12-10\r\n" + // lines 2-4
		"grace@example.com,\"1 Navy Yard, \"\"B\"\"\nArlington\",1906-12-09\n" + // lines 5-6
		"linus@example.com,\"x\ny\",1969-13-28\n" + // lines 7-8: bad date
		"ken@example.com,,1943-02-04\n" // line 9
	res := mustRun(t, st, ws, "a.csv", content, importer.Options{})
	wantCounts(t, res.counts, 4, 3, 0, 0, 1)
	wantErrors(t, res.errs, rowErr(7, "birthDate", kith.ECodeInvalidBirthDate))
	ada := mustProfile(t, st, ws, kith.KindEmail, "ada@example.com")
	if got := ada.Attributes["address"]; got != "12 Analytical St\nFlat 3\nLondon" {
		t.Errorf("address = %q", got)
	}
	grace := mustProfile(t, st, ws, kith.KindEmail, "grace@example.com")
	if got := grace.Attributes["address"]; got != "1 Navy Yard, \"B\"\nArlington" {
		t.Errorf("address = %q", got)
	}
}

// TestMalformedRows checks that unreadable CSV rows are reported and the
// rows around them imported.
func TestMalformedRows(t *testing.T) {
	st := openSQLite(t)
	ws := workspace(t, st, kith.ModeEmail)
	content := "email,firstName\n" +
		"ada@example.com,Ada\n" +
		"grace@example.com,Grace,extra\n" + // line 3: a field too many
		"linus@example.com\n" + // line 4: a field too few
		"ken@example.com,Ken \"the\" Thompson\n" + // line 5: bare quote
		"dennis@example.com,Dennis,\n" // line 6: trailing delimiter is fine
	res := mustRun(t, st, ws, "a.csv", content, importer.Options{})
	wantCounts(t, res.counts, 5, 2, 0, 0, 3)
	wantErrors(t, res.errs,
		rowErr(3, "", importer.CodeMalformedRow),
		rowErr(4, "", importer.CodeMalformedRow),
		rowErr(5, "", importer.CodeMalformedRow))
	mustProfile(t, st, ws, kith.KindEmail, "dennis@example.com")
}

// TestMalformedNDJSON checks that lines that are not JSON objects are
// reported with their line numbers.
func TestMalformedNDJSON(t *testing.T) {
	st := openSQLite(t)
	ws := workspace(t, st, kith.ModeEmail)
	content := `{"email":"ada@example.com"}` + "\n" +
		"\n" +
		`{"email":"grace@example.com"` + "\n" + // line 3: truncated
		`["linus@example.com"]` + "\n" + // line 4: not an object
		`{"email":"ken@example.com"} {}` + "\n" + // line 5: two values
		`null` + "\n" + // line 6
		`{"email":true}` + "\n" + // line 7: not a string
		`{"email":"dennis@example.com","ClubMember":true,"points":12.5,"tags":["a","b"],"agreements":{"email":true},"agreements.sms":"no"}` + "\n"
	res := mustRun(t, st, ws, "a.ndjson", content, importer.Options{})
	wantCounts(t, res.counts, 7, 2, 0, 0, 5)
	wantErrors(t, res.errs,
		rowErr(3, "", kith.ECodeInvalidJSON),
		rowErr(4, "", kith.ECodeInvalidJSON),
		rowErr(5, "", kith.ECodeInvalidJSON),
		rowErr(6, "", kith.ECodeInvalidJSON),
		rowErr(7, "email", kith.ECodeInvalidIdentifier))
	dennis := mustProfile(t, st, ws, kith.KindEmail, "dennis@example.com")
	if dennis.Attributes["ClubMember"] != true || dennis.Attributes["points"] != 12.5 ||
		!dennis.Agreements["email"].Granted || dennis.Agreements["sms"].Granted || len(dennis.Tags) != 2 {
		t.Errorf("dennis = %+v %+v %v", dennis.Attributes, dennis.Agreements, dennis.Tags)
	}
	defs, _ := catalogue(t, st, ws)
	if defs["ClubMember"] != kith.TypeBoolean || defs["points"] != kith.TypeNumber {
		t.Errorf("catalogue = %v", defs)
	}
}
