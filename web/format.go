package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kithcdp/kith"
)

var funcs = template.FuncMap{
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2 Jan 2006, 15:04 UTC")
	},
	"initial": func(s string) string {
		for _, r := range s {
			return strings.ToUpper(string(r))
		}
		return "#"
	},
	// path escapes a name for one segment of a URL path: a tag named
	// "vip/2026 spring" is /tags/vip%2F2026%20spring.
	"path":  url.PathEscape,
	"bytes": byteSize,
	"delimiters": func() []targetOption {
		return []targetOption{{",", "commas"}, {";", "semicolons"}, {"tab", "tabs"}, {"|", "bars ( | )"}}
	},
	"field": func(name, label, auto string, errs map[string]string) formField {
		return formField{Name: name, Label: label, Auto: auto, Error: errs[name]}
	},
}

// formField is a labelled input of a form, with its refusal.
type formField struct {
	Name, Label, Auto, Error string
}

// ago says how long before now t was, roughly.
func ago(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d.Minutes()))
	case d < 24*time.Hour:
		return fmt.Sprintf("%d h ago", int(d.Hours()))
	case d < 60*24*time.Hour:
		return fmt.Sprintf("%d days ago", int(d.Hours()/24))
	}
	return t.UTC().Format("2 Jan 2006")
}

// show renders an attribute value as text.
func show(v any) string {
	switch x := v.(type) {
	case nil:
		return "(none)"
	case string:
		return x
	case []any:
		parts := make([]string, len(x))
		for i, p := range x {
			parts[i] = show(p)
		}
		return strings.Join(parts, "; ")
	case []string:
		return strings.Join(x, "; ")
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// describe renders an event readably: system events as sentences, others
// by their label and parameters.
func describe(e *kith.Event) string {
	var p map[string]any
	_ = json.Unmarshal(e.Params, &p)
	str := func(k string) string { return show(p[k]) }
	switch e.Action {
	case kith.ActionClientAdd:
		return "Profile created (source " + str("source") + ")"
	case kith.ActionClientIdentify:
		for k, v := range p {
			return "Recognized by " + k + " " + show(v)
		}
		return "Recognized"
	case kith.ActionClientMerge:
		ids, _ := p["fromClientIds"].([]any)
		var parts []string
		for _, id := range ids {
			parts = append(parts, "#"+show(id))
		}
		return "Merged from " + strings.Join(parts, ", ") + " (" + str("reason") + ")"
	case kith.ActionProfileUpdated:
		changes, _ := p["changes"].([]any)
		var parts []string
		for _, c := range changes {
			m, _ := c.(map[string]any)
			if m["old"] == nil {
				parts = append(parts, fmt.Sprintf("%s set to %s", show(m["name"]), show(m["new"])))
			} else {
				parts = append(parts, fmt.Sprintf("%s changed from %s to %s", show(m["name"]), show(m["old"]), show(m["new"])))
			}
		}
		return strings.Join(parts, "; ")
	case kith.ActionTagAdded:
		return "Tag " + str("tag") + " added"
	case kith.ActionTagRemoved:
		return "Tag " + str("tag") + " removed"
	case kith.ActionAgreementChanged:
		state := "withdrawn"
		if p["granted"] == true {
			state = "granted"
		}
		return fmt.Sprintf("%s consent %s (source %s)", str("channel"), state, str("source"))
	case kith.ActionIdentifierChanged:
		if p["old"] == nil {
			return fmt.Sprintf("%s set to %s", str("type"), str("new"))
		}
		if p["new"] == nil {
			return fmt.Sprintf("%s %s removed", str("type"), str("old"))
		}
		return fmt.Sprintf("%s changed from %s to %s", str("type"), str("old"), str("new"))
	case kith.ActionNoteAdded:
		return "Note added"
	}
	var parts []string
	if e.Label != "" {
		parts = append(parts, e.Label)
	}
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if len(parts) >= 4 {
			parts = append(parts, "…")
			break
		}
		parts = append(parts, k+": "+show(p[k]))
	}
	if u := e.Context.URL; u != "" && len(parts) == 0 {
		parts = append(parts, u)
	}
	return strings.Join(parts, " · ")
}
