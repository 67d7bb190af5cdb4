package identity

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/schema"
)

// MaxTagRunes is the longest tag name.
const MaxTagRunes = 64

// profilePart is a write's validated attributes, tags and agreements.
type profilePart struct {
	attrs      []namedValue // sorted by name
	newDefs    []kith.AttributeDef
	tags       []string
	agreements []namedValue // in kith.Channels order; values are bool
}

type namedValue struct {
	name  string
	value any
}

// change is a system event to emit once the profile has its clientId.
type change struct {
	action string
	params map[string]any
}

// checkProfilePart validates the write's profile part against the
// catalogue. Invalid fields refuse a strict write, else become warnings.
func (s *Session) checkProfilePart(ctx context.Context, w *Write, res *Result) (*profilePart, error) {
	part := &profilePart{}
	var errs []*kith.Error
	if len(w.Attributes) > 0 {
		defs, err := s.catalogue(ctx)
		if err != nil {
			return nil, err
		}
		for _, name := range sortedKeys(w.Attributes) {
			v, e := s.checkAttribute(defs, part, name, w.Attributes[name])
			if e != nil {
				errs = append(errs, e)
				continue
			}
			part.attrs = append(part.attrs, namedValue{name, v})
		}
	}
	for i, t := range w.Tags {
		t, e := NormalizeTag(t)
		if e != nil {
			errs = append(errs, e.WithField(fmt.Sprintf("tags[%d]", i)))
			continue
		}
		if !slices.Contains(part.tags, t) {
			part.tags = append(part.tags, t)
		}
	}
	for _, ch := range sortedKeys(w.Agreements) {
		if !kith.IsChannel(ch) {
			errs = append(errs, kith.FieldErrorf("agreements."+ch, kith.ECodeInvalidAgreement,
				"unknown agreement channel %q (expected one of %s)", ch, strings.Join(kith.Channels, ", ")))
		}
	}
	for _, ch := range kith.Channels {
		if v, ok := w.Agreements[ch]; ok {
			part.agreements = append(part.agreements, namedValue{ch, v})
		}
	}
	if len(errs) == 0 {
		return part, nil
	}
	if w.Strict {
		return nil, joinErrors(errs)
	}
	res.Warnings = append(res.Warnings, errs...)
	return part, nil
}

// checkAttribute returns the value to store for one attribute, defining
// the attribute implicitly (type inferred) when the catalogue lacks it.
func (s *Session) checkAttribute(defs map[string]kith.AttributeDef, part *profilePart, name string, v any) (any, *kith.Error) {
	def, ok := defs[name]
	if !ok {
		for _, d := range part.newDefs {
			if d.Name == name {
				def, ok = d, true
			}
		}
	}
	if !ok {
		existing := append(s.defList(), part.newDefs...)
		if e := schema.CheckName(name, existing); e != nil {
			return nil, e
		}
		typ, e := schema.InferType(name, v)
		if e != nil {
			return nil, e
		}
		def = kith.AttributeDef{Name: name, Type: typ, CreatedAt: s.now}
		part.newDefs = append(part.newDefs, def)
	}
	return schema.Normalize(def, v, s.now)
}

// catalogue returns the attribute definitions (defaults and custom) by name.
func (s *Session) catalogue(ctx context.Context) (map[string]kith.AttributeDef, error) {
	if s.defs != nil {
		return s.defs, nil
	}
	custom, err := s.tx.ListAttributeDefs(ctx, s.ws.ID)
	if err != nil {
		return nil, err
	}
	s.defs = map[string]kith.AttributeDef{}
	for _, d := range append(schema.Defaults(), custom...) {
		s.defs[d.Name] = d
	}
	return s.defs, nil
}

func (s *Session) defList() []kith.AttributeDef {
	list := make([]kith.AttributeDef, 0, len(s.defs))
	for _, d := range s.defs {
		list = append(list, d)
	}
	return list
}

