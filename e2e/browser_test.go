package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kithcdp/kith/internal/testenv"
)

// One Chromium serves every test; each browser() is a fresh browser
// context (its own cookie jar and storage, like a separate browser), which
// is far cheaper than a new Chromium process.
var chrome struct {
	once   sync.Once
	ctx    context.Context // the first tab: it keeps the browser running
	err    error
	cancel func()
}

func TestMain(m *testing.M) {
	code := m.Run()
	if chrome.cancel != nil {
		chrome.cancel()
	}
	os.Exit(code)
}

// startChrome starts the shared Chromium with the flags of a quiet,
// reproducible headless browser: nothing talks to Google, no QUIC, and a
// fresh profile directory, removed at the end.
func startChrome(path string) (context.Context, func(), error) {
	dir, err := os.MkdirTemp("", "kith-e2e-chromium-")
	if err != nil {
		return nil, nil, err
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(dir),
		chromedp.NoSandbox, // tests often run as root, where the sandbox cannot start
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	cancel := func() {
		cancelCtx()
		cancelAlloc()
		os.RemoveAll(dir)
	}
	// The first Do starts the browser and binds its life to the context it
	// is given: that must be ctx itself, not one with a timeout.
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		return nil, nil, fmt.Errorf("start %s: %w", path, err)
	}
	return ctx, cancel, nil
}

// tab is one tab of one browser (browser context).
type tab struct {
	t   *testing.T
	ctx context.Context
}

// browser opens a tab in a new, empty browser: no cookies, no storage.
func browser(t *testing.T) *tab {
	t.Helper()
	path := testenv.Chromium(t)
	chrome.once.Do(func() {
		chrome.ctx, chrome.cancel, chrome.err = startChrome(path)
	})
	if chrome.err != nil {
		t.Fatal(chrome.err)
	}
	// A test's browser work is bounded, so a hung page fails that test
	// instead of stalling the whole run.
	limited, cancelLimit := context.WithTimeout(chrome.ctx, 2*time.Minute)
	ctx, cancel := chromedp.NewContext(limited, chromedp.WithNewBrowserContext())
	t.Cleanup(func() {
		cancel()
		cancelLimit()
	})
	if err := chromedp.Do(ctx); err != nil { // opens the tab
		t.Fatal(err)
	}
	return &tab{t: t, ctx: ctx}
}

func (b *tab) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatal(err)
	}
}

// open loads a page and waits until the tracker has started on it, and
// returns the tracker's uuid.
func (b *tab) open(url string) string {
	b.t.Helper()
	b.do(chromedp.Navigate(url))
	return b.uuid()
}

// uuid waits for the tracker and returns its uuid (the _kith_uuid cookie).
// It evaluates in whatever document the tab holds now: chromedp's Poll
// keeps the execution context it saw first, which a navigation can leave
// stale ("Cannot find context with specified id").
func (b *tab) uuid() string {
	b.t.Helper()
	var uuid string
	eventually(b.t, "the tracker to start", func() error {
		var err error
		uuid, err = chromedp.Run(b.ctx, chromedp.Evaluate[string](
			`window.kith && typeof kith.getUuid === 'function' ? kith.getUuid() : ''`))
		if err == nil && uuid == "" {
			err = errors.New("window.kith is not the tracker yet")
		}
		return err
	})
	return uuid
}

// cookie returns the page's _kith_uuid cookie as document.cookie has it.
func (b *tab) cookie() string {
	b.t.Helper()
	return run(b, chromedp.Evaluate[string](`(document.cookie.match(/(?:^|; )_kith_uuid=([^;]*)/) || [])[1] || ''`))
}

// follow clicks a link and waits for the page it leads to, which then
// has the current page as its referrer (a typed URL has none).
func (b *tab) follow(sel string) string {
	b.t.Helper()
	if _, err := chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		b.t.Fatal(err)
	}
	return b.uuid()
}

// fill sets form fields by id, typing the text as a user would.
func (b *tab) fill(fields map[string]string) {
	b.t.Helper()
	for id, v := range fields {
		b.do(chromedp.SendKeys(chromedp.ID(id), v))
	}
}

// submit clicks a submit button whose form leaves the page, and waits for
// the next page: the tracker's request must survive the navigation.
func (b *tab) submit(buttonID string) {
	b.t.Helper()
	resp, err := chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.ID(buttonID)))
	if err != nil {
		b.t.Fatal(err)
	}
	if resp.Status != 200 {
		b.t.Fatalf("submit: the next page answered %d", resp.Status)
	}
}

func run[T any](b *tab, a chromedp.Action[T]) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, a)
	if err != nil {
		var exc *chromedp.ExceptionError
		if errors.As(err, &exc) {
			b.t.Fatalf("JavaScript: %v", exc)
		}
		b.t.Fatal(err)
	}
	return v
}

func clickID(id string) chromedp.Action[chromedp.Void] {
	return chromedp.Click(chromedp.ID(id))
}
