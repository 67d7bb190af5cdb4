package identity

import (
	"context"
	"strings"

	"github.com/kithcdp/kith"
)

// CreateTag adds a tag to the catalogue: name (NormalizeTag), colour
// (#rrggbb, DefaultTagColor when empty) and description. It returns
// invalid_tag, invalid_color, invalid and conflict (the tag exists).
func (s *Session) CreateTag(ctx context.Context, tag *kith.Tag) error {
	name, e := NormalizeTag(tag.Name)
	if e != nil {
		return e.WithField("name")
	}
	tag.Name = name
	if tag.Color == "" {
		tag.Color = DefaultTagColor
	}
	if tag.Color, e = NormalizeColor(tag.Color); e != nil {
		return e
	}
	if e := checkDescription(tag.Description); e != nil {
		return e
	}
	tag.CreatedAt = s.now
	return s.tx.CreateTag(ctx, s.ws.ID, tag)
}

// UpdateTag changes the colour and/or the description of a tag (nil
// leaves one as it is). It returns not_found, invalid_color and invalid.
func (s *Session) UpdateTag(ctx context.Context, name string, color, description *string) (*kith.Tag, error) {
	tag, err := s.tx.FindTag(ctx, s.ws.ID, name)
	if err != nil {
		return nil, err
	}
	if color != nil {
		c, e := NormalizeColor(*color)
		if e != nil {
			return nil, e
		}
		tag.Color = c
	}
	if description != nil {
		if e := checkDescription(*description); e != nil {
			return nil, e
		}
		tag.Description = *description
	}
	return tag, s.tx.UpdateTag(ctx, s.ws.ID, tag)
}

// DeleteTag removes a tag from the catalogue. While profiles have it, it
// returns conflict unless force is set; with force it removes the tag from
// them too, recording profile.tagRemoved on each. It returns not_found.
func (s *Session) DeleteTag(ctx context.Context, name string, force bool) error {
	if _, err := s.tx.FindTag(ctx, s.ws.ID, name); err != nil {
		return err
	}
	if !force {
		used, err := s.tx.TagInUse(ctx, s.ws.ID, name)
		if err != nil {
			return err
		}
		if used {
			return kith.Errorf(kith.ECodeConflict,
				"profiles have tag %q; remove it from them first, or delete with force=true to remove it everywhere", name)
		}
	}
	ids, err := s.tx.DeleteTag(ctx, s.ws.ID, name)
	if err != nil {
		return err
	}
	for _, id := range ids {
		s.systemEvent(id, kith.ActionTagRemoved, map[string]any{"tag": name, "reason": "tagDeleted"})
	}
	return nil
}

// NormalizeColor returns a #rrggbb colour in lower case (invalid_color).
func NormalizeColor(c string) (string, *kith.Error) {
	c = strings.ToLower(strings.TrimSpace(c))
	ok := len(c) == 7 && c[0] == '#' && strings.Trim(c[1:], "0123456789abcdef") == ""
	if !ok {
		return "", kith.FieldErrorf("color", kith.ECodeInvalidColor, "color is #rrggbb (e.g. #1e90ff), not %q", c)
	}
	return c, nil
}
