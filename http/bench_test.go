package http_test

// Benchmarks of the API over loopback HTTP against the real server on the
// embedded store (synchronous FULL, the default of `kith serve`, unless a
// sub-benchmark says otherwise). Run them with
//
//	go test ./http/ -run '^$' -bench . -benchtime 5s
//
// Client and server share the machine: the client pre-builds its request
// bodies before the timer starts so that it takes as little CPU as it can.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/internal/testenv"
	"github.com/kithcdp/kith/sqlite"
)

// benchClients is the number of concurrent client goroutines.
const benchClients = 8

// benchBatch is the number of events per request in batch benchmarks.
const benchBatch = 100

// benchUA is the user agent of the simulated browsers.
const benchUA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"

// mixGen builds events of a realistic mix: anonymous page visits over many
// browsers (most), form submits that identify a new customer (some on
// browsers that already visited, some on new ones), and custom events.
type mixGen struct {
	rng      *rand.Rand
	browsers []string // uuids of simulated browsers
	seq      int
}

func newMixGen(seed uint64, browsers int) *mixGen {
	g := &mixGen{rng: rand.New(rand.NewPCG(seed, 42)), browsers: make([]string, browsers)}
	for i := range g.browsers {
		g.browsers[i] = uuid.NewString()
	}
	return g
}

// event appends one event of the mix to buf as JSON.
func (g *mixGen) event(buf []byte) []byte {
	g.seq++
	u := g.browsers[g.rng.IntN(len(g.browsers))]
	buf = append(buf, `{"eventId":"`...)
	buf = append(buf, eventID()...)
	buf = append(buf, `","context":{"userAgent":"`+benchUA+`","ip":"198.51.100.`...)
	buf = strconv.AppendInt(buf, int64(g.rng.IntN(250)), 10)
	buf = append(buf, `"},`...)
	switch r := g.rng.IntN(100); {
	case r < 80:
		buf = append(buf, `"action":"page.visit","client":{"uuid":"`...)
		buf = append(buf, u...)
		buf = append(buf, `"},"params":{"url":"https://shop.example/p/`...)
		buf = strconv.AppendInt(buf, int64(g.rng.IntN(5000)), 10)
		buf = append(buf, `","title":"Product","referrer":"https://www.google.com/"}}`...)
	case r < 85:
		if g.rng.IntN(5) < 2 {
			u = uuid.NewString() // a visitor whose first event is the form
		}
		buf = append(buf, `"action":"form.submit","label":"Newsletter","client":{"uuid":"`...)
		buf = append(buf, u...)
		buf = append(buf, `","email":"b`...)
		buf = append(buf, uuid.NewString()[:18]...)
		buf = append(buf, `@example.com"},"params":{"formType":"newsletter"},"profile":{"attributes":{"firstName":"Ada","lastName":"Lovelace"},"tags":["newsletter"],"agreements":{"email":true}}}`...)
	default:
		buf = append(buf, `"action":"product.view","client":{"uuid":"`...)
		buf = append(buf, u...)
		buf = append(buf, `"},"params":{"sku":"SKU-`...)
		buf = strconv.AppendInt(buf, int64(g.rng.IntN(5000)), 10)
		buf = append(buf, `","price":19.99,"currency":"EUR"}}`...)
	}
	return buf
}

// eventID returns a time-ordered (v7) event id, as the browser tracker
// makes them.
func eventID() string {
	return uuid.Must(uuid.NewV7()).String()
}

// body returns a POST /api/v1/events body of n events.
func (g *mixGen) body(n int) []byte {
	buf := append(make([]byte, 0, n*400), `{"events":[`...)
	for i := range n {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = g.event(buf)
	}
	return append(buf, "]}"...)
}

// benchServer starts the API on a store with synchronous mode sync, makes
// a workspace and warms the server up.
func benchServer(b *testing.B, sync string) (*apiEnv, *kith.Credentials) {
	b.Helper()
	e := startAPI(b, sync)
	e.client.Transport.(*http.Transport).MaxIdleConnsPerHost = 256
	c := e.workspace(kith.ModeEmail)
	e.warmUp(c)
	return e, c
}

// post sends one request and checks its answer; it returns the answer's
// body.
func post(b *testing.B, client *http.Client, url, key string, body []byte) []byte {
	req, err := http.NewRequest("POST", url, bytes.NewReader(body))
	if err != nil {
		b.Error(err)
		return nil
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", benchUA)
	return send(b, client, req)
}

func send(b *testing.B, client *http.Client, req *http.Request) []byte {
	res, err := client.Do(req)
	if err != nil {
		b.Error(err)
		return nil
	}
	data, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusOK {
		b.Errorf("%s %s: %d %s %v", req.Method, req.URL.Path, res.StatusCode, data, err)
		return nil
	}
	return data
}

// latencies collects request durations from several goroutines.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d []time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d...)
	l.mu.Unlock()
}

