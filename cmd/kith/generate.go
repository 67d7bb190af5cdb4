package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/identity"
	"github.com/kithcdp/kith/ingest"
)

// datasetCmd generates large synthetic datasets and times the profile
// management reads on them (issue 4's measurements).
type datasetCmd struct {
	Generate generateCmd `cmd:"" help:"Fill a store with generated profiles and events, fast: bulk writes through the store, bypassing identity resolution."`
	Measure  measureCmd  `cmd:"" help:"Time the management reads (list, search, stats, timeline, lookups) on a generated workspace."`
}

// generateCmd fills a workspace with valid, realistic data: unique
// emails, customIds and uuids, names (some with diacritics), tags,
// agreements, devices, and timelines starting with client.add.
//
//	kith dataset generate --data DIR --sync normal --profiles 1000000 --events 10000000
type generateCmd struct {
	storeFlags
	Workspace string  `help:"Workspace to fill (created when missing; filled further when it exists)." default:"dataset"`
	Profiles  int     `help:"Profiles to add." default:"1000000"`
	Events    int     `help:"Events to add, client.add included (about: profiles get random counts)." default:"10000000"`
	Batch     int     `help:"Profiles per transaction." default:"2000"`
	Workers   int     `help:"Transactions in flight at once (PostgreSQL gains from several; SQLite has one writer)." default:"1"`
	Known     float64 `help:"Share of profiles with an email (recognized)." default:"0.6"`
	Seed      uint64  `help:"Random seed: the same seed generates the same values." default:"1"`
}

func (c *generateCmd) Run(ctx context.Context) error {
	if c.Profiles <= 0 || c.Batch <= 0 || c.Workers <= 0 || c.Events < c.Profiles {
		return errors.New("need profiles > 0, batch > 0, workers > 0 and events >= profiles (every profile has client.add)")
	}
	st, where, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	ws, err := datasetWorkspace(ctx, st, c.Workspace, true)
	if err != nil {
		return err
	}
	var before kith.ProfileStats
	if err := st.View(ctx, func(tx kith.ReadTx) error {
		before, err = tx.CountProfiles(ctx, ws.ID)
		return err
	}); err != nil {
		return err
	}
	err = st.Update(ctx, func(tx kith.Tx) error { return tx.EnsureTags(ctx, ws.ID, genTags, time.Now()) })
	if err != nil {
		return err
	}
	g := &generator{ws: ws, cfg: c, offset: int(before.Total), now: time.Now().UTC(), devices: genDevices()}
	fmt.Printf("generating %d profiles and about %d events into workspace %q (id %d) of %s\n",
		c.Profiles, c.Events, ws.Name, ws.ID, where)
	start := time.Now()
	batches := make(chan int)
	errc := make(chan error, c.Workers)
	var wg sync.WaitGroup
	for range c.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range batches {
				if err := g.writeBatch(ctx, st, b); err != nil {
					errc <- err
					return
				}
			}
		}()
	}
	done := make(chan struct{})
	go g.progress(start, done)
	n := (c.Profiles + c.Batch - 1) / c.Batch
feed:
	for b := range n {
		select {
		case batches <- b:
		case err = <-errc:
			break feed
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(batches)
	wg.Wait()
	close(done)
	if err == nil {
		select {
		case err = <-errc:
		default:
		}
	}
	if err != nil {
		return err
	}
	d := time.Since(start)
	fmt.Printf("done: %d profiles, %d events in %s (%.0f profiles/s, %.0f events/s)\n",
		g.profiles.Load(), g.events.Load(), d.Round(time.Second),
		float64(g.profiles.Load())/d.Seconds(), float64(g.events.Load())/d.Seconds())
	return nil
}

// datasetWorkspace finds the workspace called name, creating it (and
// printing its keys) when create is set.
func datasetWorkspace(ctx context.Context, st kith.Store, name string, create bool) (*kith.Workspace, error) {
	var ws *kith.Workspace
	err := st.View(ctx, func(tx kith.ReadTx) error {
		var err error
		ws, err = tx.FindWorkspaceByName(ctx, name)
		return err
	})
	if kith.ErrorCode(err) != kith.ECodeNotFound || !create {
		return ws, err
	}
	creds, err := kith.CreateWorkspace(ctx, st, kith.NewWorkspace(name, kith.ModeEmail), time.Now())
	if err != nil {
		return nil, err
	}
	printCredentials(creds)
	return creds.Workspace, nil
}

// generator makes the batches of one run.
type generator struct {
	ws               *kith.Workspace
	cfg              *generateCmd
	offset           int // profiles the workspace had: numbers continue after them
	now              time.Time
	devices          []genDevice
	profiles, events atomic.Int64
}

type genDevice struct {
	userAgent string
	device    kith.Device
}

// progress prints the rates every few seconds until done closes.
func (g *generator) progress(start time.Time, done chan struct{}) {
	t := time.NewTicker(10 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
			d := time.Since(start).Seconds()
			fmt.Printf("  %d profiles, %d events (%.0f profiles/s, %.0f events/s)\n",
				g.profiles.Load(), g.events.Load(), float64(g.profiles.Load())/d, float64(g.events.Load())/d)
		}
	}
}

