package ingest

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/identity"
)

// Concurrent calls of Apply for one workspace share transactions (group
// commit): a call that arrives while its workspace's lanes are busy waits
// in the workspace's queue, and the next transaction of a lane takes every
// call waiting, up to maxGroupWrites writes. A request of one event then
// costs a share of a commit and of each batch query rather than one each,
// which is what single-event traffic spends most of its time on,
// especially on PostgreSQL, where every statement is a round trip and
// every commit a flush of the write-ahead log.
//
// A call is answered as if it had run alone: the outcomes of its own
// writes, in order. If a shared transaction fails, each of its calls is
// run again on its own, so that one call's failure is never another's
// (unless the store is unavailable, which fails them all alike).

// maxGroupWrites bounds the writes of one shared transaction: the size of
// the largest request (SPEC §3).
const maxGroupWrites = 1000

// defaultLanes is how many shared transactions of one workspace may run at
// once on a node when Service.Lanes is 0.
const defaultLanes = 2

// call is one Apply waiting for, or running in, a shared transaction.
type call struct {
	ctx    context.Context
	ws     *kith.Workspace // as the caller read it
	writes []*identity.Write
	out    []Outcome
	err    error
	done   chan struct{} // closed once out and err are set
	// lead is closed when a finishing leader hands its lane to this
	// waiting call.
	lead chan struct{}
}

// queue is the calls of one workspace waiting for a lane.
type queue struct {
	mu      sync.Mutex
	waiting []*call
	lanes   int // lanes running
}

// queueOf returns the queue of a workspace.
func (s *Service) queueOf(ws int64) *queue {
	q, _ := s.queues.LoadOrStore(ws, &queue{})
	return q.(*queue)
}

// enqueue runs c in a shared transaction and returns once it is answered.
func (s *Service) enqueue(c *call) ([]Outcome, error) {
	q := s.queueOf(c.ws.ID)
	q.mu.Lock()
	q.waiting = append(q.waiting, c)
	if q.lanes < s.lanes() {
		q.lanes++
		q.mu.Unlock()
		s.lead(q, c)
		return c.out, c.err
	}
	q.mu.Unlock()
	select {
	case <-c.done:
	case <-c.lead:
	case <-c.ctx.Done():
		if q.withdraw(c) {
			return nil, c.ctx.Err()
		}
		// Taken already (its transaction will answer soon, and may
		// commit it) or handed a lane.
		select {
		case <-c.done:
		case <-c.lead:
		}
	}
	if closed(c.lead) {
		// A lane handed over must be run or passed on, even when
		// another lane has answered the call meanwhile.
		s.lead(q, c)
	}
	return c.out, c.err
}

// lead runs shared transactions on a lane until own is answered, then
// hands the lane to the first waiting call, or frees it.
func (s *Service) lead(q *queue, own *call) {
	for {
		q.mu.Lock()
		if closed(own.done) {
			if next := q.unled(); next != nil {
				close(next.lead) // under mu: see withdraw
			} else {
				q.lanes--
			}
			q.mu.Unlock()
			return
		}
		group := q.take()
		q.mu.Unlock()
		if len(group) == 0 {
			<-own.done // taken by another lane
			continue
		}
		s.runGroup(group)
	}
}

// unled returns the oldest waiting call not handed a lane yet, or nil.
func (q *queue) unled() *call {
	for _, c := range q.waiting {
		if !closed(c.lead) {
			return c
		}
	}
	return nil
}

func closed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// take removes from the queue the calls of the next shared transaction:
// the oldest, and the later ones that fit and read the same version of the
// workspace (its settings decide how writes resolve).
func (q *queue) take() []*call {
	if len(q.waiting) == 0 {
		return nil
	}
	first := q.waiting[0]
	group, writes := []*call{first}, len(first.writes)
	rest := q.waiting[:0]
	for _, c := range q.waiting[1:] {
		if c.ws == first.ws && writes+len(c.writes) <= maxGroupWrites {
			group, writes = append(group, c), writes+len(c.writes)
		} else {
			rest = append(rest, c)
		}
	}
	clear(q.waiting[len(rest):])
	q.waiting = rest
	return group
}

// withdraw removes a call that gave up from the queue and reports whether
// it was still there and not handed a lane, which it must then lead.
func (q *queue) withdraw(c *call) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if closed(c.lead) {
		return false
	}
	for i, w := range q.waiting {
		if w == c {
			q.waiting = append(q.waiting[:i], q.waiting[i+1:]...)
			return true
		}
	}
	return false
}

// runGroup applies the writes of group in one transaction and answers each
// call; when that fails and the group has several calls, each runs again
// alone, unless the store is unavailable.
func (s *Service) runGroup(group []*call) {
	ws := group[0].ws
	s.transactions.Add(1)
	s.calls.Add(int64(len(group)))
	defer func() {
		for _, c := range group {
			close(c.done)
		}
	}()
	if len(group) == 1 {
		c := group[0]
		c.out, c.err = s.applyOnce(c.ctx, ws, c.writes)
		return
	}
	var writes []*identity.Write
	for _, c := range group {
		writes = append(writes, c.writes...)
	}
	ctx, cancel := groupContext(group)
	defer cancel()
	out, err := s.applyOnce(ctx, ws, writes)
	switch {
	case kith.ErrorCode(err) == kith.ECodeUnavailable:
		// The store is down for everyone: running each call again
		// would only make the last one wait for all the others to fail.
		for _, c := range group {
			c.err = err
		}
		return
	case err != nil:
		for _, c := range group {
			c.out, c.err = s.applyOnce(c.ctx, ws, c.writes)
		}
		return
	}
	for _, c := range group {
		c.out, out = out[:len(c.writes):len(c.writes)], out[len(c.writes):]
	}
}

// groupContext returns a context that ends when every call of group has
// given up: the shared transaction is abandoned only when nobody waits
// for it.
func groupContext(group []*call) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(group[0].ctx))
	left := atomic.Int64{}
	left.Store(int64(len(group)))
	stops := make([]func() bool, 0, len(group))
	for _, c := range group {
		stops = append(stops, context.AfterFunc(c.ctx, func() {
			if left.Add(-1) == 0 {
				cancel()
			}
		}))
	}
	return ctx, func() {
		for _, stop := range stops {
			stop()
		}
		cancel()
	}
}
