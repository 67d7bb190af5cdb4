package web

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/identity"
	"github.com/kithcdp/kith/ingest"
	"github.com/kithcdp/kith/schema"
)

// manage runs fn with an identity session in one write transaction and
// stores the system events it records, as the API does.
func (h *Handler) manage(ctx context.Context, ws *kith.Workspace, fn func(*identity.Session) error) error {
	return h.Store.Update(ctx, func(tx kith.Tx) error {
		sess := identity.NewSession(tx, ws, h.now())
		if err := fn(sess); err != nil {
			return err
		}
		return sess.Flush(ctx)
	})
}

// apply writes w to the path's profile with source ui.
func (h *Handler) apply(r *http.Request, id int64, w identity.Write) error {
	w.Client = kith.Identifiers{ClientID: id}
	w.Strict, w.Source = true, kith.SourceUI
	w.Context = kith.EventContext{IP: remoteIP(r), UserAgent: r.UserAgent()}
	return h.manage(r.Context(), current(r).ws, func(sess *identity.Session) error {
		write := w // Apply fills in defaults; each run starts afresh.
		_, err := sess.Apply(r.Context(), &write)
		return err
	})
}

func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// done answers a successful write: back to the card.
func (h *Handler) done(w http.ResponseWriter, r *http.Request, id int64, anchor string) {
	http.Redirect(w, r, "/profiles/"+strconv.FormatInt(id, 10)+anchor, http.StatusSeeOther)
}

// refused answers a write refused with err: the card again, with the
// error shown at the form key. Internal errors fail the request.
func (h *Handler) refused(w http.ResponseWriter, r *http.Request, key string, err error, input map[string]string) {
	e := identity.Refusal(err)
	if e == nil || e.Code == kith.ECodeNotFound {
		h.fail(w, r, err)
		return
	}
	h.renderCard(w, r, http.StatusUnprocessableEntity, map[string]string{key: e.Message}, input)
}

// edit is the outcome of a form of the profile card: Err refuses it (shown
// at the form key Key, with Input shown again); otherwise the card opens
// again at Anchor.
type edit struct {
	Err    error
	Key    string
	Input  map[string]string
	Anchor string
}

// cardForm makes a handler of a form of the profile card from fn, which
// changes the path's profile.
func (h *Handler) cardForm(fn func(r *http.Request, id int64) edit) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if e := fn(r, id); e.Err != nil {
			h.refused(w, r, e.Key, e.Err, e.Input)
		} else {
			h.done(w, r, id, e.Anchor)
		}
	}
}

// setAttribute sets one attribute from its text field, parsed by the
// attribute's type (inferred for a new custom attribute).
func (h *Handler) setAttribute(r *http.Request, id int64) edit {
	name := strings.TrimSpace(r.PostFormValue("name"))
	text := r.PostFormValue("value")
	key := "attr:" + name
	if r.PostFormValue("new") == "1" {
		key = "attr:new"
	}
	refused := func(err error) edit {
		return edit{Err: err, Key: key, Input: map[string]string{key: text, "attr:newname": name}}
	}
	if name == "" {
		return refused(kith.FieldErrorf("name", kith.ECodeRequired, "give the attribute a name"))
	}
	if strings.TrimSpace(text) == "" {
		return refused(kith.FieldErrorf(name, kith.ECodeAttrNull, "attributes cannot be removed, only changed: enter a value"))
	}
	typ, err := h.attributeType(r.Context(), current(r).ws.ID, name, text)
	if err != nil {
		return refused(err) // not a refusal: the request fails
	}
	v, e := schema.ParseCell(typ, text)
	if e != nil {
		return refused(kith.FieldErrorf(name, e.Code, "%s is a %s: %s", name, typ, e.Message))
	}
	if err := h.apply(r, id, identity.Write{Attributes: map[string]any{name: v}}); err != nil {
		return refused(err)
	}
	return edit{}
}