// genProfile is a profile of a batch with its events, tags and device.
type genProfile struct {
	p      *kith.Profile
	events []*kith.Event
	tags   []string
	device kith.Device
}

// writeBatch generates batch b (deterministically from the seed) and
// writes it in one transaction.
func (g *generator) writeBatch(ctx context.Context, st kith.Store, b int) error {
	r := rand.New(rand.NewPCG(g.cfg.Seed, uint64(b)))
	first := b * g.cfg.Batch
	n := min(g.cfg.Batch, g.cfg.Profiles-first)
	list := make([]genProfile, n)
	var events []*kith.Event
	for i := range list {
		list[i] = g.profile(r, g.offset+first+i)
		events = append(events, list[i].events...)
	}
	err := st.Update(ctx, func(tx kith.Tx) error {
		acts := make([]kith.ActivityUpdate, 0, len(list))
		for i := range list {
			gp := &list[i]
			gp.p.ClientID = 0
			if err := tx.CreateProfile(ctx, g.ws, gp.p); err != nil {
				return err
			}
			for _, e := range gp.events {
				e.ClientID = gp.p.ClientID
			}
			if len(gp.tags) > 0 {
				if _, err := tx.AddProfileTags(ctx, g.ws.ID, gp.p.ClientID, gp.tags); err != nil {
					return err
				}
			}
			acts = append(acts, kith.ActivityUpdate{ClientID: gp.p.ClientID, Devices: []kith.Device{gp.device}})
		}
		if err := tx.RecordActivity(ctx, g.ws.ID, acts); err != nil {
			return err
		}
		return tx.InsertEvents(ctx, events)
	})
	if err != nil {
		return fmt.Errorf("batch %d: %w", b, err)
	}
	g.profiles.Add(int64(n))
	g.events.Add(int64(len(events)))
	return nil
}

var (
	genFirst = []string{"Ada", "Adam", "Agnieszka", "Alan", "Alicja", "Anna", "Bartosz", "Beata", "Carlos", "Celina",
		"Dorota", "Emil", "Ewa", "Filip", "Grace", "Hanna", "Igor", "Iwona", "Jakub", "Joanna", "Kamil", "Katarzyna",
		"Łukasz", "Magdalena", "Marek", "Maria", "Michał", "Natalia", "Olga", "Paweł", "Piotr", "Renata", "Sofia",
		"Stanisław", "Tomasz", "Urszula", "Wojciech", "Zofia", "Zoë", "Élodie"}
	genLast = []string{"Nowak", "Kowalski", "Wiśniewska", "Wójcik", "Kowalczyk", "Kamińska", "Lewandowski", "Zieliński",
		"Szymańska", "Woźniak", "Dąbrowski", "Kozłowska", "Jankowski", "Mazur", "Kwiatkowska", "Krawczyk", "Lovelace",
		"Hopper", "Turing", "Curie", "Müller", "García", "Smith", "Johnson", "Brown", "O'Brien", "Øberg", "Żak"}
	genCities  = []string{"Warszawa", "Kraków", "Gdańsk", "Wrocław", "Poznań", "Łódź", "Berlin", "Paris"}
	genTags    = []string{"newsletter", "vip", "b2b"}
	genActions = []struct {
		action string
		weight int
	}{{"page.visit", 70}, {"cart.add", 10}, {"form.submit", 5}, {"transaction.charge", 5}, {"product.view", 10}}
	genAgents = []string{
		"Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
		"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
	}
)

func genDevices() []genDevice {
	var out []genDevice
	for _, ua := range genAgents {
		if d := ingest.ParseDevice(ua, time.Time{}); d != nil {
			out = append(out, genDevice{userAgent: ua, device: *d})
		}
	}
	return out
}