// report reports percentiles of the durations in milliseconds.
func (l *latencies) report(b *testing.B) {
	if len(l.d) == 0 {
		return
	}
	slices.Sort(l.d)
	q := func(p float64) float64 {
		return float64(l.d[int(p*float64(len(l.d)-1))]) / float64(time.Millisecond)
	}
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
	b.ReportMetric(float64(l.d[len(l.d)-1])/float64(time.Millisecond), "max-ms")
}

// cpuMeter measures the process's CPU time over a benchmark's timed part.
type cpuMeter struct{ start time.Duration }

func startCPU() cpuMeter { return cpuMeter{testenv.CPUTime()} }

// report reports the CPU time used per unit (event or request), in µs.
func (m cpuMeter) report(b *testing.B, units int, name string) {
	if m.start == 0 || units == 0 {
		return
	}
	b.ReportMetric(float64(testenv.CPUTime()-m.start)/float64(time.Microsecond)/float64(units), name)
}

// runClients runs b.N requests from benchClients goroutines; do sends
// request i and the durations are collected.
func runClients(b *testing.B, lat *latencies, do func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range benchClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					break
				}
				start := time.Now()
				do(i)
				mine = append(mine, time.Since(start))
			}
			lat.add(mine)
		}()
	}
	wg.Wait()
}

// BenchmarkEventsBatch100 measures ingestion of 100-event batches of the
// realistic mix from 8 concurrent clients: events/s, and the latency of a
// batch.
func BenchmarkEventsBatch100(b *testing.B) {
	for _, sync := range []string{"FULL", "NORMAL"} {
		b.Run("sync="+sync, func(b *testing.B) {
			e, c := benchServer(b, sync)
			gen := newMixGen(1, 50000)
			bodies := make([][]byte, b.N)
			for i := range bodies {
				bodies[i] = gen.body(benchBatch)
			}
			url := e.srv.URL + "/api/v1/events"
			var lat latencies
			b.ResetTimer()
			cpu := startCPU()
			runClients(b, &lat, func(i int) {
				data := post(b, e.client, url, c.SecretKey, bodies[i])
				if data != nil && bytes.Count(data, []byte(`"accepted"`)) != benchBatch {
					b.Errorf("not every event accepted: %s", data)
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "events/s")
			cpu.report(b, b.N*benchBatch, "cpu-µs/event")
			lat.report(b)
		})
	}
}

// BenchmarkEventsSingle measures one-event requests as the browser tracker
// sends them (tracker key, user agent header): unthrottled from 8 clients,
// and open-loop at a steady 1,000 requests/s, where latency is measured
// from the moment each request was due (so that a slow server cannot hide
// its delay by slowing the client down).
func BenchmarkEventsSingle(b *testing.B) {
	b.Run("unthrottled", func(b *testing.B) {
		e, c := benchServer(b, "")
		gen := newMixGen(2, 50000)
		bodies := make([][]byte, b.N)
		for i := range bodies {
			bodies[i] = gen.body(1)
		}
		url := e.srv.URL + "/api/v1/events"
		var lat latencies
		b.ResetTimer()
		cpu := startCPU()
		runClients(b, &lat, func(i int) { post(b, e.client, url, c.TrackerKey, bodies[i]) })
		b.StopTimer()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		cpu.report(b, b.N, "cpu-µs/req")
		lat.report(b)
	})
	// 1,000 requests/s is the target; 500 shows the latency below saturation.
	for _, rate := range []int{1000, 500} {
		b.Run(fmt.Sprintf("rate=%d", rate), func(b *testing.B) {
			e, c := benchServer(b, "")
			gen := newMixGen(3, 50000)
			bodies := make([][]byte, b.N)
			for i := range bodies {
				bodies[i] = gen.body(1)
			}
			url := e.srv.URL + "/api/v1/events"
			interval := time.Second / time.Duration(rate)
			jobs := make(chan int, b.N)
			var lat latencies
			var wg sync.WaitGroup
			b.ResetTimer()
			cpu := startCPU()
			start := time.Now()
			for range 64 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					var mine []time.Duration
					for i := range jobs {
						due := start.Add(time.Duration(i) * interval)
						time.Sleep(time.Until(due)) // pacing the load, not waiting for work
						post(b, e.client, url, c.TrackerKey, bodies[i])
						mine = append(mine, time.Since(due))
					}
					lat.add(mine)
				}()
			}
			for i := range b.N {
				jobs <- i
			}
			close(jobs)
			wg.Wait()
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
			cpu.report(b, b.N, "cpu-µs/req")
			lat.report(b)
		})
	}
}

