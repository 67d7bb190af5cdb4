package http_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kithcdp/kith"
	kithhttp "github.com/kithcdp/kith/http"
)

// keyDoc is KEY as answered, decoded strictly (Key only in POST's answer).
type keyDoc struct {
	ID        string  `json:"id"`
	Kind      string  `json:"kind"`
	Name      string  `json:"name"`
	Prefix    string  `json:"prefix"`
	CreatedAt string  `json:"createdAt"`
	RevokedAt *string `json:"revokedAt"`
	Key       string  `json:"key"`
}

// createKey POSTs a new key with secret and returns it.
func (e *apiEnv) createKey(secret, kind, name string) keyDoc {
	e.t.Helper()
	r := e.do("POST", "/api/v1/keys", secret, map[string]any{"kind": kind, "name": name})
	if r.Status != http.StatusCreated {
		e.t.Fatalf("POST /api/v1/keys: %d %s", r.Status, r.Body)
	}
	if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
		e.t.Errorf("Cache-Control %q on an answer with a key, want no-store", cc)
	}
	var k keyDoc
	strictDecode(e.t, r.Body, &k)
	return k
}

// listKeys GETs the keys of secret's workspace.
func (e *apiEnv) listKeys(secret string) []keyDoc {
	e.t.Helper()
	r := e.do("GET", "/api/v1/keys", secret, nil)
	if r.Status != http.StatusOK {
		e.t.Fatalf("GET /api/v1/keys: %d %s", r.Status, r.Body)
	}
	if strings.Contains(string(r.Body), `"key"`) || strings.Contains(string(r.Body), "hash") {
		e.t.Errorf("the key list shows secrets: %s", r.Body)
	}
	var out struct {
		Keys []keyDoc `json:"keys"`
	}
	strictDecode(e.t, r.Body, &out)
	return out.Keys
}

func TestKeysCreateListRevoke(t *testing.T) {
	e := startAPI(t, "NORMAL")
	c := e.workspace(kith.ModeEmail)
	sk := e.createKey(c.SecretKey, "secret", " backend ")
	pk := e.createKey(c.SecretKey, "tracker", "")
	if sk.Kind != "secret" || sk.Name != "backend" || !strings.HasPrefix(sk.Key, "sk_") || !strings.HasPrefix(sk.Key, sk.Prefix) ||
		sk.RevokedAt != nil || sk.CreatedAt == "" || !strings.HasPrefix(sk.ID, "key_") {
		t.Errorf("secret key %+v", sk)
	}
	if pk.Kind != "tracker" || pk.Name != "Tracker key" || !strings.HasPrefix(pk.Key, "pk_") {
		t.Errorf("tracker key %+v", pk)
	}
	// The new keys work, each for what its kind may do.
	e.getWorkspace(sk.Key)
	if res := e.events(pk.Key, pageVisit()); res[0].Status != "accepted" {
		t.Errorf("event with the new tracker key: %+v", res[0])
	}
	wantProblem(t, e.do("GET", "/api/v1/keys", pk.Key, nil), http.StatusForbidden, kith.ECodeForbidden)

	keys := e.listKeys(c.SecretKey)
	if len(keys) != 4 || keys[2].ID != sk.ID || keys[3].ID != pk.ID || keys[2].Prefix != sk.Prefix {
		t.Fatalf("keys %+v", keys)
	}
	for _, k := range keys {
		if k.Key != "" || k.RevokedAt != nil || k.Prefix == "" {
			t.Errorf("listed key %+v", k)
		}
	}

	// Revoking: the key stops working at once on this node, although its
	// workspace was cached by the requests above.
	r := e.do("DELETE", "/api/v1/keys/"+sk.ID, c.SecretKey, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("DELETE: %d %s", r.Status, r.Body)
	}
	var revoked keyDoc
	strictDecode(t, r.Body, &revoked)
	if revoked.ID != sk.ID || revoked.RevokedAt == nil {
		t.Errorf("revoked key %+v", revoked)
	}
	wantProblem(t, e.do("GET", "/api/v1/workspace", sk.Key, nil), http.StatusUnauthorized, kith.ECodeUnauthorized)
	if r := e.do("DELETE", "/api/v1/keys/"+pk.ID, c.SecretKey, nil); r.Status != http.StatusOK {
		t.Fatalf("DELETE tracker key: %d %s", r.Status, r.Body)
	}
	r = e.do("POST", "/api/v1/events?key="+pk.Key, "", map[string]any{"events": []any{pageVisit()}})
	wantProblem(t, r, http.StatusUnauthorized, kith.ECodeUnauthorized)
	// Revoking again answers the same key, with its first revocation time.
	r = e.do("DELETE", "/api/v1/keys/"+sk.ID, c.SecretKey, nil)
	var again keyDoc
	strictDecode(t, r.Body, &again)
	if r.Status != http.StatusOK || again.RevokedAt == nil || *again.RevokedAt != *revoked.RevokedAt {
		t.Errorf("second DELETE: %d %s, want the first revocation %s", r.Status, r.Body, *revoked.RevokedAt)
	}
	keys = e.listKeys(c.SecretKey)
	if keys[2].RevokedAt == nil || keys[3].RevokedAt == nil || keys[0].RevokedAt != nil || keys[1].RevokedAt != nil {
		t.Errorf("keys after revoking %+v", keys)
	}
}

