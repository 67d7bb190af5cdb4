// Package ingest turns incoming data — events, profile upserts, and the
// writes of other entry points — into identity writes, runs them through
// one store transaction each batch, and reports per-item outcomes.
package ingest

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/identity"
)

// Service ingests writes into a store.
type Service struct {
	Store kith.Store
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Lanes is how many shared transactions of one workspace may run at
	// once (see group.go); 0 means one on a store whose writes run one at
	// a time, defaultLanes on others.
	Lanes int

	queues sync.Map // workspace id → *queue
	// transactions and calls count the shared transactions run and the
	// calls they answered (see Stats).
	transactions, calls atomic.Int64
}

// Stats are the shared transactions run so far and the calls of Apply they
// answered; calls per transaction says how much concurrent requests share.
type Stats struct {
	Transactions, Calls int64
}

// Stats returns the counts so far.
func (s *Service) Stats() Stats {
	return Stats{Transactions: s.transactions.Load(), Calls: s.calls.Load()}
}

func (s *Service) lanes() int {
	if s.Lanes > 0 {
		return s.Lanes
	}
	if st, ok := s.Store.(serialWriter); ok && st.SerialWrites() {
		return 1
	}
	return defaultLanes
}

// serialWriter is a store that runs its write transactions one at a time,
// committing together whatever is queued (the embedded store's writer). A
// second lane there only queues a smaller transaction behind the first,
// which costs more per write than one larger transaction (measured in
// docs/PERFORMANCE.md), so such a store gets one lane per workspace.
type serialWriter interface {
	SerialWrites() bool
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Request describes who sent a batch and from where.
type Request struct {
	Workspace *kith.Workspace
	Source    string
	IP        string
	UserAgent string
}

// Outcome is the result of one write: Result when it was applied, Err
// when it was refused (nothing of it written).
type Outcome struct {
	Result *identity.Result
	Err    *kith.Error
}

// Apply resolves writes in one transaction, which concurrent calls for the
// same workspace may share (see group.go), and returns one outcome per
// write, in order; a nil write is skipped. It fails as a whole only when
// the store does (unavailable, internal): then nothing is written.
func (s *Service) Apply(ctx context.Context, ws *kith.Workspace, writes []*identity.Write) ([]Outcome, error) {
	return s.enqueue(&call{ctx: ctx, ws: ws, writes: writes, done: make(chan struct{}), lead: make(chan struct{})})
}

// applyOnce is Apply in a transaction of its own.
func (s *Service) applyOnce(ctx context.Context, ws *kith.Workspace, writes []*identity.Write) ([]Outcome, error) {
	out := make([]Outcome, len(writes))
	err := s.Store.Update(ctx, func(tx kith.Tx) error {
		clear(out) // the store may run this function again
		sess := identity.NewSession(tx, ws, s.now())
		if err := sess.Prepare(ctx, writes); err != nil {
			return err
		}
		for i, w := range writes {
			if w == nil {
				continue
			}
			res, err := sess.Apply(ctx, w)
			if e := identity.Refusal(err); e != nil {
				out[i].Err = e
				continue
			}
			if err != nil {
				return err
			}
			out[i].Result = res
		}
		return sess.Flush(ctx)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// EventResult is the answer for one event (SPEC §3).
type EventResult struct {
	Status       string       `json:"status"`
	EventID      string       `json:"eventId,omitempty"`
	ClientID     int64        `json:"clientId,omitempty"`
	UUIDConflict bool         `json:"uuidConflict"`
	Warnings     []FieldError `json:"warnings,omitempty"`
	Errors       []FieldError `json:"errors,omitempty"`
	write        *identity.Write
}

// FieldError is one problem with an input field.
type FieldError struct {
	Field   string `json:"field,omitempty"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// FieldErrors flattens an error and its details into field errors.
func FieldErrors(e *kith.Error) []FieldError {
	if len(e.Details) == 0 {
		return []FieldError{{Field: e.Field, Code: e.Code, Message: e.Message}}
	}
	var out []FieldError
	for _, d := range e.Details {
		out = append(out, FieldErrors(d)...)
	}
	return out
}

// warnings flattens the warnings of an event: those about its profile
// part get the prefix "profile", those about its identifiers (R3, R7)
// already name their "client." field.
func warnings(errs []*kith.Error) []FieldError {
	var out []FieldError
	for _, e := range errs {
		if e.Field != "client" && !strings.HasPrefix(e.Field, "client.") {
			e = e.WithField("profile")
		}
		out = append(out, FieldErrors(e)...)
	}
	return out
}

// Events validates and ingests a batch of raw events; a bad event is
// rejected alone.
func (s *Service) Events(ctx context.Context, req *Request, raw []json.RawMessage) ([]EventResult, error) {
	results := make([]EventResult, len(raw))
	writes := make([]*identity.Write, len(raw))
	skipped := make([][]*kith.Error, len(raw)) // profile parts that could not be decoded
	for i, r := range raw {
		var in EventInput
		e := DecodeStrict(r, &in, "")
		if e == nil {
			writes[i], e = s.eventWrite(req.Workspace, req, &in)
		}
		if e != nil {
			results[i] = EventResult{Status: "rejected", Errors: FieldErrors(e)}
			continue
		}
		if in.Profile != nil {
			skipped[i] = in.Profile.problems
		}
	}
	outcomes, err := s.Apply(ctx, req.Workspace, writes)
	if err != nil {
		return nil, err
	}
	for i, o := range outcomes {
		switch {
		case o.Err != nil:
			results[i] = EventResult{Status: "rejected", Errors: FieldErrors(o.Err)}
		case o.Result != nil:
			results[i] = EventResult{Status: "accepted", EventID: writes[i].Event.EventID,
				ClientID: o.Result.ClientID, UUIDConflict: o.Result.UUIDConflict,
				Warnings: warnings(append(skipped[i], o.Result.Warnings...))}
		}
	}
	return results, nil
}
