package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/importer"
	"github.com/kithcdp/kith/sqlite"
)

// TestUploads checks that an upload is found only by its workspace and
// within UploadTTL, is started once, and is swept once abandoned.
func TestUploads(t *testing.T) {
	uploadDir = t.TempDir()
	now := time.Now()
	u, err := saveUpload(1, "../../etc/customers.csv", strings.NewReader("email\na@example.com\n"), now)
	if err != nil {
		t.Fatal(err)
	}
	if u.Name != "customers.csv" || u.Size != 20 {
		t.Errorf("upload = %+v", u)
	}
	for _, tc := range []struct {
		name string
		ws   int64
		id   string
		at   time.Time
		ok   bool
	}{
		{"its workspace", 1, u.ID, now.Add(time.Minute), true},
		{"another workspace", 2, u.ID, now, false},
		{"after an hour", 1, u.ID, now.Add(UploadTTL + time.Second), false},
		{"a path", 1, "../" + u.ID[3:], now, false},
		{"no such id", 1, strings.Repeat("0", 32), now, false},
	} {
		_, err := findUpload(tc.ws, tc.id, tc.at)
		if ok := err == nil; ok != tc.ok || !ok && kith.ErrorCode(err) != kith.ECodeNotFound {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	if !u.claim() || u.claim() {
		t.Error("an upload is claimed once")
	}
	if _, err := findUpload(1, u.ID, now); err == nil {
		t.Error("a claimed upload is still found")
	}
	if _, err := os.Stat(u.path()); err != nil {
		t.Errorf("the claimed upload's content is gone before its import: %v", err)
	}

	// The sweep removes what is older than UploadTTL, and only that.
	fresh, err := saveUpload(1, "b.csv", strings.NewReader("email\n"), now)
	if err != nil {
		t.Fatal(err)
	}
	if n := sweepUploads(time.Now().Add(UploadTTL / 2)); n != 0 {
		t.Errorf("a sweep within the hour removed %d files", n)
	}
	if n := sweepUploads(time.Now().Add(UploadTTL + time.Minute)); n != 3 {
		t.Errorf("the sweep removed %d files, want 3 (one content, one upload and its record)", n)
	}
	if _, err := os.Stat(fresh.path()); !os.IsNotExist(err) {
		t.Errorf("an abandoned upload is still there: %v", err)
	}
}

// TestSweep checks that Sweep deletes the expired sessions of every
// workspace and keeps the others.
func TestSweep(t *testing.T) {
	uploadDir = t.TempDir()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, sqlite.Options{Dir: t.TempDir(), Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now().UTC()
	var hashes [][]byte
	for i, ws := range []string{"one", "two"} {
		if _, err := kith.CreateWorkspace(ctx, st, kith.NewWorkspace(ws, kith.ModeEmail), now); err != nil {
			t.Fatal(err)
		}
		u, err := CreateUser(ctx, st, ws, ws+"@shop.test", "correct horse battery", now)
		if err != nil {
			t.Fatal(err)
		}
		h := &Handler{Now: func() time.Time { return now.Add(time.Duration(i-1) * 13 * time.Hour) }}
		_, us := h.newSession(u) // the first one expired an hour ago
		if err := st.Update(ctx, func(tx kith.Tx) error { return tx.CreateUserSession(ctx, us) }); err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, us.Hash)
	}
	sessions, _, err := Sweep(ctx, st, now)
	if err != nil || sessions != 1 {
		t.Fatalf("Sweep = %d, %v; want 1 session", sessions, err)
	}
	err = st.View(ctx, func(tx kith.ReadTx) error {
		if _, err := tx.FindUserSession(ctx, hashes[0]); kith.ErrorCode(err) != kith.ECodeNotFound {
			t.Errorf("the expired session: %v", err)
		}
		_, err := tx.FindUserSession(ctx, hashes[1])
		return err
	})
	if err != nil {
		t.Errorf("the valid session: %v", err)
	}
}

// TestUploadLimit checks that an upload larger than importer.MaxFileBytes is
// refused before its body is read.
func TestUploadLimit(t *testing.T) {
	called := false
	h := limitUpload(func(http.ResponseWriter, *http.Request) { called = true })
	req := httptest.NewRequest("POST", "/imports", strings.NewReader("x"))
	req.ContentLength = importer.MaxFileBytes + 2<<20
	rec := httptest.NewRecorder()
	h(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge || called {
		t.Errorf("a 2 GiB + 2 MiB upload: %d, handler called %v", rec.Code, called)
	}
	req = httptest.NewRequest("POST", "/imports", strings.NewReader("x"))
	h(httptest.NewRecorder(), req)
	if !called {
		t.Error("a small upload was refused")
	}
}
