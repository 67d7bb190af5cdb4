package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/kithcdp/kith"
	kithhttp "github.com/kithcdp/kith/http"
)

// measureCmd times the management reads on a generated workspace, through
// the real HTTP handler in process (routing, auth, store, JSON; no
// network), one request at a time, and prints latency percentiles.
//
//	kith dataset measure --data DIR --samples 300
type measureCmd struct {
	storeFlags
	Workspace string `help:"Workspace to measure." default:"dataset"`
	Samples   int    `help:"Requests per measurement (after 10 not counted, to warm up)." default:"300"`
	Seed      uint64 `help:"Random seed of the sampled profiles." default:"2"`
}

// sample is a profile whose identifiers the measurements use.
type sample struct {
	clientID int64
	email    string
	uuid     string
	customID string
	first    string
	last     string
}

func (c *measureCmd) Run(ctx context.Context) error {
	st, where, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	ws, err := datasetWorkspace(ctx, st, c.Workspace, false)
	if err != nil {
		return fmt.Errorf("workspace %q: %w", c.Workspace, err)
	}
	text, key := kith.NewKey(ws.ID, kith.KeySecret, "kith dataset measure", time.Now())
	if err := st.Update(ctx, func(tx kith.Tx) error { return tx.CreateKey(ctx, key) }); err != nil {
		return err
	}
	defer st.Update(context.WithoutCancel(ctx), func(tx kith.Tx) error {
		_, err := tx.RevokeKey(ctx, ws.ID, key.ID, time.Now())
		return err
	})
	m := &measurer{h: (&kithhttp.Server{Store: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}).Handler(),
		key: text, n: c.Samples, r: rand.New(rand.NewPCG(c.Seed, 0))}
	var stats kith.ProfileStats
	var pool []sample
	err = st.View(ctx, func(tx kith.ReadTx) error {
		if stats, err = tx.CountProfiles(ctx, ws.ID); err != nil {
			return err
		}
		pool, err = samples(ctx, tx, ws.ID, m.r, 500)
		return err
	})
	if err != nil {
		return err
	}
	if len(pool) == 0 {
		return fmt.Errorf("workspace %q has no profiles: run kith dataset generate first", ws.Name)
	}
	var known []sample
	for _, s := range pool {
		if s.email != "" {
			known = append(known, s)
		}
	}
	fmt.Printf("%s, workspace %q: %d profiles (%d recognized); %d requests each, one at a time\n",
		where, ws.Name, stats.Total, stats.Recognized, c.Samples)
	fmt.Printf("%-44s %9s %9s %9s %9s\n", "measurement", "p50 ms", "p95 ms", "p99 ms", "max ms")
	pick := func(list []sample) sample { return list[m.r.IntN(len(list))] }
	anyS := func() sample { return pick(pool) }
	knownS := func() sample { return pick(known) }
	for _, c := range []struct {
		name string
		path func() string
	}{
		{"lookup by clientId", func() string { return fmt.Sprintf("/api/v1/profiles/%d", anyS().clientID) }},
		{"lookup by email", func() string { return "/api/v1/profiles/by-email/" + url.PathEscape(knownS().email) }},
		{"lookup by uuid", func() string { return "/api/v1/profiles/by-uuid/" + anyS().uuid }},
		{"stats", func() string { return "/api/v1/profiles/stats" }},
		{"list: first page", func() string { return "/api/v1/profiles" }},
		{"list: a page deep down (cursor)", func() string { return "/api/v1/profiles?cursor=" + listCursor(anyS().clientID) }},
		{"list: anonymous=true", func() string { return "/api/v1/profiles?anonymous=true&cursor=" + listCursor(anyS().clientID) }},
		{"list: anonymous=false", func() string { return "/api/v1/profiles?anonymous=false&cursor=" + listCursor(anyS().clientID) }},
		{"list: tag=newsletter (20%)", func() string { return "/api/v1/profiles?tag=newsletter&cursor=" + listCursor(anyS().clientID) }},
		{"list: tag=b2b (1%)", func() string { return "/api/v1/profiles?tag=b2b" }},
		{"list: q=email prefix (8 chars)", func() string { return "/api/v1/profiles?q=" + url.QueryEscape(knownS().email[:8]) }},
		{"list: q=whole email", func() string { return "/api/v1/profiles?q=" + url.QueryEscape(knownS().email) }},
		{"list: q=first name prefix (3 chars)", func() string { return "/api/v1/profiles?q=" + q(prefix(knownS().first, 3)) }},
		{"list: q=last name", func() string { return "/api/v1/profiles?q=" + q(strings.ToUpper(knownS().last)) }},
		{"list: q=one letter", func() string { return "/api/v1/profiles?q=" + q(string("abcdefghijklmnoprstuwz"[m.r.IntN(22)])) }},
		{"list: q=uuid prefix (8 chars)", func() string { return "/api/v1/profiles?q=" + anyS().uuid[:8] }},
		{"list: q=uuid prefix (2 chars)", func() string { return "/api/v1/profiles?q=" + anyS().uuid[:2] }},
		{"list: q=customId prefix", func() string { return "/api/v1/profiles?q=LOY-00" + fmt.Sprint(m.r.IntN(90)+10) }},
		{"list: q=clientId", func() string { return fmt.Sprintf("/api/v1/profiles?q=%d", anyS().clientID) }},
		{"list: q=no match", func() string { return "/api/v1/profiles?q=zzq" + fmt.Sprint(m.r.IntN(1000)) }},
		{"list: q=name prefix + anonymous=false + tag", func() string {
			return "/api/v1/profiles?anonymous=false&tag=newsletter&q=" + q(prefix(knownS().first, 2))
		}},
		{"timeline: first page", func() string { return fmt.Sprintf("/api/v1/profiles/%d/events", anyS().clientID) }},
		{"timeline: page 2 (limit 5, cursor)", func() string { return m.nextTimelinePage(anyS().clientID) }},
		{"timeline: action=cart.add", func() string { return fmt.Sprintf("/api/v1/profiles/%d/events?action=cart.add", anyS().clientID) }},
	} {
		if err := ctx.Err(); err != nil {
			return err
		}
		d, err := m.measure(ctx, c.path)
		if err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		fmt.Printf("%-44s %9.3f %9.3f %9.3f %9.3f\n", c.name, ms(d, 50), ms(d, 95), ms(d, 99), ms(d, 100))
	}
	return nil
}

