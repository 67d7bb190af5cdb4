package http

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/identity"
)

// patchInput is the body of PATCH /api/v1/profiles/{clientId}. email and
// customId follow JSON Merge Patch: absent leaves the identifier alone,
// null removes it, a string sets it.
type patchInput struct {
	Email      json.RawMessage            `json:"email"`
	CustomID   json.RawMessage            `json:"customId"`
	Attributes map[string]any             `json:"attributes"`
	Agreements map[string]json.RawMessage `json:"agreements"`
}

// identifierChange is one explicit email or customId change.
type identifierChange struct {
	kind  kith.IdentifierKind
	value string // "" removes
}

// patchProfile is PATCH /api/v1/profiles/{clientId}: explicit changes of
// email and customId (conflict when another profile holds the value),
// attributes (validated strictly) and agreements (source api). It answers
// PROFILE; a refusal changes nothing.
func (s *Server) patchProfile(w http.ResponseWriter, r *http.Request) {
	id, err := pathClientID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in patchInput
	if err := s.decodeBody(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	p := caller(r)
	changes, agreements, err := in.check(p.workspace)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var write *identity.Write
	if len(in.Attributes) > 0 || len(agreements) > 0 {
		write = &identity.Write{Client: kith.Identifiers{ClientID: id}, Attributes: in.Attributes,
			Agreements: agreements, Strict: true, Source: sourceOf(p)}
	}
	err = s.manage(r.Context(), p.workspace, func(sess *identity.Session) error {
		for _, c := range changes {
			if err := sess.ChangeIdentifier(r.Context(), id, c.kind, c.value); err != nil {
				return err
			}
		}
		if write == nil {
			return nil
		}
		w := *write // Apply fills in defaults; each run starts afresh.
		_, err := sess.Apply(r.Context(), &w)
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.answerProfile(w, r, p.workspace, id, http.StatusOK)
}

// check normalizes the identifiers and agreements of a PATCH body.
func (in *patchInput) check(ws *kith.Workspace) ([]identifierChange, map[string]bool, error) {
	var changes []identifierChange
	var errs []*kith.Error
	for _, f := range []struct {
		kind kith.IdentifierKind
		raw  json.RawMessage
		norm func(*kith.Workspace, string) (string, *kith.Error)
	}{{kith.KindEmail, in.Email, kith.NormalizeEmail}, {kith.KindCustomID, in.CustomID, kith.NormalizeCustomID}} {
		if f.raw == nil {
			continue
		}
		if isNull(f.raw) {
			changes = append(changes, identifierChange{kind: f.kind})
			continue
		}
		var v string
		if json.Unmarshal(f.raw, &v) != nil {
			errs = append(errs, kith.FieldErrorf(string(f.kind), kith.ECodeInvalid,
				"%s is a string, or null to remove it", f.kind))
			continue
		}
		norm, e := f.norm(ws, v)
		if e != nil {
			if strings.TrimSpace(v) == "" {
				e.Message += "; send null to remove it"
			}
			errs = append(errs, e)
			continue
		}
		changes = append(changes, identifierChange{kind: f.kind, value: norm})
	}
	var agreements map[string]bool
	for ch, raw := range in.Agreements {
		var granted bool
		if isNull(raw) || json.Unmarshal(raw, &granted) != nil {
			errs = append(errs, kith.FieldErrorf("agreements."+ch, kith.ECodeInvalidAgreement,
				"agreement %q must be true or false", ch))
			continue
		}
		if agreements == nil {
			agreements = map[string]bool{}
		}
		agreements[ch] = granted
	}
	if len(errs) == 0 {
		return changes, agreements, nil
	}
	first := *errs[0]
	if len(errs) > 1 {
		first.Details = errs
	}
	return nil, nil, &first
}

func isNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }
