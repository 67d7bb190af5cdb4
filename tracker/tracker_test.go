package tracker

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/google/uuid"
)

func TestScriptEmbedded(t *testing.T) {
	src, err := os.ReadFile("kith.js")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(src, Script) {
		t.Fatal("Script differs from kith.js")
	}
}

func TestHandler(t *testing.T) {
	rec := httptest.NewRecorder()
	Handler().ServeHTTP(rec, httptest.NewRequest("GET", Path, nil))
	if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), Script) {
		t.Fatalf("status %d, %d bytes", rec.Code, rec.Body.Len())
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") {
		t.Fatalf("Content-Type %q", ct)
	}
	req := httptest.NewRequest("GET", Path, nil)
	req.Header.Set("If-None-Match", rec.Header().Get("ETag"))
	rec = httptest.NewRecorder()
	Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusNotModified {
		t.Fatalf("revalidation: status %d", rec.Code)
	}
}

// TestDerivedUUIDVectors checks that the vectors kith_pure_test.mjs holds the
// JavaScript UUIDv5 to are what the Go side (google/uuid) computes, so that
// the tracker and the server derive the same uuid (SPEC §2 uuidPolicy).
func TestDerivedUUIDVectors(t *testing.T) {
	for _, c := range []struct{ name, want string }{
		{"http://example.com/", "0a300ee9-f9e4-5697-a51a-efc7fafaba67"},
		{"s3cr3t" + "ada@example.com", "e670b2f8-7cfb-5a26-baac-0029a794839d"},
		{"salt" + "LOY-1", "ce2925e6-2c8f-5168-a190-376e36893256"},
		{"sél" + "zoë@exämple.com", "33355098-674c-5779-b916-f1dbe285478d"},
	} {
		if got := uuid.NewSHA1(uuid.NameSpaceURL, []byte(c.name)).String(); got != c.want {
			t.Errorf("uuidv5(%q) = %s, want %s", c.name, got, c.want)
		}
	}
	src := string(Script)
	if !strings.Contains(src, uuid.NameSpaceURL.String()) {
		t.Error("kith.js does not use the URL namespace")
	}
}
