package importer_test

import (
	"strings"
	"testing"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/importer"
)

// TestRowErrors checks every row error code with its line and column, and
// that a bad row is skipped whole while the others are imported.
func TestRowErrors(t *testing.T) {
	eachStore(t, func(t *testing.T, st kith.Store) {
		ws := workspace(t, st, kith.ModeEmail)
		header := "email,customId,uuid,clientId,birthDate,phone,countryCode,sex,avatarUrl,points,ClubMember,tags,agreements.email\n"
		rows := []struct {
			cells string
			err   importer.RowError // zero: the row is fine
		}{
			{cells: "ada@example.com,LOY-1,,,1990-05-01,+48 600 700 800,pl,female,https://example.com/a.png,42,true,vip;new,yes"},
			{cells: "z@example.com,LOY-9,,,,,,,,,,,"},
			{cells: "not-an-email,,,,,,,,,,,,", err: rowErr(0, "email", kith.ECodeInvalidEmail)},
			{cells: "b@example.com,,,,1990-02-30,,,,,,,,", err: rowErr(0, "birthDate", kith.ECodeInvalidBirthDate)},
			{cells: "c@example.com,,,,2030-01-01,,,,,,,,", err: rowErr(0, "birthDate", kith.ECodeInvalidBirthDate)},
			{cells: "d@example.com,,,,,600,,,,,,,", err: rowErr(0, "phone", kith.ECodeInvalidPhone)},
			{cells: "e@example.com,,,,,,XX,,,,,,", err: rowErr(0, "countryCode", kith.ECodeInvalidCountryCode)},
			{cells: "f@example.com,,,,,,,robot,,,,,", err: rowErr(0, "sex", kith.ECodeInvalidSex)},
			{cells: "g@example.com,,,,,,,,ftp://x,,,,", err: rowErr(0, "avatarUrl", kith.ECodeInvalidAttribute)},
			{cells: "h@example.com,,,,,,,,,12abc,,,", err: rowErr(0, "points", kith.ECodeAttrTypeMismatch)},
			{cells: "i@example.com,,,,,,,,,,maybe,,", err: rowErr(0, "ClubMember", kith.ECodeAttrTypeMismatch)},
			{cells: "j@example.com,,,,,,,,,,,,perhaps", err: rowErr(0, "agreements.email", kith.ECodeInvalidAgreement)},
			{cells: "k@example.com,,,,,,,,,,," + strings.Repeat("x", 65) + ",", err: rowErr(0, "tags", kith.ECodeInvalidTag)},
			{cells: "null,,,,,,,,,,,,", err: rowErr(0, "email", kith.ECodeBlockedIdentifier)},
			{cells: "l@example.com,undefined,,,,,,,,,,,", err: rowErr(0, "customId", kith.ECodeBlockedIdentifier)},
			{cells: "m@example.com,,not-a-uuid,,,,,,,,,,", err: rowErr(0, "uuid", kith.ECodeInvalidUUID)},
			{cells: "n@example.com,,00000000-0000-0000-0000-000000000000,,,,,,,,,,", err: rowErr(0, "uuid", kith.ECodeBlockedIdentifier)},
			{cells: "o@example.com,,,abc,,,,,,,,,", err: rowErr(0, "clientId", kith.ECodeInvalidClientID)},
			{cells: "p@example.com,,,999999,,,,,,,,,", err: rowErr(0, "clientId", kith.ECodeNotFound)},
			{cells: "q@example.com,\"bad\x01id\",,,,,,,,,,,", err: rowErr(0, "customId", kith.ECodeInvalidIdentifier)},
			{cells: ",,,,1990-05-01,,,,,,,,", err: rowErr(0, "", kith.ECodeRequired)},
			{cells: "ada@example.com,LOY-2,,,,,,,,,,,", err: rowErr(0, "customId", kith.ECodeIdentifierMismatch)},
			{cells: "r@example.com,LOY-1,,,,,,,,,,,", err: rowErr(0, "email", kith.ECodeIdentifierMismatch)},
			{cells: "ada@example.com,LOY-9,,,,,,,,,,,", err: rowErr(0, "customId", kith.ECodeIdentityConflict)},
			{cells: "s@example.com,,,,,,,,,7,false,,no"},
		}
		var b strings.Builder
		b.WriteString(header)
		var want []importer.RowError
		failed := int64(0)
		for i, r := range rows {
			b.WriteString(r.cells + "\n")
			if r.err.Code != "" {
				r.err.Line = int64(i + 2)
				want = append(want, r.err)
				failed++
			}
		}
		res := mustRun(t, st, ws, "errors.csv", b.String(), importer.Options{})
		wantCounts(t, res.counts, int64(len(rows)), int64(len(rows))-failed, 0, 0, failed)
		wantErrors(t, res.errs, want...)
		if res.counts.Errors != int64(len(res.errs)) {
			t.Errorf("counts.Errors = %d, want %d", res.counts.Errors, len(res.errs))
		}
		ada := mustProfile(t, st, ws, kith.KindEmail, "ada@example.com")
		if ada.Attributes["phone"] != "+48600700800" || ada.Attributes["countryCode"] != "PL" ||
			ada.Attributes["sex"] != "FEMALE" || ada.Attributes["points"] != 42.0 || ada.Attributes["ClubMember"] != true ||
			!ada.Agreements["email"].Granted || ada.CustomID != "LOY-1" || len(ada.Tags) != 2 {
			t.Errorf("ada = %+v %+v %v", ada.Attributes, ada.Agreements, ada.Tags)
		}
		for _, r := range rows[1 : len(rows)-1] {
			email := strings.Split(r.cells, ",")[0]
			if email == "ada@example.com" || email == "z@example.com" || email == "" || email == "null" || email == "not-an-email" {
				continue
			}
			if p := profile(t, st, ws, kith.KindEmail, email); p != nil {
				t.Errorf("refused row %q created profile %d", r.cells, p.ClientID)
			}
		}
		s := mustProfile(t, st, ws, kith.KindEmail, "s@example.com")
		if s.Attributes["points"] != 7.0 || s.Attributes["ClubMember"] != false {
			t.Errorf("s = %+v", s.Attributes)
		}
		if a, ok := s.Agreements["email"]; !ok || a.Granted {
			t.Errorf("s agreements = %+v", s.Agreements)
		}
	})
}

