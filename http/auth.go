package http

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kithcdp/kith"
)

// principal is an authenticated API caller.
type principal struct {
	key       *kith.Key
	workspace *kith.Workspace
}

type principalKey struct{}

// authCache remembers recent key lookups so that ingestion does not read
// the key and workspace tables on every request. Entries live briefly, so
// a key revoked on another node stops working within authTTL.
type authCache struct {
	mu      sync.Mutex
	entries map[string]authEntry
}

type authEntry struct {
	p       principal
	expires time.Time
}

const authTTL = 2 * time.Second

// auth authenticates requests. Tracker keys are accepted only when
// trackerOK; keys in the query string only when queryOK (ingestion, which
// browsers and beacons call without headers).
func (s *Server) auth(trackerOK, queryOK bool, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		text := bearer(r)
		if text == "" && queryOK {
			text = r.URL.Query().Get("key")
		}
		if text == "" {
			s.writeError(w, r, kith.Errorf(kith.ECodeUnauthorized, "no API key: send Authorization: Bearer KEY"))
			return
		}
		p, err := s.lookupKey(r.Context(), text)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if p.key.Kind == kith.KeyTracker {
			if !trackerOK {
				s.writeError(w, r, kith.Errorf(kith.ECodeForbidden, "a tracker key may only send events; use a secret key"))
				return
			}
			if origin := r.Header.Get("Origin"); origin != "" && !originAllowed(p.workspace, origin) {
				s.writeError(w, r, kith.Errorf(kith.ECodeOriginNotAllowed, "origin %s is not in the workspace's allowed origins", origin))
				return
			}
		}
		next(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	}
}

// lookupKey finds the workspace of a key text (unauthorized when unknown
// or revoked).
func (s *Server) lookupKey(ctx context.Context, text string) (principal, error) {
	hash := string(kith.HashKey(text))
	now := time.Now()
	s.keys.mu.Lock()
	e, ok := s.keys.entries[hash]
	s.keys.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.p, nil
	}
	var p principal
	err := s.Store.View(ctx, func(tx kith.ReadTx) error {
		k, err := tx.FindKeyByHash(ctx, []byte(hash))
		if err != nil {
			return err
		}
		ws, err := tx.FindWorkspace(ctx, k.WorkspaceID)
		p = principal{key: k, workspace: ws}
		return err
	})
	if kith.ErrorCode(err) == kith.ECodeNotFound || err == nil && p.key.RevokedAt != nil {
		return p, kith.Errorf(kith.ECodeUnauthorized, "the API key is unknown or revoked")
	}
	if err != nil {
		return p, err
	}
	s.keys.mu.Lock()
	if s.keys.entries == nil || len(s.keys.entries) > 10000 {
		s.keys.entries = map[string]authEntry{}
	}
	s.keys.entries[hash] = authEntry{p: p, expires: now.Add(authTTL)}
	s.keys.mu.Unlock()
	return p, nil
}

// forgetKeys drops cached lookups, after keys or settings change.
func (s *Server) forgetKeys() {
	s.keys.mu.Lock()
	s.keys.entries = nil
	s.keys.mu.Unlock()
}

func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// originAllowed reports whether a browser origin may use the workspace's
// tracker keys: any origin when the list is empty.
func originAllowed(ws *kith.Workspace, origin string) bool {
	return len(ws.AllowedOrigins) == 0 || slices.Contains(ws.AllowedOrigins, origin)
}

func caller(r *http.Request) principal {
	return r.Context().Value(principalKey{}).(principal)
}

// sourceOf is the event source of a caller's writes.
func sourceOf(p principal) string {
	if p.key.Kind == kith.KeyTracker {
		return kith.SourceTracker
	}
	return kith.SourceAPI
}
