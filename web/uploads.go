package web

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kithcdp/kith"
)

// UploadTTL is how long an uploaded file waits for its columns to be
// mapped before it is deleted.
const UploadTTL = time.Hour

// uploadDir holds the files uploaded on the imports page until their
// import starts: ID.data and its record ID.json. It is shared by every
// Kith process of the machine; each sweeps what is older than UploadTTL.
var uploadDir = filepath.Join(os.TempDir(), "kith-uploads")

// upload is a file uploaded for import, waiting for its column mapping.
// Only a page of its workspace can see it.
type upload struct {
	ID        string    `json:"id"`
	Workspace int64     `json:"workspace"`
	Name      string    `json:"name"`
	Size      int64     `json:"size"`
	CreatedAt time.Time `json:"createdAt"`
}

// path is where the upload's content is.
func (u *upload) path() string { return filepath.Join(uploadDir, u.ID+".data") }

func recordPath(id string) string { return filepath.Join(uploadDir, id+".json") }

// saveUpload stores the content of r as a new upload of workspace ws.
func saveUpload(ws int64, name string, r io.Reader, now time.Time) (*upload, error) {
	sweepUploads(now)
	if err := os.MkdirAll(uploadDir, 0o700); err != nil {
		return nil, err
	}
	u := &upload{ID: randomID(), Workspace: ws, Name: filepath.Base(name), CreatedAt: now}
	f, err := os.OpenFile(u.path(), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	u.Size, err = io.Copy(f, r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		var rec []byte
		rec, _ = json.Marshal(u)
		err = os.WriteFile(recordPath(u.ID), rec, 0o600)
	}
	if err != nil {
		u.discard()
		return nil, err
	}
	return u, nil
}

// findUpload returns upload id of workspace ws (not_found when it does
// not exist, expired, was imported, or is another workspace's).
func findUpload(ws int64, id string, now time.Time) (*upload, error) {
	gone := kith.Errorf(kith.ECodeNotFound, "this upload is gone: it was imported already, or it waited more than an hour. Upload the file again")
	if !validUploadID(id) {
		return nil, gone
	}
	rec, err := os.ReadFile(recordPath(id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, gone
	}
	if err != nil {
		return nil, err
	}
	var u upload
	if json.Unmarshal(rec, &u) != nil || u.ID != id || u.Workspace != ws || now.Sub(u.CreatedAt) > UploadTTL {
		return nil, gone
	}
	return &u, nil
}

// claim removes the upload's record, so that no other request can start
// it, and reports whether this call removed it. The content stays for the
// import, which deletes it.
func (u *upload) claim() bool {
	return os.Remove(recordPath(u.ID)) == nil
}

// discard deletes the upload.
func (u *upload) discard() {
	_ = os.Remove(recordPath(u.ID))
	_ = os.Remove(u.path())
}

// sweepUploads deletes the uploads older than UploadTTL, and returns how
// many files it deleted.
func sweepUploads(now time.Time) int {
	entries, err := os.ReadDir(uploadDir)
	if err != nil {
		return 0
	}
	n := 0
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !strings.HasSuffix(e.Name(), ".data") && !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		if now.Sub(info.ModTime()) > UploadTTL && os.Remove(filepath.Join(uploadDir, e.Name())) == nil {
			n++
		}
	}
	return n
}

// randomID returns 16 random bytes in hex.
func randomID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("web: no randomness: " + err.Error())
	}
	return hex.EncodeToString(b)
}

// validUploadID reports whether id has randomID's shape, so that it can
// name a file.
func validUploadID(id string) bool {
	if len(id) != 32 {
		return false
	}
	_, err := hex.DecodeString(id)
	return err == nil
}