// TestSeveralErrorsInARow checks that every problem of a row is reported.
func TestSeveralErrorsInARow(t *testing.T) {
	st := openSQLite(t)
	ws := workspace(t, st, kith.ModeEmail)
	res := mustRun(t, st, ws, "a.csv", "email,customId,points,agreements.sms\nbad,null,1,x\n", importer.Options{})
	wantCounts(t, res.counts, 1, 0, 0, 0, 1)
	wantErrors(t, res.errs,
		rowErr(2, "agreements.sms", kith.ECodeInvalidAgreement),
		rowErr(2, "email", kith.ECodeInvalidEmail),
		rowErr(2, "customId", kith.ECodeBlockedIdentifier))
}

// TestCustomIDMode checks that in customId mode an email is a contact
// field: it does not identify a row.
func TestCustomIDMode(t *testing.T) {
	st := openSQLite(t)
	ws := workspace(t, st, kith.ModeCustomID)
	res := mustRun(t, st, ws, "a.csv", "customId,email\nC-1,ada@example.com\n,grace@example.com\nC-2,ada@example.com\n", importer.Options{})
	wantCounts(t, res.counts, 3, 2, 0, 0, 1)
	wantErrors(t, res.errs, rowErr(3, "", kith.ECodeRequired))
	if p := mustProfile(t, st, ws, kith.KindCustomID, "C-2"); p.Email != "ada@example.com" {
		t.Errorf("C-2 email = %q", p.Email)
	}
}
