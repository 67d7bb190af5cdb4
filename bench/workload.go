// Package bench is Kith's load generator: a seeded, realistic mix of
// traffic — simulated browsers visiting anonymously, some identifying
// through forms (shared browsers included), backend custom events, profile
// upserts and lookups — sent over HTTP to one or more running nodes.
package bench

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"
)

// Mix is the share of each kind of request; shares need not sum to 1.
type Mix struct {
	Events  float64 // POST /api/v1/events batches
	Upserts float64 // POST /api/v1/profiles
	Lookups float64 // GET /api/v1/profiles/by-…
}

// browser is one simulated browser (one cookie).
type browser struct {
	uuid  string
	email string // who identified on it, "" while anonymous
}

// workload is one worker's share of the simulated world. Each worker owns
// its browsers, so workers never share mutable state.
type workload struct {
	rng      *rand.Rand
	worker   int
	browsers []browser
	people   int // emails handed out so far by this worker
	cfg      *Config
}

func newWorkload(cfg *Config, worker int) *workload {
	w := &workload{rng: rand.New(rand.NewPCG(cfg.Seed, uint64(worker))), worker: worker, cfg: cfg}
	n := max(1, cfg.Browsers/cfg.Concurrency)
	w.browsers = make([]browser, n)
	for i := range w.browsers {
		w.browsers[i].uuid = w.newUUID()
	}
	return w
}

// newUUID returns a reproducible version-4 uuid from the worker's random
// stream.
func (w *workload) newUUID() string {
	var b [16]byte
	w.fill(b[:])
	return stamp(b, 4)
}

// eventID returns the id a browser gives an event, as cfg.EventIDs says:
// time-ordered (version 7, what the tracker sends), random (version 4, what
// trackers before it sent), or none (the server assigns one).
func (w *workload) eventID() string {
	var b [16]byte
	switch w.cfg.EventIDs {
	case EventIDsTime:
		w.fill(b[6:])
		var ms [8]byte
		binary.BigEndian.PutUint64(ms[:], uint64(time.Now().UnixMilli()))
		copy(b[:6], ms[2:])
		return stamp(b, 7)
	case EventIDsRandom:
		return w.newUUID()
	}
	return ""
}

func (w *workload) fill(b []byte) {
	for i := range b {
		b[i] = byte(w.rng.UintN(256))
	}
}

// stamp sets the version and the RFC 9562 variant of a uuid.
func stamp(b [16]byte, version byte) string {
	b[6] = b[6]&0x0f | version<<4
	b[8] = b[8]&0x3f | 0x80
	return uuid.UUID(b).String()
}

func (w *workload) email(n int) string {
	return fmt.Sprintf("w%d-p%d@bench.example", w.worker, n)
}

// event returns one event of the realistic mix: mostly anonymous page
// visits, some form submits that identify, some custom events. When
// identifyAll is set every event is a form submit with a new email.
func (w *workload) event() (map[string]any, *browser) {
	e, b := w.browserEvent()
	if id := w.eventID(); id != "" {
		e["eventId"] = id
	}
	return e, b
}

// browserEvent returns the event without its id.
func (w *workload) browserEvent() (map[string]any, *browser) {
	b := &w.browsers[w.rng.IntN(len(w.browsers))]
	client := map[string]any{"uuid": b.uuid}
	r := w.rng.Float64()
	switch {
	case w.cfg.IdentifyAll || r < 0.05:
		email := b.email
		switch {
		case w.cfg.IdentifyAll || email == "":
			w.people++
			email = w.email(w.people)
		case w.rng.Float64() < 0.1:
			// Someone else on a shared browser: the tracker resets the uuid
			// first (SPEC §2), and the old cookie stays with the first person.
			w.people++
			email = w.email(w.people)
			b.uuid = w.newUUID()
			client["uuid"] = b.uuid
		}
		b.email = email
		client["email"] = email
		return map[string]any{"action": "form.submit", "label": "newsletter", "client": client,
			"params":  map[string]any{"formType": "newsletter"},
			"profile": map[string]any{"attributes": map[string]any{"firstName": "Bench"}, "agreements": map[string]any{"email": true}},
		}, b
	case r < 0.15:
		return map[string]any{"action": "cart.add", "client": client,
			"params": map[string]any{"sku": fmt.Sprintf("SKU-%d", w.rng.IntN(500)), "qty": 1 + w.rng.IntN(3)}}, b
	default:
		return map[string]any{"action": "page.visit", "client": client,
			"params": map[string]any{"url": fmt.Sprintf("https://shop.example/p/%d", w.rng.IntN(2000))}}, b
	}
}

// upsert returns a profile upsert for a person this worker created.
func (w *workload) upsert() map[string]any {
	w.people++
	return map[string]any{
		"client":     map[string]any{"email": w.email(w.people), "customId": fmt.Sprintf("W%d-C%d", w.worker, w.people)},
		"attributes": map[string]any{"firstName": "Bench", "city": "Gdańsk", "points": w.rng.IntN(1000)},
		"tags":       []string{"bench"},
	}
}

// lookup returns the path of a lookup by uuid, or by email when the
// chosen browser has identified.
func (w *workload) lookup() string {
	b := w.browsers[w.rng.IntN(len(w.browsers))]
	if b.email != "" && w.rng.IntN(2) == 0 {
		return "/api/v1/profiles/by-email/" + b.email
	}
	return "/api/v1/profiles/by-uuid/" + b.uuid
}
