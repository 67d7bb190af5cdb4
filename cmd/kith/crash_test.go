//go:build unix

package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/sqlite"
)

// TestCrashKeepsAcknowledgedEvents runs the real binary under a continuous
// load of events, kills it with SIGKILL mid-stream (twice), restarts it on
// the same data directory, and checks that every event answered 200 before
// a crash is stored, exactly once, and that the data is consistent.
func TestCrashKeepsAcknowledgedEvents(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the kith binary; skipped with -short")
	}
	bin := buildKith(t)
	data := t.TempDir()
	l := &crashLoad{acked: map[string]string{}, sent: map[string]bool{}}

	const rounds = 2
	for round := 1; round <= rounds; round++ {
		p := startKith(t, bin, round == 1, "--data", data)
		if round == 1 {
			l.secretKey, l.trackerKey = p.secretKey, p.trackerKey
		}
		// Load until this round has 4,000 more acknowledged events, then
		// kill the process while the clients keep sending.
		target := l.ackedCount() + 4000
		inflight := l.run(t, p.url, target, func() { p.kill(t) })
		t.Logf("round %d: killed with %d requests in flight; %d events acknowledged so far", round, inflight, l.ackedCount())
		if round > 1 && strings.Contains(p.stdout(), "secret key") {
			t.Errorf("restart %d created the workspace again:\n%s", round, p.stdout())
		}
	}

	// After the last crash: the server starts, serves what it
	// acknowledged, and takes repeated event ids as duplicates.
	p := startKith(t, bin, false, "--data", data)
	l.checkAfterRestart(t, p.url)
	p.stop(t)
	if strings.Contains(p.stdout(), "secret key") {
		t.Errorf("the last restart created the workspace again:\n%s", p.stdout())
	}

	l.verifyStore(t, data)
}

// crashLoad sends events and remembers which were acknowledged.
type crashLoad struct {
	secretKey, trackerKey string

	mu     sync.Mutex
	acked  map[string]string // eventId → action, of events answered 200
	sent   map[string]bool   // every eventId sent
	emails []string          // emails of acknowledged form submits
}

func (l *crashLoad) ackedCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.acked)
}

// run sends batches of events from 8 clients until target events are
// acknowledged, calls kill, and returns how many requests were in flight
// when it did. Requests failing after the kill are expected; any other
// failure fails the test.
func (l *crashLoad) run(t *testing.T, base string, target int, kill func()) int64 {
	var (
		wg       sync.WaitGroup
		killed   atomic.Bool
		inflight atomic.Int64
		reached  = make(chan struct{})
		once     sync.Once
	)
	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
	defer client.CloseIdleConnections()
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), uint64(g)))
			key := l.secretKey
			if g%2 == 1 {
				key = l.trackerKey // browsers: devices are recorded too
			}
			browsers := make([]string, 300)
			for i := range browsers {
				browsers[i] = uuid.NewString()
			}
			for !killed.Load() {
				events, ids, emails := l.batch(rng, browsers)
				inflight.Add(1)
				res, err := postEvents(client, base, key, events)
				inflight.Add(-1)
				if err != nil {
					if !killed.Load() {
						t.Errorf("client %d: %v", g, err)
					}
					return
				}
				l.mu.Lock()
				for i, r := range res {
					if r.Status != "accepted" || r.EventID != ids[i] {
						t.Errorf("client %d: event %d answered %+v", g, i, r)
						continue
					}
					l.acked[r.EventID] = events[i]["action"].(string)
				}
				l.emails = append(l.emails, emails...)
				n := len(l.acked)
				l.mu.Unlock()
				if n >= target {
					once.Do(func() { close(reached) })
				}
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	var atKill int64
	select {
	case <-reached:
		killed.Store(true)
		atKill = inflight.Load()
		kill()
	case <-done:
		t.Fatal("every client stopped before the target was reached")
	}
	<-done
	return atKill
}