// samples picks profiles spread over the workspace: the profile before a
// random clientId, n times.
func samples(ctx context.Context, tx kith.ReadTx, ws int64, r *rand.Rand, n int) ([]sample, error) {
	top, err := tx.ListProfiles(ctx, ws, kith.ProfileFilter{Limit: 1})
	if err != nil || len(top) == 0 {
		return nil, err
	}
	var out []sample
	for range n {
		list, err := tx.ListProfiles(ctx, ws, kith.ProfileFilter{Before: r.Int64N(top[0].ClientID) + 2, Limit: 1})
		if err != nil {
			return nil, err
		}
		for _, p := range list {
			s := sample{clientID: p.ClientID, email: p.Email, uuid: p.UUIDs[0], customID: p.CustomID}
			s.first, _ = p.Attributes["firstName"].(string)
			s.last, _ = p.Attributes["lastName"].(string)
			if s.first == "" {
				s.first = "Anna"
			}
			if s.last == "" {
				s.last = "Nowak"
			}
			out = append(out, s)
		}
	}
	return out, nil
}

// listCursor is the profile list's cursor after clientId (the format of
// http/timeline.go's encodeCursor, opaque to API callers).
func listCursor(clientID int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf("p:%d", clientID)))
}

func q(s string) string { return url.QueryEscape(s) }

func prefix(s string, n int) string {
	r := []rune(s)
	return string(r[:min(n, len(r))])
}

// measurer sends requests to the handler in process.
type measurer struct {
	h   http.Handler
	key string
	n   int
	r   *rand.Rand
}

// get answers one request, failing unless it is 200.
func (m *measurer) get(path string) ([]byte, time.Duration, error) {
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("Authorization", "Bearer "+m.key)
	w := httptest.NewRecorder()
	start := time.Now()
	m.h.ServeHTTP(w, req)
	d := time.Since(start)
	if w.Code != http.StatusOK {
		return nil, d, fmt.Errorf("GET %s: %d %s", path, w.Code, w.Body.String())
	}
	return w.Body.Bytes(), d, nil
}

// measure times m.n requests, after 10 not counted.
func (m *measurer) measure(ctx context.Context, path func() string) ([]time.Duration, error) {
	var out []time.Duration
	for i := range m.n + 10 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		_, d, err := m.get(path())
		if err != nil {
			return nil, err
		}
		if i >= 10 {
			out = append(out, d)
		}
	}
	slices.Sort(out)
	return out, nil
}

// nextTimelinePage reads the first timeline page of 5 events (not timed)
// and returns the path of the next one.
func (m *measurer) nextTimelinePage(id int64) string {
	path := fmt.Sprintf("/api/v1/profiles/%d/events?limit=5", id)
	body, _, err := m.get(path)
	var page struct {
		NextCursor string `json:"nextCursor"`
	}
	if err != nil || json.Unmarshal(body, &page) != nil || page.NextCursor == "" {
		return path
	}
	return path + "&cursor=" + page.NextCursor
}

// ms returns the p-th percentile of sorted durations in milliseconds.
func ms(d []time.Duration, p int) float64 {
	i := min(len(d)-1, len(d)*p/100)
	return float64(d[i].Microseconds()) / 1000
}
