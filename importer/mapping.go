package importer

import (
	"fmt"
	"os"
	"unicode/utf8"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/identity"
	"github.com/kithcdp/kith/ingest"
)

// MaxMappingBytes is the largest mapping file.
const MaxMappingBytes = 1 << 20

// Mapping says how a file's columns map to profile fields (SPEC §5):
//
//	{"columns":{"E-mail":"email","Club":"attributes.ClubMember","Notes":null},
//	 "tags":["import-2026-11"],"delimiter":";"}
//
// A column named in Columns feeds the field given as its value (any name a
// column could have: clientId, email, customId, uuid, tags,
// agreements.CHANNEL, attributes.NAME or an attribute name), or is ignored
// when the value is null. Other columns map by their own name; names in
// Columns that the file lacks are ignored. Tags are added to every row.
// Delimiter is the CSV delimiter; empty means detected from the header.
type Mapping struct {
	Columns   map[string]*string `json:"columns"`
	Tags      []string           `json:"tags"`
	Delimiter string             `json:"delimiter"`
}

// ParseMapping decodes and checks a mapping file. It returns
// invalid_mapping, naming the problem.
func ParseMapping(data []byte) (*Mapping, error) {
	var m Mapping
	if e := ingest.DecodeStrict(data, &m, ""); e != nil {
		return nil, mappingError("the mapping is not valid JSON of the mapping format: %s", e.Error())
	}
	if err := m.Check(); err != nil {
		return nil, err
	}
	return &m, nil
}

// Check normalizes the mapping's tags and checks its tags, delimiter and
// targets. It returns invalid_mapping, naming the problem.
func (m *Mapping) Check() error {
	for i, t := range m.Tags {
		n, e := identity.NormalizeTag(t)
		if e != nil {
			return mappingError("tags[%d]: %s", i, e.Message)
		}
		m.Tags[i] = n
	}
	if m.Delimiter != "" {
		if _, err := ParseDelimiter(m.Delimiter); err != nil {
			return mappingError("delimiter: %s", kith.ErrorMessage(err))
		}
	}
	for col, to := range m.Columns {
		if to != nil && *to == "" {
			return mappingError("columns[%q]: the target is empty; give a field name, or null to ignore the column", col)
		}
	}
	return nil
}

// LoadMapping reads and checks the mapping file at path.
func LoadMapping(path string) (*Mapping, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, mappingError("%v", err)
	}
	if st.Size() > MaxMappingBytes {
		return nil, mappingError("%s is larger than %d bytes", path, MaxMappingBytes)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, mappingError("%v", err)
	}
	return ParseMapping(data)
}

// ParseDelimiter checks a CSV delimiter given by name or as one character:
// "," ";" "tab" (or a tab) "|".
func ParseDelimiter(s string) (rune, error) {
	switch s {
	case "tab", `\t`:
		return '\t', nil
	case "comma":
		return ',', nil
	case "semicolon":
		return ';', nil
	}
	r, n := utf8.DecodeRuneInString(s)
	if n != len(s) || r == utf8.RuneError || r == '"' || r == '\r' || r == '\n' || r == ' ' {
		return 0, kith.Errorf(CodeInvalidMapping, "delimiter %q is not one character such as \",\", \";\", \"|\" or \"tab\"", s)
	}
	return r, nil
}

func mappingError(format string, args ...any) *kith.Error {
	return kith.Errorf(CodeInvalidMapping, "mapping: %s", fmt.Sprintf(format, args...))
}