// batch builds 1–200 events: page visits of known and new browsers, forms
// that identify them (new customers), returning customers on a new device
// (an anonymous visit, then a login that merges it into the customer), and
// custom events. It returns the events, their ids, and the emails of the
// forms.
func (l *crashLoad) batch(rng *rand.Rand, browsers []string) ([]map[string]any, []string, []string) {
	n := 1 + rng.IntN(200)
	var events []map[string]any
	var emails []string
	ua := map[string]any{"userAgent": "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"}
	add := func(action string, client map[string]any) map[string]any {
		ev := map[string]any{"eventId": uuid.NewString(), "action": action, "client": client, "context": ua}
		events = append(events, ev)
		return ev
	}
	for len(events) < n {
		u := browsers[rng.IntN(len(browsers))]
		switch r := rng.IntN(100); {
		case r < 75:
			ev := add("page.visit", map[string]any{"uuid": u})
			ev["params"] = map[string]any{"url": fmt.Sprintf("https://shop.example/p/%d", rng.IntN(1000))}
		case r < 85:
			email := fmt.Sprintf("c-%s@example.com", uuid.NewString()[:13])
			emails = append(emails, email)
			ev := add("form.submit", map[string]any{"uuid": u, "email": email})
			ev["profile"] = map[string]any{"attributes": map[string]any{"firstName": "Ada"},
				"tags": []string{"newsletter"}, "agreements": map[string]any{"email": true}}
		case r < 88:
			l.mu.Lock()
			var email string
			if len(l.emails) > 0 {
				email = l.emails[rng.IntN(len(l.emails))]
			}
			l.mu.Unlock()
			fresh := uuid.NewString()
			browsers[rng.IntN(len(browsers))] = fresh
			add("page.visit", map[string]any{"uuid": fresh})
			if email != "" {
				add("user.login", map[string]any{"uuid": fresh, "email": email})
			}
		default:
			ev := add("cart.add", map[string]any{"uuid": u})
			ev["params"] = map[string]any{"sku": fmt.Sprintf("SKU-%d", rng.IntN(500)), "qty": 1 + rng.IntN(3)}
		}
	}
	ids := make([]string, len(events))
	l.mu.Lock()
	for i, ev := range events {
		ids[i] = ev["eventId"].(string)
		l.sent[ids[i]] = true
	}
	l.mu.Unlock()
	return events, ids, emails
}

type crashResult struct {
	Status   string `json:"status"`
	EventID  string `json:"eventId"`
	ClientID int64  `json:"clientId"`
}

// postEvents sends one batch and returns its results; any answer but 200
// with one result per event is an error.
func postEvents(client *http.Client, base, key string, events []map[string]any) ([]crashResult, error) {
	status, results, err := postEventsStatus(client, base, key, events)
	if err == nil && status != http.StatusOK {
		err = fmt.Errorf("POST /api/v1/events: status %d", status)
	}
	return results, err
}

// postEventsStatus sends events and returns the answer's status and, for
// a 200, the per-event results.
func postEventsStatus(client *http.Client, base, key string, events []map[string]any) (int, []crashResult, error) {
	body, err := json.Marshal(map[string]any{"events": events})
	if err != nil {
		return 0, nil, err
	}
	req, err := http.NewRequest("POST", base+"/api/v1/events", bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		return res.StatusCode, nil, err
	}
	var out struct{ Results []crashResult }
	if err := json.Unmarshal(data, &out); err != nil {
		return res.StatusCode, nil, err
	}
	if len(out.Results) != len(events) {
		return res.StatusCode, nil, fmt.Errorf("%d results for %d events", len(out.Results), len(events))
	}
	return res.StatusCode, out.Results, nil
}

