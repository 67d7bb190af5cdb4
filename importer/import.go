package importer

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"
)

// Import statuses (SPEC §5).
const (
	StatusRunning = "running"
	StatusDone    = "done"
	StatusFailed  = "failed"
)

// Error codes of the importer, besides the kith.ECode… codes that rows and
// columns share with the API.
const (
	// CodeMalformedRow is a CSV row that cannot be read: a stray quote, or
	// more or fewer fields than the header has.
	CodeMalformedRow = "malformed_row"
	// CodeDuplicateColumn is two columns feeding the same field.
	CodeDuplicateColumn = "duplicate_column"
	// CodeInvalidFile is a file that cannot be imported at all: empty, no
	// header, unreadable.
	CodeInvalidFile = "invalid_file"
	// CodeInvalidMapping is a mapping file that cannot be used.
	CodeInvalidMapping = "invalid_mapping"
	// CodeInterrupted is an import whose process stopped before it ended.
	CodeInterrupted = "interrupted"
)

// Import is the record of one import: IMPORT in the API (SPEC §5). When it
// is done, Created + Updated + Failed = Rows; a row that merged profiles
// counts as updated and also in Merged.
type Import struct {
	ID          string `json:"id"`
	WorkspaceID int64  `json:"-"`
	FileName    string `json:"fileName"`
	Status      string `json:"status"`
	DryRun      bool   `json:"dryRun"`
	Counts
	// BytesRead and Size (0 when unknown) tell how far a running import is.
	BytesRead  int64      `json:"bytesRead"`
	Size       int64      `json:"size"`
	StartedAt  time.Time  `json:"startedAt"`
	FinishedAt *time.Time `json:"finishedAt"`
	// UpdatedAt is when the record last changed; a running import whose
	// record stops changing belonged to a process that stopped.
	UpdatedAt time.Time `json:"updatedAt"`
	// Failure says why a failed import stopped.
	Failure *Failure `json:"failure,omitempty"`
}

// Counts are what an import did so far.
type Counts struct {
	// Rows counts data rows read.
	Rows    int64 `json:"rows"`
	Created int64 `json:"created"`
	Updated int64 `json:"updated"`
	Merged  int64 `json:"merged"`
	Failed  int64 `json:"failed"`
	// Errors counts row errors reported; a row may have several.
	Errors int64 `json:"errors"`
}

// Failure is why an import failed as a whole.
type Failure struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// RowError is one problem of one row: a line of the errors CSV
// (line,column,code,message). Line is the physical line of the file on
// which the row starts (the header is line 1 of a CSV file). Column is the
// column's name in the file, or "" when the problem is the whole row's.
type RowError struct {
	Line    int64  `json:"line"`
	Column  string `json:"column"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// clone returns a deep copy of imp.
func (imp *Import) clone() *Import {
	c := *imp
	if imp.FinishedAt != nil {
		t := *imp.FinishedAt
		c.FinishedAt = &t
	}
	if imp.Failure != nil {
		f := *imp.Failure
		c.Failure = &f
	}
	return &c
}

// newID returns a new import id; ids sort by creation time.
func newID(now time.Time) string {
	b := make([]byte, 5)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("importer: no randomness: %v", err))
	}
	return fmt.Sprintf("imp_%012x%s", now.UnixMilli(), hex.EncodeToString(b))
}

// validID reports whether id has the shape newID gives, so that an id
// taken from a URL can name a file.
func validID(id string) bool {
	if len(id) != 4+12+10 || id[:4] != "imp_" {
		return false
	}
	for _, c := range id[4:] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
