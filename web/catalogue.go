package web

import (
	"net/http"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/identity"
	"github.com/kithcdp/kith/schema"
)

type attributesData struct {
	Default, Custom []kith.AttributeDef
	Types           []string
	Error           string
	Input           kith.AttributeDef
}

// attributes shows the attribute catalogue: default and custom.
func (h *Handler) attributes(w http.ResponseWriter, r *http.Request) {
	h.renderAttributes(w, r, http.StatusOK, attributesData{})
}

func (h *Handler) renderAttributes(w http.ResponseWriter, r *http.Request, status int, d attributesData) {
	ctx := r.Context()
	err := h.Store.View(ctx, func(tx kith.ReadTx) error {
		var err error
		d.Custom, err = tx.ListAttributeDefs(ctx, current(r).ws.ID)
		return err
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Default = schema.Defaults()
	d.Types = []string{kith.TypeString, kith.TypeNumber, kith.TypeBoolean, kith.TypeDate, kith.TypeDatetime, kith.TypeList}
	h.render(w, r, htmxStatus(r, status), "attributes", page{Title: "Attributes", Nav: "attributes", Data: d})
}

// htmxStatus turns a refusal into 200 for htmx, which swaps only
// successful answers.
func htmxStatus(r *http.Request, status int) int {
	if status >= 400 && r.Header.Get("HX-Request") == "true" {
		return http.StatusOK
	}
	return status
}

// catalogueWrite runs fn in an identity session and answers: back to
// page on success, the page again with the refusal otherwise.
func (h *Handler) catalogueWrite(w http.ResponseWriter, r *http.Request, back string, fn func(*identity.Session) error, refused func(msg string)) {
	err := h.manage(r.Context(), current(r).ws, fn)
	if err == nil {
		http.Redirect(w, r, back, http.StatusSeeOther)
		return
	}
	if e := identity.Refusal(err); e != nil {
		refused(e.Error())
		return
	}
	h.fail(w, r, err)
}

// defineAttribute adds a custom attribute.
func (h *Handler) defineAttribute(w http.ResponseWriter, r *http.Request) {
	def := kith.AttributeDef{Name: r.PostFormValue("name"), Type: r.PostFormValue("type"), Description: r.PostFormValue("description")}
	in := def
	h.catalogueWrite(w, r, "/attributes", func(s *identity.Session) error {
		d := def
		return s.DefineAttribute(r.Context(), &d)
	}, func(msg string) {
		h.renderAttributes(w, r, http.StatusUnprocessableEntity, attributesData{Error: msg, Input: in})
	})
}

// describeAttribute changes a custom attribute's description.
func (h *Handler) describeAttribute(w http.ResponseWriter, r *http.Request) {
	h.catalogueWrite(w, r, "/attributes", func(s *identity.Session) error {
		_, err := s.DescribeAttribute(r.Context(), r.PathValue("name"), r.PostFormValue("description"))
		return err
	}, func(msg string) {
		h.renderAttributes(w, r, http.StatusUnprocessableEntity, attributesData{Error: msg})
	})
}

// deleteAttribute removes a custom attribute no profile holds.
func (h *Handler) deleteAttribute(w http.ResponseWriter, r *http.Request) {
	h.catalogueWrite(w, r, "/attributes", func(s *identity.Session) error {
		return s.DeleteAttribute(r.Context(), r.PathValue("name"))
	}, func(msg string) {
		h.renderAttributes(w, r, http.StatusUnprocessableEntity, attributesData{Error: msg})
	})
}

type tagsData struct {
	Tags  []kith.Tag
	Error string
	Input kith.Tag
}

// tags shows the tag catalogue.
func (h *Handler) tags(w http.ResponseWriter, r *http.Request) {
	h.renderTags(w, r, http.StatusOK, tagsData{})
}

func (h *Handler) renderTags(w http.ResponseWriter, r *http.Request, status int, d tagsData) {
	ctx := r.Context()
	err := h.Store.View(ctx, func(tx kith.ReadTx) error {
		var err error
		d.Tags, err = tx.ListTags(ctx, current(r).ws.ID)
		return err
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Input.Color == "" {
		d.Input.Color = identity.DefaultTagColor
	}
	h.render(w, r, htmxStatus(r, status), "tags", page{Title: "Tags", Nav: "tags", Data: d})
}

// createTag adds a tag to the catalogue.
func (h *Handler) createTag(w http.ResponseWriter, r *http.Request) {
	tag := kith.Tag{Name: r.PostFormValue("name"), Color: r.PostFormValue("color"), Description: r.PostFormValue("description")}
	h.catalogueWrite(w, r, "/tags", func(s *identity.Session) error {
		t := tag
		return s.CreateTag(r.Context(), &t)
	}, func(msg string) {
		h.renderTags(w, r, http.StatusUnprocessableEntity, tagsData{Error: msg, Input: tag})
	})
}

// updateTag changes a tag's colour and description.
func (h *Handler) updateTag(w http.ResponseWriter, r *http.Request) {
	color, desc := r.PostFormValue("color"), r.PostFormValue("description")
	h.catalogueWrite(w, r, "/tags", func(s *identity.Session) error {
		_, err := s.UpdateTag(r.Context(), r.PathValue("name"), &color, &desc)
		return err
	}, func(msg string) {
		h.renderTags(w, r, http.StatusUnprocessableEntity, tagsData{Error: msg})
	})
}

// deleteTag removes a tag from the catalogue and from every profile
// (each records profile.tagRemoved).
func (h *Handler) deleteTag(w http.ResponseWriter, r *http.Request) {
	h.catalogueWrite(w, r, "/tags", func(s *identity.Session) error {
		return s.DeleteTag(r.Context(), r.PathValue("name"), true)
	}, func(msg string) {
		h.renderTags(w, r, http.StatusUnprocessableEntity, tagsData{Error: msg})
	})
}