// checkAfterRestart resends acknowledged events (duplicates, answered as
// accepted and not stored again) and looks up customers acknowledged
// before the crashes.
func (l *crashLoad) checkAfterRestart(t *testing.T, base string) {
	client := &http.Client{Timeout: time.Minute}
	defer client.CloseIdleConnections()
	var again []map[string]any
	l.mu.Lock()
	for id, action := range l.acked {
		if len(again) == 200 {
			break
		}
		again = append(again, map[string]any{"eventId": id, "action": action, "client": map[string]any{"uuid": uuid.NewString()}})
	}
	emails := append([]string(nil), l.emails[:min(len(l.emails), 50)]...)
	l.mu.Unlock()
	res, err := postEvents(client, base, l.secretKey, again)
	if err != nil {
		t.Fatalf("resend after restart: %v", err)
	}
	for i, r := range res {
		if r.Status != "accepted" || r.EventID != again[i]["eventId"] {
			t.Errorf("resent event %d: %+v", i, r)
		}
	}
	for _, email := range emails {
		req, _ := http.NewRequest("GET", base+"/api/v1/profiles/by-email/"+email, nil)
		req.Header.Set("Authorization", "Bearer "+l.secretKey)
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var p struct {
			Email string
			UUIDs []string
		}
		err = json.NewDecoder(res.Body).Decode(&p)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || err != nil || p.Email != email || len(p.UUIDs) == 0 {
			t.Errorf("customer %s acknowledged before the crash: %d %+v %v", email, res.StatusCode, p, err)
		}
	}
}

// verifyStore opens the stopped server's data directory and checks that
// every acknowledged event is stored once, and that the data is whole.
func (l *crashLoad) verifyStore(t *testing.T, data string) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, sqlite.Options{Dir: data})
	if err != nil {
		t.Fatal(err)
	}
	var missing, wrong []string
	err = st.View(ctx, func(tx kith.ReadTx) error {
		ws, err := tx.FindWorkspaceByName(ctx, "default")
		if err != nil {
			return err
		}
		for id, action := range l.acked {
			ev, err := tx.FindEvent(ctx, ws.ID, id)
			switch {
			case kith.ErrorCode(err) == kith.ECodeNotFound:
				missing = append(missing, id)
			case err != nil:
				return err
			case ev.Action != action || ev.ClientID <= 0:
				wrong = append(wrong, fmt.Sprintf("%s: %s on %d", id, ev.Action, ev.ClientID))
			}
		}
		return nil
	})
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) > 0 {
		t.Errorf("%d of %d acknowledged events are lost, e.g. %v", len(missing), len(l.acked), missing[:min(5, len(missing))])
	}
	if len(wrong) > 0 {
		t.Errorf("%d acknowledged events stored wrongly, e.g. %v", len(wrong), wrong[:min(5, len(wrong))])
	}

	db, err := sql.Open("sqlite", filepath.Join(data, "kith.db")+"?_pragma=query_only(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, c := range []struct {
		what, query string
	}{
		{"profiles without a uuid", `SELECT count(*) FROM profiles p WHERE NOT EXISTS
			(SELECT 1 FROM profile_uuids u WHERE u.workspace_id = p.workspace_id AND u.client_id = p.client_id)`},
		{"event ids stored twice", `SELECT count(*) FROM (SELECT event_id FROM events GROUP BY event_id HAVING count(*) > 1)`},
		{"events of missing profiles", `SELECT count(*) FROM events e WHERE NOT EXISTS
			(SELECT 1 FROM profiles p WHERE p.workspace_id = e.workspace_id AND p.client_id = e.client_id)`},
		{"profiles without client.add", `SELECT count(*) FROM profiles p WHERE NOT EXISTS
			(SELECT 1 FROM events e WHERE e.workspace_id = p.workspace_id AND e.client_id = p.client_id AND e.action = 'client.add')`},
	} {
		var n int
		if err := db.QueryRow(c.query).Scan(&n); err != nil {
			t.Fatalf("%s: %v", c.what, err)
		}
		if n != 0 {
			t.Errorf("%d %s", n, c.what)
		}
	}
	var check string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity_check: %q %v", check, err)
	}
	var events, unacked int
	if err := db.QueryRow("SELECT count(*) FROM events WHERE source != 'system'").Scan(&events); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query("SELECT event_id FROM events WHERE source != 'system'")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		if !l.sent[id] {
			t.Errorf("stored event %s was never sent", id)
		}
		if _, ok := l.acked[id]; !ok {
			unacked++
		}
	}
	rows.Close()
	t.Logf("%d events acknowledged, %d stored (%d of them stored but never acknowledged: in flight at a crash)",
		len(l.acked), events, unacked)
}