// BenchmarkLookups measures profile lookups by each identifier from 8
// concurrent clients, over 20,000 profiles.
func BenchmarkLookups(b *testing.B) {
	e, c := benchServer(b, "")
	type ids struct {
		clientID         int64
		email, uuid, cid string
	}
	var seeded []ids
	for batch := range 20 {
		var items []any
		for i := range kith.MaxProfilesPerBatch {
			n := batch*kith.MaxProfilesPerBatch + i
			items = append(items, map[string]any{
				"client":     map[string]any{"email": fmt.Sprintf("p%d@example.com", n), "uuid": uuid.NewString(), "customId": fmt.Sprintf("LOY-%d", n)},
				"attributes": map[string]any{"firstName": "Ada", "city": "Paris"}, "tags": []string{"vip"}})
		}
		data, _ := json.Marshal(map[string]any{"profiles": items})
		var out struct {
			Results []struct {
				ClientID int64 `json:"clientId"`
			} `json:"results"`
		}
		if err := json.Unmarshal(post(b, e.client, e.srv.URL+"/api/v1/profiles/batch", c.SecretKey, data), &out); err != nil {
			b.Fatal(err)
		}
		for i, r := range out.Results {
			cl := items[i].(map[string]any)["client"].(map[string]any)
			seeded = append(seeded, ids{r.ClientID, cl["email"].(string), cl["uuid"].(string), cl["customId"].(string)})
		}
	}
	for _, kind := range []string{"email", "uuid", "clientId", "customId"} {
		b.Run(kind, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(4, 4))
			paths := make([]string, b.N)
			for i := range paths {
				p := seeded[rng.IntN(len(seeded))]
				switch kind {
				case "email":
					paths[i] = byEmail(p.email)
				case "uuid":
					paths[i] = byUUID(p.uuid)
				case "clientId":
					paths[i] = byClientID(p.clientID)
				case "customId":
					paths[i] = byCustomID(p.cid)
				}
			}
			var lat latencies
			b.ResetTimer()
			cpu := startCPU()
			runClients(b, &lat, func(i int) {
				req, _ := http.NewRequest("GET", e.srv.URL+paths[i], nil)
				req.Header.Set("Authorization", "Bearer "+c.SecretKey)
				send(b, e.client, req)
			})
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
			cpu.report(b, b.N, "cpu-µs/req")
			lat.report(b)
		})
	}
}

// BenchmarkRawInsert100 is the raw limit of BenchmarkEventsBatch100: the
// same kind of rows, 100 per Update, inserted into the same store with no
// HTTP, no decoding and no identity resolution, from 8 goroutines.
func BenchmarkRawInsert100(b *testing.B) {
	for _, sync := range []string{"FULL", "NORMAL"} {
		b.Run("sync="+sync, func(b *testing.B) {
			ctx := context.Background()
			st, err := sqlite.Open(ctx, sqlite.Options{Dir: b.TempDir(), Synchronous: sync})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			c, err := kith.CreateWorkspace(ctx, st, kith.NewWorkspace("raw", kith.ModeEmail), time.Now())
			if err != nil {
				b.Fatal(err)
			}
			ws := c.Workspace
			profiles := make([]*kith.Profile, 1000)
			err = st.Update(ctx, func(tx kith.Tx) error {
				for i := range profiles {
					now := time.Now()
					p := &kith.Profile{WorkspaceID: ws.ID, UUIDs: []string{uuid.NewString()}, Attributes: map[string]any{},
						Agreements: map[string]kith.Agreement{}, CreatedAt: now, UpdatedAt: now, LastActivityAt: now}
					if err := tx.CreateProfile(ctx, ws, p); err != nil {
						return err
					}
					profiles[i] = p
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(5, 5))
			params := []json.RawMessage{
				json.RawMessage(`{"url":"https://shop.example/p/1234","title":"Product","referrer":"https://www.google.com/"}`),
				json.RawMessage(`{"formType":"newsletter"}`),
				json.RawMessage(`{"sku":"SKU-1234","price":19.99,"currency":"EUR"}`),
			}
			actions := []string{kith.ActionPageVisit, kith.ActionFormSubmit, "product.view"}
			batches := make([][]*kith.Event, b.N)
			now := time.Now().UTC()
			for i := range batches {
				batch := make([]*kith.Event, benchBatch)
				for j := range batch {
					p := profiles[rng.IntN(len(profiles))]
					k := 0
					if r := rng.IntN(100); r >= 85 {
						k = 2
					} else if r >= 80 {
						k = 1
					}
					batch[j] = &kith.Event{EventID: eventID(), WorkspaceID: ws.ID, ClientID: p.ClientID,
						Action: actions[k], Time: now, ReceivedAt: now, Source: kith.SourceAPI, Params: params[k],
						Client:  kith.Identifiers{UUID: p.UUIDs[0]},
						Context: kith.EventContext{UserAgent: benchUA, IP: "198.51.100.7"}}
				}
				batches[i] = batch
			}
			var lat latencies
			b.ResetTimer()
			cpu := startCPU()
			runClients(b, &lat, func(i int) {
				if err := st.Update(ctx, func(tx kith.Tx) error { return tx.InsertEvents(ctx, batches[i]) }); err != nil {
					b.Error(err)
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "events/s")
			cpu.report(b, b.N*benchBatch, "cpu-µs/event")
			lat.report(b)
		})
	}
}
