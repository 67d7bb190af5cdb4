package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/importer"
	"github.com/kithcdp/kith/schema"
)

// Check states.
const (
	Pass = "pass"
	Warn = "warn"
	Fail = "fail"
)

// CheckItem is one line of the integration checklist (SPEC §9).
type CheckItem struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Status string `json:"status"`
	Detail string `json:"detail"`
	// Todo says what to do next; empty when the item passes.
	Todo string `json:"todo,omitempty"`
}

// Checklist computes the integration checklist of a workspace from live
// data. imports is the import history; nil makes that item "unknown".
func Checklist(ctx context.Context, st kith.Store, imports importer.Repository, ws *kith.Workspace, now time.Time) ([]CheckItem, error) {
	week, month := now.Add(-7*24*time.Hour), now.Add(-30*24*time.Hour)
	var visits, submits, consents int64
	var stats kith.ProfileStats
	var defs []kith.AttributeDef
	err := st.View(ctx, func(tx kith.ReadTx) error {
		var err error
		if visits, err = tx.CountEvents(ctx, ws.ID, week, kith.ActionPageVisit); err != nil {
			return err
		}
		if submits, err = tx.CountEvents(ctx, ws.ID, week, kith.ActionFormSubmit); err != nil {
			return err
		}
		if consents, err = tx.CountEvents(ctx, ws.ID, month, kith.ActionAgreementChanged); err != nil {
			return err
		}
		if stats, err = tx.CountProfiles(ctx, ws.ID); err != nil {
			return err
		}
		defs, err = tx.ListAttributeDefs(ctx, ws.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	items := []CheckItem{
		countCheck("tracker", "Tracker installed", visits, "page visits in the last 7 days", Fail,
			"Paste the tracker snippet (Settings) into every page of the site, before </body>."),
		countCheck("forms", "Forms tagged", submits, "form submits in the last 7 days", Warn,
			"Add data-kith-form to the site's newsletter, login and contact forms."),
		recognition(stats),
		countCheck("consents", "Consents collected", consents, "consent changes in the last 30 days", Warn,
			"Map consent checkboxes to agreements (data-kith-agreement=\"email\") or send them with the API."),
		importCheck(ctx, imports, ws.ID),
		nearDuplicates(defs),
	}
	return items, nil
}

// importCheck looks at the last imports.
func importCheck(ctx context.Context, repo importer.Repository, ws int64) CheckItem {
	c := CheckItem{ID: "imports", Title: "Imports without errors"}
	if repo == nil {
		c.Status, c.Detail, c.Todo = Warn, "Unknown: the import history is not available here.", "Check the last imports with GET /api/v1/imports and download their errors."
		return c
	}
	imps, err := repo.ListImports(ctx, ws, 10)
	if err != nil {
		c.Status, c.Detail, c.Todo = Warn, "Unknown: the import history could not be read.", "Try again; see the server log."
		return c
	}
	if len(imps) == 0 {
		c.Status, c.Detail = Pass, "No imports yet: nothing to check."
		return c
	}
	var bad, rowErrs int64
	for _, imp := range imps {
		if imp.Status == importer.StatusFailed {
			bad++
		}
		rowErrs += imp.Errors
	}
	switch {
	case bad > 0:
		c.Status, c.Detail = Fail, fmt.Sprintf("%d of the last %d imports failed.", bad, len(imps))
		c.Todo = "Open Imports, read why they failed, fix the file and import it again (it is safe to repeat)."
	case rowErrs > 0:
		c.Status, c.Detail = Warn, fmt.Sprintf("The last %d imports reported %d row errors.", len(imps), rowErrs)
		c.Todo = "Download the errors CSV on the Imports page, fix those rows and import them again."
	default:
		c.Status, c.Detail = Pass, fmt.Sprintf("The last %d imports ran without errors.", len(imps))
	}
	return c
}

func countCheck(id, title string, n int64, what, missing, todo string) CheckItem {
	if n > 0 {
		return CheckItem{ID: id, Title: title, Status: Pass, Detail: fmt.Sprintf("%d %s.", n, what)}
	}
	return CheckItem{ID: id, Title: title, Status: missing, Detail: "No " + what + ".", Todo: todo}
}

func recognition(s kith.ProfileStats) CheckItem {
	c := CheckItem{ID: "recognition", Title: "Recognition rate"}
	if s.Total == 0 {
		c.Status, c.Detail, c.Todo = Warn, "No profiles yet.", "Install the tracker and tag the forms; profiles appear with the first visits."
		return c
	}
	rate := float64(s.Recognized) * 100 / float64(s.Total)
	c.Detail = fmt.Sprintf("%.1f%% of %d profiles are recognized.", rate, s.Total)
	switch {
	case rate >= 10:
		c.Status = Pass
	case s.Recognized > 0:
		c.Status, c.Todo = Warn, "Identify customers on login and newsletter forms (kith.identify or tagged forms) to raise it."
	default:
		c.Status, c.Todo = Fail, "No profile has an identifier yet: tag a form with an email field or call kith.identify."
	}
	return c
}

func nearDuplicates(defs []kith.AttributeDef) CheckItem {
	seen := map[string]string{}
	var dups []string
	for _, d := range append(schema.Defaults(), defs...) {
		k := schema.NearKey(d.Name)
		if other, ok := seen[k]; ok {
			dups = append(dups, other+" / "+d.Name)
			continue
		}
		seen[k] = d.Name
	}
	c := CheckItem{ID: "catalogue", Title: "Attribute catalogue free of near-duplicates"}
	if len(dups) == 0 {
		c.Status, c.Detail = Pass, fmt.Sprintf("%d custom attributes, no near-duplicate names.", len(defs))
		return c
	}
	c.Status, c.Detail = Fail, "Near-duplicates: "+strings.Join(dups, ", ")+"."
	c.Todo = "Move the values to one of each pair with the API, then delete the other attribute."
	return c
}

// checklistPage shows the checklist.
func (h *Handler) checklistPage(w http.ResponseWriter, r *http.Request) {
	items, err := Checklist(r.Context(), h.Store, h.Imports, current(r).ws, h.now())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "checklist", page{Title: "Checklist", Nav: "checklist", Data: items})
}