// defineAttributes adds a write's implicitly defined attributes to the
// catalogue.
func (s *Session) defineAttributes(ctx context.Context, part *profilePart) error {
	for i := range part.newDefs {
		d := &part.newDefs[i]
		if err := s.tx.CreateAttributeDef(ctx, s.ws.ID, d); err != nil {
			if kith.ErrorCode(err) == kith.ECodeConflict {
				// Another node defined it first; start again to see its type.
				return fmt.Errorf("define attribute %q: %w", d.Name, kith.ErrRetry)
			}
			return err
		}
		s.defs[d.Name] = *d
	}
	return nil
}

// applyValues sets the part's attributes and agreements on p in memory and
// returns the system events describing what changed.
func (s *Session) applyValues(w *Write, p *kith.Profile, part *profilePart) []change {
	var changes []change
	var diffs []map[string]any
	for _, a := range part.attrs {
		old, had := p.Attributes[a.name]
		if had && sameValue(old, a.value) {
			continue
		}
		p.Attributes[a.name] = a.value
		diffs = append(diffs, map[string]any{"name": a.name, "old": old, "new": a.value})
	}
	if len(diffs) > 0 {
		changes = append(changes, change{kith.ActionProfileUpdated, map[string]any{"changes": diffs}})
	}
	for _, a := range part.agreements {
		granted := a.value.(bool)
		cur, decided := p.Agreements[a.name]
		if decided && (cur.Granted == granted || w.Time.Before(cur.ChangedAt)) {
			continue // no change, or an older decision than the one stored
		}
		p.Agreements[a.name] = kith.Agreement{Granted: granted, ChangedAt: w.Time, Source: w.Source}
		params := map[string]any{"channel": a.name, "granted": granted, "source": w.Source}
		if w.Context.IP != "" {
			params["ip"] = w.Context.IP
		}
		if w.Context.UserAgent != "" {
			params["userAgent"] = w.Context.UserAgent
		}
		changes = append(changes, change{kith.ActionAgreementChanged, params})
	}
	return changes
}

// emit queues the system events of changes on a profile.
func (s *Session) emit(clientID int64, changes []change) {
	for _, c := range changes {
		s.systemEvent(clientID, c.action, c.params)
	}
}

// applyTags adds tags to p (creating them in the catalogue) and records
// the ones it did not have.
func (s *Session) applyTags(ctx context.Context, p *kith.Profile, tags []string) error {
	if len(tags) == 0 {
		return nil
	}
	if err := s.tx.EnsureTags(ctx, s.ws.ID, tags, s.now); err != nil {
		return err
	}
	added, err := s.tx.AddProfileTags(ctx, s.ws.ID, p.ClientID, tags)
	if err != nil {
		return err
	}
	for _, t := range added {
		s.systemEvent(p.ClientID, kith.ActionTagAdded, map[string]any{"tag": t})
	}
	return nil
}

// NormalizeTag trims a tag name and checks it: 1–64 characters, no
// control characters.
func NormalizeTag(t string) (string, *kith.Error) {
	t = strings.TrimSpace(t)
	n := utf8.RuneCountInString(t)
	if !utf8.ValidString(t) || n == 0 || n > MaxTagRunes || strings.IndexFunc(t, unicode.IsControl) >= 0 {
		return "", kith.Errorf(kith.ECodeInvalidTag, "tag names are 1–%d printable characters; got %q", MaxTagRunes, t)
	}
	return t, nil
}

// joinErrors returns one error carrying all of errs.
func joinErrors(errs []*kith.Error) *kith.Error {
	if len(errs) == 1 {
		return errs[0]
	}
	first := *errs[0]
	first.Details = errs
	return &first
}

// sameValue compares an attribute value as stored and as written; values
// read back from JSON may have other Go types (e.g. []any for a list).
func sameValue(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errors.Join(errA, errB) == nil && bytes.Equal(ja, jb)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