func TestKeysRefusals(t *testing.T) {
	e := startAPI(t, "NORMAL")
	c := e.workspace(kith.ModeEmail)
	other := e.workspace(kith.ModeEmail)
	otherKeys := e.listKeys(other.SecretKey)
	before := e.listKeys(c.SecretKey)
	for _, tc := range []struct {
		name   string
		body   any
		status int
		code   string
		field  string
	}{
		{"malformed", `{"kind":`, 400, kith.ECodeInvalidJSON, ""},
		{"no kind", map[string]any{"name": "x"}, 400, kith.ECodeRequired, "kind"},
		{"bad kind", map[string]any{"kind": "admin"}, 400, kith.ECodeInvalid, "kind"},
		{"long name", map[string]any{"kind": "secret", "name": strings.Repeat("n", kith.MaxKeyNameRunes+1)}, 400, kith.ECodeInvalid, "name"},
		{"control character", map[string]any{"kind": "secret", "name": "a\u0007b"}, 400, kith.ECodeInvalid, "name"},
		{"unknown field", map[string]any{"kind": "secret", "scopes": []string{"all"}}, 400, kith.ECodeUnknownField, "scopes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := wantProblem(t, e.with(t).do("POST", "/api/v1/keys", c.SecretKey, tc.body), tc.status, tc.code)
			if tc.field != "" && !p.hasError(tc.field, tc.code) {
				t.Errorf("errors %+v lack %s %s", p.Errors, tc.field, tc.code)
			}
		})
	}
	wantProblem(t, e.do("POST", "/api/v1/keys", c.TrackerKey, map[string]any{"kind": "secret"}), http.StatusForbidden, kith.ECodeForbidden)

	// DELETE: another workspace's key and unknown ids are not found; the
	// request's own key cannot revoke itself.
	wantProblem(t, e.do("DELETE", "/api/v1/keys/"+otherKeys[1].ID, c.SecretKey, nil), http.StatusNotFound, kith.ECodeNotFound)
	wantProblem(t, e.do("DELETE", "/api/v1/keys/key_nope", c.SecretKey, nil), http.StatusNotFound, kith.ECodeNotFound)
	own := before[0]
	if own.Kind != "secret" {
		own = before[1]
	}
	wantProblem(t, e.do("DELETE", "/api/v1/keys/"+own.ID, c.SecretKey, nil), http.StatusConflict, kith.ECodeKeyInUse)
	wantProblem(t, e.do("DELETE", "/api/v1/keys/"+before[0].ID, c.TrackerKey, nil), http.StatusForbidden, kith.ECodeForbidden)

	if after := e.listKeys(c.SecretKey); len(after) != len(before) || after[0].RevokedAt != nil || after[1].RevokedAt != nil {
		t.Errorf("refusals changed the keys: %+v", after)
	}
	if after := e.listKeys(other.SecretKey); after[0].RevokedAt != nil || after[1].RevokedAt != nil {
		t.Errorf("another workspace's key was revoked: %+v", after)
	}
	e.getWorkspace(c.SecretKey) // still works
}

func TestOpenAPIServedWithoutKey(t *testing.T) {
	e := startAPI(t, "NORMAL")
	r := e.do("GET", "/api/openapi.json", "", nil)
	if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "application/json" || !strings.Contains(string(r.Body), `"openapi"`) {
		t.Errorf("GET /api/openapi.json: %d %s %.100s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
}

// TestRevokedKeyExpiresOnOtherNodes revokes a key through one server while
// another server on the same store has it cached: the other stops
// accepting it once its cache entry expires (within seconds).
func TestRevokedKeyExpiresOnOtherNodes(t *testing.T) {
	e := startAPI(t, "NORMAL")
	c := e.workspace(kith.ModeEmail)
	other := httptest.NewServer((&kithhttp.Server{Store: e.store}).Handler())
	defer other.Close()
	k := e.createKey(c.SecretKey, "secret", "rotating")
	get := func() int {
		req, _ := http.NewRequest("GET", other.URL+"/api/v1/workspace", nil)
		req.Header.Set("Authorization", "Bearer "+k.Key)
		res, err := e.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if s := get(); s != http.StatusOK {
		t.Fatalf("the other node refuses the new key: %d", s)
	}
	if r := e.do("DELETE", "/api/v1/keys/"+k.ID, c.SecretKey, nil); r.Status != http.StatusOK {
		t.Fatalf("DELETE: %d %s", r.Status, r.Body)
	}
	wantProblem(t, e.do("GET", "/api/v1/workspace", k.Key, nil), http.StatusUnauthorized, kith.ECodeUnauthorized)
	deadline := time.Now().Add(30 * time.Second)
	for get() != http.StatusUnauthorized {
		if time.Now().After(deadline) {
			t.Fatal("the other node still accepts the revoked key after 30s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
