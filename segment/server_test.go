package segment_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kithcdp/kith"
	kithhttp "github.com/kithcdp/kith/http"
	"github.com/kithcdp/kith/sqlite"
)

// kithServer is a real Kith API server over a real embedded store, with
// one workspace, for the SDK tests.
type kithServer struct {
	t     *testing.T
	store *sqlite.Store
	url   string
	creds *kith.Credentials
}

// startKith serves the API on a loopback port with a workspace in
// identity mode mode whose Segment userId is stored as userIDAs.
func startKith(t *testing.T, mode string, userIDAs kith.IdentifierKind) *kithServer {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, sqlite.Options{Dir: t.TempDir(), Synchronous: "NORMAL"})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	ws := kith.NewWorkspace("segment", mode)
	ws.SegmentUserIDAs = string(userIDAs)
	creds, err := kith.CreateWorkspace(ctx, st, ws, time.Now())
	if err != nil {
		t.Fatalf("create workspace: %v", err)
	}
	srv := httptest.NewServer((&kithhttp.Server{Store: st}).Handler())
	t.Cleanup(func() {
		srv.Close()
		if err := st.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	return &kithServer{t: t, store: st, url: srv.URL, creds: creds}
}

// profile is PROFILE as the API answers it.
type profile struct {
	ClientID   int64          `json:"clientId"`
	Anonymous  bool           `json:"anonymous"`
	Email      string         `json:"email"`
	CustomID   string         `json:"customId"`
	UUIDs      []string       `json:"uuids"`
	Attributes map[string]any `json:"attributes"`
	Devices    []kith.Device  `json:"devices"`
}

// lookup GETs /api/v1/profiles/by-KIND/VALUE with the secret key; nil
// when the answer is 404.
func (k *kithServer) lookup(kind, value string) *profile {
	k.t.Helper()
	req, _ := http.NewRequest("GET", k.url+"/api/v1/profiles/by-"+kind+"/"+url.PathEscape(value), nil)
	req.Header.Set("Authorization", "Bearer "+k.creds.SecretKey)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		k.t.Fatalf("lookup: %v", err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	switch res.StatusCode {
	case http.StatusNotFound:
		return nil
	case http.StatusOK:
	default:
		k.t.Fatalf("GET by-%s/%s: %d %s", kind, value, res.StatusCode, body)
	}
	var p profile
	if err := json.Unmarshal(body, &p); err != nil {
		k.t.Fatalf("decode profile %s: %v", body, err)
	}
	return &p
}

// mustLookup is lookup failing on 404.
func (k *kithServer) mustLookup(kind, value string) *profile {
	k.t.Helper()
	p := k.lookup(kind, value)
	if p == nil {
		k.t.Fatalf("no profile has %s %q", kind, value)
	}
	return p
}

// events returns a profile's timeline from the store, newest first.
func (k *kithServer) events(clientID int64) []*kith.Event {
	k.t.Helper()
	var evs []*kith.Event
	err := k.store.View(context.Background(), func(tx kith.ReadTx) error {
		var err error
		evs, err = tx.ListEvents(context.Background(), k.creds.Workspace.ID, kith.EventFilter{ClientID: clientID, Limit: 1000})
		return err
	})
	if err != nil {
		k.t.Fatalf("list events: %v", err)
	}
	return evs
}

// segmentEvents returns the actions of a profile's Segment events, oldest
// first.
func (k *kithServer) segmentEvents(clientID int64) []*kith.Event {
	var out []*kith.Event
	for _, e := range k.events(clientID) {
		if e.Source == kith.SourceSegment {
			out = append(out, e)
		}
	}
	slices.Reverse(out)
	return out
}

func actions(evs []*kith.Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Action
	}
	return out
}

// count returns how many of evs have action.
func count(evs []*kith.Event, action string) int {
	n := 0
	for _, e := range evs {
		if e.Action == action {
			n++
		}
	}
	return n
}

// wantActions checks a profile's Segment events, oldest first.
func (k *kithServer) wantActions(clientID int64, want ...string) []*kith.Event {
	k.t.Helper()
	evs := k.segmentEvents(clientID)
	if got := actions(evs); !slices.Equal(got, want) {
		k.t.Errorf("profile %d Segment events %q, want %q", clientID, got, want)
	}
	return evs
}

var idSeq atomic.Int64

// newID returns an id no other call of the test binary returns.
func newID(prefix string) string {
	return fmt.Sprintf("%s-%d-%d", prefix, time.Now().UnixNano(), idSeq.Add(1))
}