// attributeType is the type of attribute name: the catalogue's, or the
// one its first value implies.
func (h *Handler) attributeType(ctx context.Context, ws int64, name, text string) (string, error) {
	for _, d := range schema.Defaults() {
		if d.Name == name {
			return d.Type, nil
		}
	}
	var typ string
	err := h.Store.View(ctx, func(tx kith.ReadTx) error {
		def, err := tx.FindAttributeDef(ctx, ws, name)
		if err == nil {
			typ = def.Type
		}
		if kith.ErrorCode(err) == kith.ECodeNotFound {
			typ, err = schema.InferCellType(text), nil
		}
		return err
	})
	return typ, err
}

// setAgreement grants or withdraws one channel's consent (audited in the
// timeline with source ui).
func (h *Handler) setAgreement(r *http.Request, id int64) edit {
	ch := r.PostFormValue("channel")
	if !kith.IsChannel(ch) {
		return edit{Err: kith.Errorf(kith.ECodeInvalidAgreement, "no channel %q", ch), Key: "agreements"}
	}
	granted := r.PostFormValue("granted") == "true"
	return edit{Err: h.apply(r, id, identity.Write{Agreements: map[string]bool{ch: granted}}), Key: "agreements"}
}

// addTag adds a tag (created in the catalogue on first use).
func (h *Handler) addTag(r *http.Request, id int64) edit {
	tag := r.PostFormValue("tag")
	if strings.TrimSpace(tag) == "" {
		return edit{Err: kith.FieldErrorf("tag", kith.ECodeRequired, "type a tag name"), Key: "tag"}
	}
	return edit{Err: h.apply(r, id, identity.Write{Tags: []string{tag}}), Key: "tag", Input: map[string]string{"tag": tag}}
}

// removeTag removes a tag from the profile.
func (h *Handler) removeTag(r *http.Request, id int64) edit {
	err := h.manage(r.Context(), current(r).ws, func(sess *identity.Session) error {
		return sess.RemoveTag(r.Context(), id, r.PostFormValue("tag"))
	})
	return edit{Err: err, Key: "tag"}
}

// addNote adds a note by the signed-in user.
func (h *Handler) addNote(r *http.Request, id int64) edit {
	text := r.PostFormValue("text")
	s := current(r)
	err := h.manage(r.Context(), s.ws, func(sess *identity.Session) error {
		_, err := sess.AddNote(r.Context(), id, text, s.user.Email)
		return err
	})
	return edit{Err: err, Key: "note", Input: map[string]string{"note": text}, Anchor: "#notes"}
}

func noteID(r *http.Request) int64 {
	n, _ := strconv.ParseInt(r.PathValue("note"), 10, 64)
	return n
}

// editNote changes the text of one of the user's notes.
func (h *Handler) editNote(r *http.Request, id int64) edit {
	s := current(r)
	err := h.manage(r.Context(), s.ws, func(sess *identity.Session) error {
		_, err := sess.EditNote(r.Context(), id, noteID(r), r.PostFormValue("text"), s.user.Email)
		return err
	})
	return edit{Err: err, Key: "note", Anchor: "#notes"}
}

// deleteNote deletes one of the user's notes.
func (h *Handler) deleteNote(r *http.Request, id int64) edit {
	s := current(r)
	err := h.manage(r.Context(), s.ws, func(sess *identity.Session) error {
		return sess.DeleteNote(r.Context(), id, noteID(r), s.user.Email)
	})
	return edit{Err: err, Key: "note", Anchor: "#notes"}
}

// addEvent adds a manual event, validated as the API validates them.
func (h *Handler) addEvent(r *http.Request, id int64) edit {
	in := map[string]string{"action": strings.TrimSpace(r.PostFormValue("action")), "label": r.PostFormValue("label")}
	raw, _ := json.Marshal(in)
	req := &ingest.Request{Workspace: current(r).ws, Source: kith.SourceUI}
	_, _, err := h.Ingest.ManualEvent(r.Context(), req, id, raw)
	return edit{Err: err, Key: "event", Input: map[string]string{"event.action": in["action"], "event.label": in["label"]}, Anchor: "#timeline"}
}
