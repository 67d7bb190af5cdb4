package importer_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/importer"
)

// TestReadPreview checks the header and first rows a preview shows: the
// delimiter detected, a byte order mark dropped, quoted cells spanning
// lines, unreadable rows left out, NDJSON keys flattened.
func TestReadPreview(t *testing.T) {
	for _, tc := range []struct {
		name, file, content string
		opts                importer.Options
		want                importer.Preview
	}{
		{"semicolons", "a.csv", "\xEF\xBB\xBF E-mail ;Card;;\n" +
			"ada@example.com;\"LOY;1\";;\n" +
			"bob@example.com;\"two\nlines\"\n" +
			"c@example.com;\"stray\"quote\n" +
			"d@example.com;4\ne@example.com;5\n",
			importer.Options{},
			importer.Preview{Format: "csv", Delimiter: ";", Columns: []string{"E-mail", "Card", "", ""},
				Rows: [][]string{{"ada@example.com", "LOY;1", "", ""}, {"bob@example.com", "two\nlines", "", ""}, {"d@example.com", "4", "", ""}}}},
		{"given delimiter", "a.txt", "a|b,c\n1|2,3\n", importer.Options{Delimiter: "|"},
			importer.Preview{Format: "csv", Delimiter: "|", Columns: []string{"a", "b,c"}, Rows: [][]string{{"1", "2,3"}}}},
		{"header only", "a.csv", "email,tags\n", importer.Options{},
			importer.Preview{Format: "csv", Delimiter: ",", Columns: []string{"email", "tags"}}},
		{"ndjson", "a.jsonl", `{"email":"a@example.com","attributes":{"points":3}}` + "\n\nnot json\n" +
			`{"tags":["x","y"],"agreements.sms":true,"email":null}` + "\n",
			importer.Options{},
			importer.Preview{Format: "ndjson", Columns: []string{"attributes.points", "email", "agreements.sms", "tags"},
				Rows: [][]string{{"3", "a@example.com", "", ""}, {"", "", "true", `["x","y"]`}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := importer.ReadPreview(importer.Input{Name: tc.file, R: strings.NewReader(tc.content)}, tc.opts, 3)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*got, tc.want) {
				t.Errorf("preview:\n got %#v\nwant %#v", *got, tc.want)
			}
		})
	}
	_, err := importer.ReadPreview(importer.Input{Name: "a.csv", R: strings.NewReader("")}, importer.Options{}, 5)
	if kith.ErrorCode(err) != importer.CodeInvalidFile {
		t.Errorf("empty file: %v", err)
	}
	_, err = importer.ReadPreview(importer.Input{Name: "a.csv", R: strings.NewReader("a\n")}, importer.Options{Delimiter: "ab"}, 5)
	if kith.ErrorCode(err) != importer.CodeInvalidMapping {
		t.Errorf("bad delimiter: %v", err)
	}
}

// TestResolveColumns checks what columns feed by name and under a
// mapping, and the refusals an import would make.
// TestReadPreviewIsBounded: an unclosed quote, or rows that cannot be
// read, do not make a preview read past its budget.
func TestReadPreviewIsBounded(t *testing.T) {
	for name, content := range map[string]string{
		"unclosed quote":  "email,name\nbob@example.com,\"oops\n" + strings.Repeat("x@example.com,x\n", 1<<18),
		"unreadable rows": "{\"email\":\"a@example.com\"}\n" + strings.Repeat("not json\n", 1<<19),
	} {
		t.Run(name, func(t *testing.T) {
			file := "a.csv"
			if name == "unreadable rows" {
				file = "a.jsonl"
			}
			r, read := importer.CountReads(strings.NewReader(content))
			p, err := importer.ReadPreview(importer.Input{Name: file, R: r}, importer.Options{}, 5)
			if err != nil {
				t.Fatal(err)
			}
			if n := read(); n > importer.MaxPreviewBytes || int64(len(content)) <= importer.MaxPreviewBytes {
				t.Errorf("read %d bytes of %d, budget %d", n, len(content), importer.MaxPreviewBytes)
			}
			if len(p.Columns) == 0 {
				t.Errorf("preview %+v lacks the columns", p)
			}
		})
	}
}

func TestResolveColumns(t *testing.T) {
	custom := []kith.AttributeDef{{Name: "ClubMember", Type: kith.TypeBoolean}}
	s := func(v string) *string { return &v }
	type res struct {
		target string
		isNew  bool
		code   string
	}
	for _, tc := range []struct {
		name    string
		columns []string
		m       *importer.Mapping
		want    []res
	}{
		{"by name", []string{"email", " customId ", "firstName", "attributes.ClubMember", "points", "tags", "agreements.sms", "", "E-mail", "club_member", "agreements.fax"}, nil,
			[]res{{"email", false, ""}, {"customId", false, ""}, {"attributes.firstName", false, ""}, {"attributes.ClubMember", false, ""},
				{"attributes.points", true, ""}, {"tags", false, ""}, {"agreements.sms", false, ""}, {"", false, ""},
				{"", false, kith.ECodeReservedAttribute}, {"", false, kith.ECodeAttributeNameTaken}, {"", false, kith.ECodeInvalidAgreement}}},
		{"mapped", []string{"E-mail", "Card", "Notes", "Labels", "Labels2"},
			&importer.Mapping{Columns: map[string]*string{"E-mail": s("email"), "Card": s("customId"), "Notes": nil, "Labels": s("tags"), "Labels2": s("tags")}},
			[]res{{"email", false, ""}, {"customId", false, ""}, {"", false, ""}, {"tags", false, ""}, {"tags", false, ""}}},
		{"two columns to one identifier", []string{"a", "b", "c"},
			&importer.Mapping{Columns: map[string]*string{"a": s("email"), "b": s("email"), "c": s("attributes.status")}},
			[]res{{"email", false, ""}, {"", false, importer.CodeDuplicateColumn}, {"", false, kith.ECodeReservedAttribute}}},
		{"duplicate header", []string{"email", "email"}, nil,
			[]res{{"email", false, ""}, {"", false, importer.CodeDuplicateColumn}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := importer.ResolveColumns(tc.columns, tc.m, custom)
			if len(got) != len(tc.want) {
				t.Fatalf("%d results for %d columns", len(got), len(tc.columns))
			}
			for i, g := range got {
				code := ""
				if g.Err != nil {
					code = kith.ErrorCode(g.Err)
					if g.Err.Field != g.Column || g.Err.Message == "" {
						t.Errorf("column %q: error %+v does not name it", g.Column, g.Err)
					}
				}
				if r := (res{g.Target, g.New, code}); r != tc.want[i] {
					t.Errorf("column %q: got %+v, want %+v", tc.columns[i], r, tc.want[i])
				}
			}
		})
	}
}
