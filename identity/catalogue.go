package identity

import (
	"context"
	"unicode/utf8"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/schema"
)

// MaxDescriptionRunes is the longest description of an attribute or tag.
const MaxDescriptionRunes = 1000

// DefaultTagColor is the colour of a tag created without one.
const DefaultTagColor = "#6b7280"

// DefineAttribute adds a custom attribute to the catalogue explicitly. It
// returns invalid_attribute_name, reserved_attribute and
// attribute_name_taken (naming the existing attribute) for the name,
// invalid_attribute_type and invalid for the rest.
func (s *Session) DefineAttribute(ctx context.Context, def *kith.AttributeDef) error {
	if !kith.IsAttributeType(def.Type) {
		return kith.FieldErrorf("type", kith.ECodeInvalidAttrType,
			"type is string, number, boolean, date, datetime or list, not %q", def.Type)
	}
	if e := checkDescription(def.Description); e != nil {
		return e
	}
	defs, err := s.catalogue(ctx)
	if err != nil {
		return err
	}
	if have, ok := defs[def.Name]; ok {
		return kith.FieldErrorf("name", kith.ECodeAttributeNameTaken,
			"attribute %q already exists (type %s)", have.Name, have.Type)
	}
	if e := schema.CheckName(def.Name, s.defList()); e != nil {
		c := *e
		c.Field = "name"
		return &c
	}
	def.Default, def.CreatedAt = false, s.now
	if err := s.tx.CreateAttributeDef(ctx, s.ws.ID, def); err != nil {
		return err
	}
	s.defs[def.Name] = *def
	return nil
}

// Attribute returns the definition of a default or custom attribute
// (not_found).
func (s *Session) Attribute(ctx context.Context, name string) (*kith.AttributeDef, error) {
	defs, err := s.catalogue(ctx)
	if err != nil {
		return nil, err
	}
	d, ok := defs[name]
	if !ok {
		return nil, kith.Errorf(kith.ECodeNotFound, "attribute %q is not defined", name)
	}
	return &d, nil
}

// DescribeAttribute changes the description of a custom attribute, the
// one thing about it that may change. It returns not_found, immutable_field
// (a default attribute) and invalid (too long).
func (s *Session) DescribeAttribute(ctx context.Context, name, description string) (*kith.AttributeDef, error) {
	d, err := s.Attribute(ctx, name)
	if err != nil {
		return nil, err
	}
	if d.Default {
		return nil, kith.FieldErrorf("description", kith.ECodeImmutable,
			"%q is a default attribute: Kith defines it, and it cannot change", name)
	}
	if e := checkDescription(description); e != nil {
		return nil, e
	}
	d.Description = description
	if err := s.tx.UpdateAttributeDef(ctx, s.ws.ID, d); err != nil {
		return nil, err
	}
	s.defs[name] = *d
	return d, nil
}

// DeleteAttribute removes a custom attribute from the catalogue while no
// profile holds a value of it. It returns not_found and
// attribute_not_deletable (a default attribute, or one in use).
func (s *Session) DeleteAttribute(ctx context.Context, name string) error {
	d, err := s.Attribute(ctx, name)
	if err != nil {
		return err
	}
	if d.Default {
		return kith.Errorf(kith.ECodeAttrNotDeletable, "%q is a default attribute and cannot be deleted", name)
	}
	used, err := s.tx.AttributeInUse(ctx, s.ws.ID, name)
	if err != nil {
		return err
	}
	if used {
		return kith.Errorf(kith.ECodeAttrNotDeletable,
			"profiles hold values of %q; an attribute is deleted only while no profile has a value", name)
	}
	if err := s.tx.DeleteAttributeDef(ctx, s.ws.ID, name); err != nil {
		return err
	}
	delete(s.defs, name)
	return nil
}

func checkDescription(d string) *kith.Error {
	if !utf8.ValidString(d) || utf8.RuneCountInString(d) > MaxDescriptionRunes {
		return kith.FieldErrorf("description", kith.ECodeInvalid,
			"description is valid UTF-8 of at most %d characters", MaxDescriptionRunes)
	}
	return nil
}
