package ingest

import (
	"context"
	"encoding/json"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/identity"
)

// ManualEventInput is the body of POST /api/v1/profiles/{clientId}/events:
// an event added by hand to one profile's timeline.
type ManualEventInput struct {
	EventID string          `json:"eventId"`
	Action  string          `json:"action"`
	Label   string          `json:"label"`
	Time    string          `json:"time"`
	Params  json.RawMessage `json:"params"`
}

// ManualEvent validates a manual event like an API event and stores it on
// profile clientID (its survivor when merged away) with source manual. It
// returns the event's id and the write's result. A refused event returns
// its *kith.Error (not_found for an unknown clientId, the event codes of
// POST /api/v1/events otherwise) and writes nothing. An eventId already
// stored is a duplicate: Result.Duplicate, nothing written.
func (s *Service) ManualEvent(ctx context.Context, req *Request, clientID int64, raw []byte) (string, *identity.Result, error) {
	var in ManualEventInput
	if e := DecodeStrict(raw, &in, ""); e != nil {
		return "", nil, e
	}
	manual := *req
	manual.Source = kith.SourceManual
	w, e := s.eventWrite(req.Workspace, &manual, &EventInput{
		EventID: in.EventID, Action: in.Action, Label: in.Label, Time: in.Time, Params: in.Params,
		Client: kith.Identifiers{ClientID: clientID},
	})
	if e != nil {
		return "", nil, e
	}
	w.Source = kith.SourceManual
	out, err := s.Apply(ctx, req.Workspace, []*identity.Write{w})
	if err != nil {
		return "", nil, err
	}
	if out[0].Err != nil {
		return "", nil, out[0].Err
	}
	return w.Event.EventID, out[0].Result, nil
}
