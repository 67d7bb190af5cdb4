package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Config describes a load run.
type Config struct {
	Targets     []string // base URLs of the nodes, used round-robin
	Key         string   // a secret key of the workspace
	Concurrency int      // simultaneous requests
	Batch       int      // events per events request
	Duration    time.Duration
	Rate        float64 // requests per second over all workers; 0 = unlimited
	Browsers    int     // simulated browsers
	Seed        uint64
	Mix         Mix
	IdentifyAll bool   // every event identifies a new customer
	EventIDs    string // EventIDsTime, EventIDsRandom or EventIDsNone
}

// The event ids browsers send (Config.EventIDs).
const (
	EventIDsTime   = "time"   // version-7 uuids, as the tracker sends
	EventIDsRandom = "random" // version-4 uuids
	EventIDsNone   = "none"   // no id: the server assigns one
)

// Result is what a run measured.
type Result struct {
	Elapsed        time.Duration `json:"elapsedSeconds"`
	Requests       int64         `json:"requests"`
	Events         int64         `json:"events"`
	Errors         int64         `json:"errors"`
	EventsPerSec   float64       `json:"eventsPerSecond"`
	RequestsPerSec float64       `json:"requestsPerSecond"`
	P50            time.Duration `json:"p50"`
	P95            time.Duration `json:"p95"`
	P99            time.Duration `json:"p99"`
	Max            time.Duration `json:"max"`
	FirstError     string        `json:"firstError,omitempty"`
}

// Progress is a snapshot sent to the progress callback once a second.
type Progress struct {
	Elapsed  time.Duration
	Requests int64
	Events   int64
	Errors   int64
}

// Run sends load until cfg.Duration passes or ctx ends.
func Run(ctx context.Context, cfg Config, progress func(Progress)) (*Result, error) {
	if len(cfg.Targets) == 0 || cfg.Key == "" || cfg.Concurrency < 1 || cfg.Batch < 1 {
		return nil, fmt.Errorf("bench: need targets, a key, concurrency ≥ 1 and batch ≥ 1")
	}
	if cfg.Mix == (Mix{}) {
		cfg.Mix = Mix{Events: 1}
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: cfg.Concurrency * 2}, Timeout: 30 * time.Second}
	var (
		requests, events, errs atomic.Int64
		firstErr               atomic.Value
		mu                     sync.Mutex
		latencies              []time.Duration
		wg                     sync.WaitGroup
	)
	start := time.Now()
	for i := range cfg.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wl := newWorkload(&cfg, i)
			var mine []time.Duration
			var interval time.Duration
			if cfg.Rate > 0 {
				interval = time.Duration(float64(time.Second) * float64(cfg.Concurrency) / cfg.Rate)
			}
			next := time.Now()
			for n := 0; ctx.Err() == nil; n++ {
				if interval > 0 {
					next = next.Add(interval)
					if d := time.Until(next); d > 0 {
						select {
						case <-time.After(d):
						case <-ctx.Done():
						}
					}
				}
				target := cfg.Targets[(i+n)%len(cfg.Targets)]
				t0 := time.Now()
				sent, err := wl.request(ctx, client, target, cfg.Key)
				if ctx.Err() != nil {
					break // cut short by the end of the run: not counted
				}
				mine = append(mine, time.Since(t0))
				requests.Add(1)
				events.Add(int64(sent))
				if err != nil {
					errs.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
				}
			}
			mu.Lock()
			latencies = append(latencies, mine...)
			mu.Unlock()
		}()
	}
	if progress != nil {
		go func() {
			tick := time.NewTicker(time.Second)
			defer tick.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
					progress(Progress{time.Since(start), requests.Load(), events.Load(), errs.Load()})
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	res := &Result{Elapsed: elapsed, Requests: requests.Load(), Events: events.Load(), Errors: errs.Load()}
	res.EventsPerSec = float64(res.Events) / elapsed.Seconds()
	res.RequestsPerSec = float64(res.Requests) / elapsed.Seconds()
	slices.Sort(latencies)
	res.P50, res.P95, res.P99 = quantile(latencies, .50), quantile(latencies, .95), quantile(latencies, .99)
	if len(latencies) > 0 {
		res.Max = latencies[len(latencies)-1]
	}
	if v, ok := firstErr.Load().(string); ok {
		res.FirstError = v
	}
	return res, nil
}

func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, int(q*float64(len(sorted))))]
}

// request sends one request of the mix and returns how many events it
// carried.
func (w *workload) request(ctx context.Context, client *http.Client, base, key string) (int, error) {
	m := w.cfg.Mix
	r := w.rng.Float64() * (m.Events + m.Upserts + m.Lookups)
	switch {
	case r < m.Events:
		evs := make([]map[string]any, w.cfg.Batch)
		sent := make([]*browser, w.cfg.Batch)
		for i := range evs {
			evs[i], sent[i] = w.event()
		}
		var out struct {
			Results []struct {
				Status       string
				UUIDConflict bool
			}
		}
		if err := call(ctx, client, "POST", base+"/api/v1/events", key, map[string]any{"events": evs}, &out); err != nil {
			return 0, err
		}
		for i, res := range out.Results {
			if res.Status != "accepted" {
				return len(evs), fmt.Errorf("event rejected: %+v", res)
			}
			if res.UUIDConflict && i < len(sent) {
				sent[i].uuid = w.newUUID() // the tracker's reset (SPEC §2)
			}
		}
		return len(evs), nil
	case r < m.Events+m.Upserts:
		return 0, call(ctx, client, "POST", base+"/api/v1/profiles", key, w.upsert(), nil)
	default:
		err := call(ctx, client, "GET", base+w.lookup(), key, nil, nil)
		if errors.Is(err, errNotFound) {
			err = nil // a browser that has sent nothing yet
		}
		return 0, err
	}
}

var errNotFound = errors.New("not found")

// call sends one JSON request and decodes a 200 answer into out.
func call(ctx context.Context, client *http.Client, method, url, key string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return errNotFound
	case resp.StatusCode != http.StatusOK:
		return fmt.Errorf("%s %s: %d %s", method, url, resp.StatusCode, bytes.TrimSpace(data))
	case out != nil:
		return json.Unmarshal(data, out)
	}
	return nil
}