// asciiName folds a name into an email's local part.
var asciiName = strings.NewReplacer("Ł", "L", "ł", "l", "ą", "a", "ę", "e", "ó", "o", "ś", "s", "ź", "z", "ż", "z",
	"ć", "c", "ń", "n", "Ż", "Z", "ü", "u", "í", "i", "ë", "e", "É", "E", "é", "e", "Ø", "O", "'", "")

// profile generates profile number seq.
func (g *generator) profile(r *rand.Rand, seq int) genProfile {
	year := 365 * 24 * time.Hour
	created := g.now.Add(-time.Duration(r.Int64N(int64(year)))).Truncate(time.Microsecond)
	p := &kith.Profile{UUIDs: []string{uuid.NewString()}, Attributes: map[string]any{},
		Agreements: map[string]kith.Agreement{}, CreatedAt: created, UpdatedAt: created}
	known := r.Float64() < g.cfg.Known
	first, last := genFirst[r.IntN(len(genFirst))], genLast[r.IntN(len(genLast))]
	if known {
		p.Email = strings.ToLower(asciiName.Replace(first+"."+last)) + fmt.Sprintf(".%d@example.com", seq)
		p.Attributes["firstName"], p.Attributes["lastName"] = first, last
		p.Attributes["displayName"] = first + " " + string([]rune(last)[:1]) + "."
		p.Attributes["city"] = genCities[r.IntN(len(genCities))]
		if r.IntN(2) == 0 {
			p.CustomID = fmt.Sprintf("LOY-%08d", seq)
		}
		if r.IntN(3) > 0 {
			p.Agreements["email"] = kith.Agreement{Granted: true, ChangedAt: created, Source: kith.SourceForm}
		}
	} else if r.IntN(20) == 0 {
		p.Attributes["firstName"] = first // told a form its name, no email
	}
	var tags []string
	if r.IntN(5) == 0 {
		tags = append(tags, "newsletter")
	}
	if known && r.IntN(10) == 0 {
		tags = append(tags, "vip")
	}
	if r.IntN(100) == 0 {
		tags = append(tags, "b2b")
	}
	dev := g.devices[r.IntN(len(g.devices))]
	// Events: client.add, then a random count averaging events/profiles.
	mean := float64(g.cfg.Events) / float64(g.cfg.Profiles)
	n := int(r.Float64()*2*(mean-1) + 0.5)
	times := make([]time.Time, n)
	span := int64(g.now.Sub(created))
	for i := range times {
		times[i] = created.Add(time.Duration(r.Int64N(max(span, 1)))).Truncate(time.Microsecond)
	}
	events := []*kith.Event{g.event(r, kith.ActionClientAdd, created, p, dev, `{"source":"tracker"}`)}
	events[0].Source, events[0].Client, events[0].Context = kith.SourceSystem, kith.Identifiers{}, kith.EventContext{}
	last1 := created
	for _, t := range times {
		events = append(events, g.event(r, pickAction(r), t, p, dev, ""))
		if t.After(last1) {
			last1 = t
		}
	}
	p.LastActivityAt = last1
	dev.device.LastSeenAt = last1
	return genProfile{p: p, events: events, tags: tags, device: dev.device}
}

func pickAction(r *rand.Rand) string {
	n := r.IntN(100)
	for _, a := range genActions {
		if n < a.weight {
			return a.action
		}
		n -= a.weight
	}
	return genActions[0].action
}

// event generates one event of p.
func (g *generator) event(r *rand.Rand, action string, at time.Time, p *kith.Profile, dev genDevice, params string) *kith.Event {
	if params == "" {
		b, _ := json.Marshal(map[string]any{"url": fmt.Sprintf("https://shop.example/p/%d", r.IntN(5000))})
		params = string(b)
	}
	client := kith.Identifiers{UUID: p.UUIDs[0]}
	if action == kith.ActionFormSubmit {
		client.Email = p.Email
	}
	return &kith.Event{EventID: identity.NewEventID(), WorkspaceID: g.ws.ID, Action: action, Time: at, ReceivedAt: at,
		Source: kith.SourceTracker, Params: json.RawMessage(params), Client: client,
		Context: kith.EventContext{UserAgent: dev.userAgent, IP: fmt.Sprintf("203.0.113.%d", r.IntN(250)+1)}}
}