// buildKith builds the binary into a temporary directory.
func buildKith(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "kith")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// kithProc is a running `kith serve`.
type kithProc struct {
	cmd                   *exec.Cmd
	url                   string
	secretKey, trackerKey string
	exited                chan struct{}
	waitErr               error

	mu  sync.Mutex
	out bytes.Buffer // stdout
}

func (p *kithProc) stdout() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// startKith starts `kith serve` on a free loopback port and waits until it
// listens, and, when firstStart, until it has printed the keys of the
// workspace it creates. The port is chosen by the kernel (--addr
// 127.0.0.1:0) and read from the server's log, so that no other process
// can take it in between.
func startKith(t *testing.T, bin string, firstStart bool, storeArgs ...string) *kithProc {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0", "--log-format", "json"}, storeArgs...)...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "KITH_") { // the test chooses the store
			cmd.Env = append(cmd.Env, kv)
		}
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &kithProc{cmd: cmd, exited: make(chan struct{})}
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = cmd.Process.Kill()
			<-p.exited
		}
	})
	var pipes sync.WaitGroup
	pipes.Add(2)
	keys := make(chan struct{})
	go func() {
		defer pipes.Done()
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.out.WriteString(line + "\n")
			p.mu.Unlock()
			fields := strings.Fields(line)
			switch {
			case strings.HasPrefix(line, "  secret key:") && len(fields) >= 3 && p.secretKey == "":
				p.secretKey = fields[2]
				close(keys) // printed after the tracker key
			case strings.HasPrefix(line, "  tracker key:") && len(fields) >= 3:
				p.trackerKey = fields[2]
			}
		}
	}()
	addr := make(chan string, 1)
	var logs bytes.Buffer
	var logsMu sync.Mutex
	go func() {
		defer pipes.Done()
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			logsMu.Lock()
			logs.WriteString(sc.Text() + "\n")
			logsMu.Unlock()
			var line struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "kith serving" {
				addr <- line.Addr
			}
		}
	}()
	go func() {
		pipes.Wait()
		p.waitErr = cmd.Wait()
		close(p.exited)
	}()
	select {
	case a := <-addr:
		p.url = "http://" + a
	case <-p.exited:
		logsMu.Lock()
		defer logsMu.Unlock()
		t.Fatalf("kith serve exited at start: %v\n%s%s", p.waitErr, p.stdout(), logs.String())
	case <-time.After(time.Minute):
		t.Fatal("kith serve did not start listening within a minute")
	}
	if firstStart {
		select {
		case <-keys:
		case <-p.exited:
			t.Fatalf("kith serve exited without printing keys:\n%s", p.stdout())
		case <-time.After(time.Minute):
			t.Fatalf("the first start printed no keys:\n%s", p.stdout())
		}
	}
	return p
}

// kill sends SIGKILL and waits for the process to end.
func (p *kithProc) kill(t *testing.T) {
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.exited
	var exit *exec.ExitError
	if !errors.As(p.waitErr, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Errorf("kith did not die of SIGKILL: %v", p.waitErr)
	}
}

// stop asks the server to shut down (SIGTERM) and checks it exits cleanly.
func (p *kithProc) stop(t *testing.T) {
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.exited:
	case <-time.After(time.Minute):
		t.Fatal("kith did not stop within a minute of SIGTERM")
	}
	if p.waitErr != nil {
		t.Errorf("kith exited with %v after SIGTERM", p.waitErr)
	}
}
