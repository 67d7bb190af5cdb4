package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/postgres"
)

// TestMultiNode runs two `kith serve` processes on one PostgreSQL database
// and spreads concurrent writers with overlapping identifiers over both:
// anonymous visits that later identify, returning customers on new
// browsers, and shared browsers. Afterwards every rule of SPEC §2 must hold:
// one profile per customer, every uuid on exactly one profile, every
// acknowledged event stored once on the profile it was answered with (or
// the survivor that profile was merged into).
func TestMultiNode(t *testing.T) {
	dsn := postgres.TestSchemaDSN(t)
	bin := buildKith(t)
	a := startKith(t, bin, true, "--postgres", dsn)
	b := startKith(t, bin, false, "--postgres", dsn)
	nodes := []string{a.url, b.url}
	key := a.secretKey

	const people, browsersPerPerson, writers = 40, 3, 16
	load := newClusterLoad(people, browsersPerPerson)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			client := &http.Client{Timeout: 30 * time.Second}
			for i, job := range load.jobsFor(w, writers) {
				node := nodes[(w+i)%len(nodes)]
				if err := load.send(client, node, key, job, rng); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	a.stop(t)
	b.stop(t)
	load.verify(t, dsn)
}

// clusterLoad is a scripted workload: each person has browsers; each
// browser visits anonymously and then identifies; the last browser of
// every fifth person is shared with the next person.
type clusterLoad struct {
	people   []string   // emails
	browsers [][]string // browsers[p] are person p's uuids
	mu       sync.Mutex
	acked    map[string]int64 // eventId → clientId answered
}

type clusterJob struct {
	person  int
	browser string
}

func newClusterLoad(people, perPerson int) *clusterLoad {
	l := &clusterLoad{acked: map[string]int64{}}
	for p := range people {
		l.people = append(l.people, fmt.Sprintf("person%d@example.com", p))
		var bs []string
		for range perPerson {
			bs = append(bs, uuid.NewString())
		}
		l.browsers = append(l.browsers, bs)
	}
	for p := 0; p+1 < people; p += 5 {
		l.browsers[p+1] = append(l.browsers[p+1], l.browsers[p][perPerson-1]) // shared
	}
	return l
}

// jobsFor returns writer w's share of the jobs, so that the jobs of one
// person run on several writers and nodes at once.
func (l *clusterLoad) jobsFor(w, writers int) []clusterJob {
	var all []clusterJob
	for p, bs := range l.browsers {
		for _, b := range bs {
			all = append(all, clusterJob{person: p, browser: b})
		}
	}
	var mine []clusterJob
	for i := w; i < len(all); i += writers {
		mine = append(mine, all[i])
	}
	return mine
}

// send posts a few anonymous visits from a browser and then its
// identification by a form. On a shared browser the second person to
// identify gets uuidConflict (R6): their write goes to their own profile.
func (l *clusterLoad) send(client *http.Client, node, key string, job clusterJob, rng *rand.Rand) error {
	visits := 1 + rng.IntN(4)
	var events []map[string]any
	for range visits {
		events = append(events, map[string]any{"eventId": uuid.NewString(), "action": "page.visit",
			"client": map[string]any{"uuid": job.browser}})
	}
	if err := l.post(client, node, key, events); err != nil {
		return err
	}
	identify := map[string]any{"eventId": uuid.NewString(), "action": "form.submit",
		"client": map[string]any{"uuid": job.browser, "email": l.people[job.person]}}
	return l.post(client, node, key, []map[string]any{identify})
}

func (l *clusterLoad) post(client *http.Client, node, key string, events []map[string]any) error {
	res, err := postEvents(client, node, key, events)
	if err != nil {
		return err
	}
	for i, e := range events {
		l.ackOne(e, res[i])
	}
	return nil
}

func (l *clusterLoad) ackOne(e map[string]any, r crashResult) {
	if r.Status != "accepted" {
		return
	}
	l.mu.Lock()
	l.acked[e["eventId"].(string)] = r.ClientID
	l.mu.Unlock()
}

// verify checks the database against the rules once both nodes stopped.
func (l *clusterLoad) verify(t *testing.T, dsn string) {
	ctx := context.Background()
	st, err := postgres.Open(ctx, postgres.Options{DSN: dsn})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = st.View(ctx, func(tx kith.ReadTx) error {
		ws, err := tx.FindWorkspaceByName(ctx, "default")
		if err != nil {
			return err
		}
		for p, email := range l.people {
			id, err := tx.FindClientID(ctx, ws.ID, kith.KindEmail, email)
			if err != nil {
				return err
			}
			if id == 0 {
				t.Errorf("%s has no profile", email)
				continue
			}
			// A browser only this person used joined their profile (R4/R5).
			for _, b := range l.browsers[p] {
				if l.shared(b) {
					continue
				}
				if o, err := tx.FindClientID(ctx, ws.ID, kith.KindUUID, b); err != nil || o != id {
					t.Errorf("browser %s of %s is on profile %d (%v), want %d", b, email, o, err, id)
				}
			}
		}
		// A shared browser belongs to one of its two people, never both.
		for p := 0; p+1 < len(l.people); p += 5 {
			b := l.browsers[p][len(l.browsers[p])-1]
			o, err := tx.FindClientID(ctx, ws.ID, kith.KindUUID, b)
			if err != nil {
				return err
			}
			first, _ := tx.FindClientID(ctx, ws.ID, kith.KindEmail, l.people[p])
			second, _ := tx.FindClientID(ctx, ws.ID, kith.KindEmail, l.people[p+1])
			if o != first && o != second || first == second {
				t.Errorf("shared browser %s is on %d; people's profiles %d and %d", b, o, first, second)
			}
		}
		// Every acknowledged event is stored on its answered profile or
		// that profile's survivor.
		for id, answered := range l.acked {
			e, err := tx.FindEvent(ctx, ws.ID, id)
			if err != nil {
				t.Errorf("acknowledged event %s: %v", id, err)
				continue
			}
			survivor, err := tx.FindClientID(ctx, ws.ID, kith.KindClientID, strconv.FormatInt(answered, 10))
			if err != nil {
				return err
			}
			if e.ClientID != survivor {
				t.Errorf("event %s is on profile %d; answered %d whose survivor is %d", id, e.ClientID, answered, survivor)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d people, %d events acknowledged over two nodes", len(l.people), len(l.acked))
}

func (l *clusterLoad) shared(b string) bool {
	n := 0
	for _, bs := range l.browsers {
		for _, x := range bs {
			if x == b {
				n++
			}
		}
	}
	return n > 1
}
