package segment

import (
	"bytes"
	"encoding/json"
	"slices"

	"github.com/kithcdp/kith"
)

// eventParams returns the params of the event stored for a message: track
// properties as sent; page and screen properties with the name (and for a
// page url, title, referrer and path from the context when the properties
// lack them, as Kith's own page.visit has them); identify traits; alias
// ids; group id and traits.
func eventParams(typ string, m *Message, ctx *Context, warn func(*kith.Error)) json.RawMessage {
	switch typ {
	case TypeTrack:
		if _, ok := object(m.Properties, "properties", warn); ok {
			return bytes.TrimSpace(m.Properties)
		}
		return nil
	case TypePage, TypeScreen:
		props, _ := object(m.Properties, "properties", warn)
		if props == nil {
			props = map[string]any{}
		}
		fill := func(name string, v Text) {
			if _, ok := props[name]; !ok && v != "" {
				props[name] = string(v)
			}
		}
		fill("name", m.Name)
		fill("category", m.Category)
		if typ == TypePage {
			fill("url", ctx.Page.URL)
			fill("title", ctx.Page.Title)
			fill("referrer", ctx.Page.Referrer)
			fill("path", ctx.Page.Path)
		}
		return marshal(props)
	case TypeIdentify:
		if _, ok := object(m.Traits, "traits", warn); ok {
			return marshal(map[string]json.RawMessage{"traits": m.Traits})
		}
	case TypeAlias:
		return marshal(map[string]string{"previousId": string(m.PreviousID), "userId": string(m.UserID)})
	case TypeGroup:
		p := map[string]any{"groupId": string(m.GroupID)}
		if _, ok := object(m.Traits, "traits", warn); ok {
			p["traits"] = m.Traits
		}
		return marshal(p)
	}
	return nil
}

// object decodes raw as a JSON object, numbers kept exact. ok is false for
// an absent or null value, and for another JSON value (with a warning).
func object(raw json.RawMessage, field string, warn func(*kith.Error)) (map[string]any, bool) {
	if isAbsent(raw) {
		return nil, false
	}
	var obj map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil || obj == nil {
		warn(kith.FieldErrorf(field, kith.ECodeInvalidParams, "%s must be a JSON object; skipped", field))
		return nil, false
	}
	return obj, true
}

func marshal(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		return nil // cannot happen: v holds decoded JSON values only
	}
	return b
}

// jsonText returns v as JSON text, for messages.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "?"
	}
	return string(b)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
