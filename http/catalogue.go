package http

import (
	"net/http"
	"time"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/identity"
	"github.com/kithcdp/kith/schema"
)

// AttributeView is an attribute catalogue entry as answered. Default
// attributes are built in and have no createdAt.
type AttributeView struct {
	Name        string     `json:"name"`
	Type        string     `json:"type"`
	Description string     `json:"description"`
	Default     bool       `json:"default"`
	CreatedAt   *time.Time `json:"createdAt,omitempty"`
}

func attributeView(d *kith.AttributeDef) *AttributeView {
	v := &AttributeView{Name: d.Name, Type: d.Type, Description: d.Description, Default: d.Default}
	if !d.Default && !d.CreatedAt.IsZero() {
		t := d.CreatedAt
		v.CreatedAt = &t
	}
	return v
}

// listAttributes is GET /api/v1/attributes: the default attributes in
// display order, then the custom ones by name.
func (s *Server) listAttributes(w http.ResponseWriter, r *http.Request) {
	ws := caller(r).workspace
	var custom []kith.AttributeDef
	err := s.Store.View(r.Context(), func(tx kith.ReadTx) error {
		var err error
		custom, err = tx.ListAttributeDefs(r.Context(), ws.ID)
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := []*AttributeView{}
	for _, d := range append(schema.Defaults(), custom...) {
		out = append(out, attributeView(&d))
	}
	writeJSON(w, http.StatusOK, map[string]any{"attributes": out})
}

// createAttribute is POST /api/v1/attributes {"name","type","description"}.
func (s *Server) createAttribute(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name        string `json:"name"`
		Type        string `json:"type"`
		Description string `json:"description"`
	}
	if err := s.decodeBody(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	var def kith.AttributeDef
	err := s.manage(r.Context(), caller(r).workspace, func(sess *identity.Session) error {
		def = kith.AttributeDef{Name: in.Name, Type: in.Type, Description: in.Description}
		return sess.DefineAttribute(r.Context(), &def)
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, attributeView(&def))
}

// getAttribute is GET /api/v1/attributes/{name}.
func (s *Server) getAttribute(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if schema.IsDefault(name) {
		for _, d := range schema.Defaults() {
			if d.Name == name {
				writeJSON(w, http.StatusOK, attributeView(&d))
				return
			}
		}
	}
	var def *kith.AttributeDef
	err := s.Store.View(r.Context(), func(tx kith.ReadTx) error {
		var err error
		def, err = tx.FindAttributeDef(r.Context(), caller(r).workspace.ID, name)
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, attributeView(def))
}

// patchAttribute is PATCH /api/v1/attributes/{name}: the description
// only. A name or type that differs from the attribute's is refused with
// immutable_field: names and types never change.
func (s *Server) patchAttribute(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name        *string `json:"name"`
		Type        *string `json:"type"`
		Description *string `json:"description"`
	}
	if err := s.decodeBody(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	name := r.PathValue("name")
	var def *kith.AttributeDef
	err := s.manage(r.Context(), caller(r).workspace, func(sess *identity.Session) error {
		var err error
		if def, err = sess.Attribute(r.Context(), name); err != nil {
			return err
		}
		switch {
		case in.Name != nil && *in.Name != def.Name:
			return kith.FieldErrorf("name", kith.ECodeImmutable,
				"an attribute's name never changes; define a new attribute %q instead", *in.Name)
		case in.Type != nil && *in.Type != def.Type:
			return kith.FieldErrorf("type", kith.ECodeImmutable,
				"attribute %q is of type %s, and types never change", def.Name, def.Type)
		case in.Description == nil:
			return nil
		}
		def, err = sess.DescribeAttribute(r.Context(), name, *in.Description)
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, attributeView(def))
}

// deleteAttribute is DELETE /api/v1/attributes/{name}: only a custom
// attribute no profile holds a value of (attribute_not_deletable).
func (s *Server) deleteAttribute(w http.ResponseWriter, r *http.Request) {
	err := s.manage(r.Context(), caller(r).workspace, func(sess *identity.Session) error {
		return sess.DeleteAttribute(r.Context(), r.PathValue("name"))
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// listTags is GET /api/v1/tags: the tag catalogue by name.
func (s *Server) listTags(w http.ResponseWriter, r *http.Request) {
	var tags []kith.Tag
	err := s.Store.View(r.Context(), func(tx kith.ReadTx) error {
		var err error
		tags, err = tx.ListTags(r.Context(), caller(r).workspace.ID)
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"tags": nonNil(tags)})
}

// createTag is POST /api/v1/tags {"name","color","description"}.
func (s *Server) createTag(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name        string `json:"name"`
		Color       string `json:"color"`
		Description string `json:"description"`
	}
	if err := s.decodeBody(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	var tag kith.Tag
	err := s.manage(r.Context(), caller(r).workspace, func(sess *identity.Session) error {
		tag = kith.Tag{Name: in.Name, Color: in.Color, Description: in.Description}
		return sess.CreateTag(r.Context(), &tag)
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, tag)
}

// patchTag is PATCH /api/v1/tags/{name} {"color","description"}; a
// different name is refused with immutable_field.
func (s *Server) patchTag(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name        *string `json:"name"`
		Color       *string `json:"color"`
		Description *string `json:"description"`
	}
	if err := s.decodeBody(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	name := r.PathValue("name")
	if in.Name != nil && *in.Name != name {
		s.writeError(w, r, kith.FieldErrorf("name", kith.ECodeImmutable,
			"a tag's name never changes; create tag %q and move profiles to it instead", *in.Name))
		return
	}
	var tag *kith.Tag
	err := s.manage(r.Context(), caller(r).workspace, func(sess *identity.Session) error {
		var err error
		tag, err = sess.UpdateTag(r.Context(), name, in.Color, in.Description)
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, tag)
}

// deleteTag is DELETE /api/v1/tags/{name}[?force=true]: conflict while
// profiles have the tag, unless force removes it from them (each gets a
// profile.tagRemoved event).
func (s *Server) deleteTag(w http.ResponseWriter, r *http.Request) {
	force, err := boolParam(r, "force")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	err = s.manage(r.Context(), caller(r).workspace, func(sess *identity.Session) error {
		return sess.DeleteTag(r.Context(), r.PathValue("name"), force != nil && *force)
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
