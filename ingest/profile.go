package ingest

import (
	"context"
	"encoding/json"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/identity"
)

// UpsertInput is the body of POST /api/v1/profiles (SPEC §3).
type UpsertInput struct {
	Client     kith.Identifiers `json:"client"`
	Attributes map[string]any   `json:"attributes"`
	Tags       []string         `json:"tags"`
	Agreements map[string]bool  `json:"agreements"`
}

// UpsertResult is the outcome of one upsert.
type UpsertResult struct {
	Status       string       `json:"status"`
	ClientID     int64        `json:"clientId,omitempty"`
	Created      bool         `json:"created"`
	UUIDConflict bool         `json:"uuidConflict"`
	Code         string       `json:"code,omitempty"`
	Errors       []FieldError `json:"errors,omitempty"`
	// Err is the refusal, for callers answering one upsert.
	Err *kith.Error `json:"-"`
}

// UpsertWrite validates an upsert and turns it into a strict write.
func (s *Service) UpsertWrite(ws *kith.Workspace, req *Request, raw json.RawMessage) (*identity.Write, *kith.Error) {
	var in UpsertInput
	if e := DecodeStrict(raw, &in, ""); e != nil {
		return nil, e
	}
	ids, e := s.identifiers(ws, in.Client)
	if e != nil {
		return nil, e
	}
	return &identity.Write{
		Client:     ids,
		Attributes: in.Attributes,
		Tags:       in.Tags,
		Agreements: in.Agreements,
		Strict:     true,
		Source:     req.Source,
		Context:    kith.EventContext{IP: req.IP, UserAgent: req.UserAgent},
	}, nil
}

// Upsert validates and applies profile upserts; each is refused or applied
// whole.
func (s *Service) Upsert(ctx context.Context, req *Request, raw []json.RawMessage) ([]UpsertResult, error) {
	results := make([]UpsertResult, len(raw))
	writes := make([]*identity.Write, len(raw))
	for i, r := range raw {
		w, e := s.UpsertWrite(req.Workspace, req, r)
		if e != nil {
			results[i] = refused(e)
			continue
		}
		writes[i] = w
	}
	outcomes, err := s.Apply(ctx, req.Workspace, writes)
	if err != nil {
		return nil, err
	}
	for i, o := range outcomes {
		switch {
		case o.Err != nil:
			results[i] = refused(o.Err)
		case o.Result != nil:
			results[i] = UpsertResult{Status: "ok", ClientID: o.Result.ClientID,
				Created: o.Result.Created, UUIDConflict: o.Result.UUIDConflict}
		}
	}
	return results, nil
}

func refused(e *kith.Error) UpsertResult {
	return UpsertResult{Status: "rejected", Code: e.Code, Errors: FieldErrors(e), Err: e}
}
