package http

import (
	"net/http"
	"time"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/ingest"
)

// KeyView is KEY (SPEC §3): an API key as listed, without its secret.
// RevokedAt is null while the key works.
type KeyView struct {
	ID        string     `json:"id"`
	Kind      string     `json:"kind"`
	Name      string     `json:"name"`
	Prefix    string     `json:"prefix"`
	CreatedAt time.Time  `json:"createdAt"`
	RevokedAt *time.Time `json:"revokedAt"`
}

// NewKeyView returns the API form of a key.
func NewKeyView(k *kith.Key) KeyView {
	return KeyView{ID: k.ID, Kind: k.Kind, Name: k.Name, Prefix: k.Prefix, CreatedAt: k.CreatedAt, RevokedAt: k.RevokedAt}
}

// CreatedKeyView is the answer to POST /api/v1/keys: the key with its
// text, shown this once (only a hash is stored).
type CreatedKeyView struct {
	KeyView
	Key string `json:"key"`
}

// listKeys is GET /api/v1/keys: the workspace's keys, revoked ones
// included, oldest first.
func (s *Server) listKeys(w http.ResponseWriter, r *http.Request) {
	var keys []*kith.Key
	err := s.Store.View(r.Context(), func(tx kith.ReadTx) error {
		var err error
		keys, err = tx.ListKeys(r.Context(), caller(r).workspace.ID)
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := []KeyView{}
	for _, k := range keys {
		out = append(out, NewKeyView(k))
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": out})
}

// createKey is POST /api/v1/keys {"kind":"tracker|secret","name":"…"}: 201
// with the new key's text.
func (s *Server) createKey(w http.ResponseWriter, r *http.Request) {
	body, err := s.readBody(w, r, 64<<10)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in struct {
		Kind *string `json:"kind"`
		Name string  `json:"name"`
	}
	if e := ingest.DecodeStrict(body, &in, ""); e != nil {
		s.writeError(w, r, e)
		return
	}
	if in.Kind == nil {
		s.writeError(w, r, kith.FieldErrorf("kind", kith.ECodeRequired, "kind is required: \"tracker\" or \"secret\""))
		return
	}
	name, e := kith.NormalizeKeyName(*in.Kind, in.Name)
	if e != nil {
		s.writeError(w, r, e)
		return
	}
	text, k := kith.NewKey(caller(r).workspace.ID, *in.Kind, name, s.now())
	if err := s.Store.Update(r.Context(), func(tx kith.Tx) error { return tx.CreateKey(r.Context(), k) }); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, CreatedKeyView{KeyView: NewKeyView(k), Key: text})
}

// revokeKey is DELETE /api/v1/keys/{id}: 200 with the revoked key. A key
// revoked already answers the same. The key that authenticates the
// request cannot revoke itself (key_in_use): revoking with another secret
// key means a workspace always keeps a working one. The key stops working
// at once on this node and within the auth cache's lifetime on others.
func (s *Server) revokeKey(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if id == caller(r).key.ID {
		s.writeError(w, r, kith.Errorf(kith.ECodeKeyInUse,
			"this request is authenticated with key %s; revoke it with another secret key", id))
		return
	}
	var k *kith.Key
	err := s.Store.Update(r.Context(), func(tx kith.Tx) error {
		var err error
		k, err = tx.RevokeKey(r.Context(), caller(r).workspace.ID, id, s.now())
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.forgetKeys()
	writeJSON(w, http.StatusOK, NewKeyView(k))
}
