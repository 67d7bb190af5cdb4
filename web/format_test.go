package web

import (
	"encoding/json"
	"testing"

	"github.com/kithcdp/kith"
)

func TestDescribe(t *testing.T) {
	for _, tc := range []struct {
		action, params, label, want string
	}{
		{kith.ActionProfileUpdated, `{"changes":[{"name":"birthDate","old":"1990-01-01","new":"1990-01-02"}]}`, "", "birthDate changed from 1990-01-01 to 1990-01-02"},
		{kith.ActionProfileUpdated, `{"changes":[{"name":"city","old":null,"new":"Paris"}]}`, "", "city set to Paris"},
		{kith.ActionTagAdded, `{"tag":"newsletter"}`, "", "Tag newsletter added"},
		{kith.ActionTagRemoved, `{"tag":"vip"}`, "", "Tag vip removed"},
		{kith.ActionClientMerge, `{"fromClientIds":[12,13],"reason":"identify"}`, "", "Merged from #12, #13 (identify)"},
		{kith.ActionAgreementChanged, `{"channel":"email","granted":true,"source":"ui"}`, "", "email consent granted (source ui)"},
		{kith.ActionAgreementChanged, `{"channel":"sms","granted":false,"source":"form"}`, "", "sms consent withdrawn (source form)"},
		{kith.ActionIdentifierChanged, `{"type":"email","old":"a@x.test","new":"b@x.test"}`, "", "email changed from a@x.test to b@x.test"},
		{kith.ActionClientIdentify, `{"email":"a@x.test"}`, "", "Recognized by email a@x.test"},
		{"transaction.charge", `{"total":12.5,"currency":"EUR"}`, "Order 7", "Order 7 · currency: EUR · total: 12.5"},
	} {
		got := describe(&kith.Event{Action: tc.action, Label: tc.label, Params: json.RawMessage(tc.params)})
		if got != tc.want {
			t.Errorf("%s %s: got %q, want %q", tc.action, tc.params, got, tc.want)
		}
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/profiles?q=a": "/profiles?q=a", "": "/", "//evil.test/": "/", "https://evil.test/": "/", `/\evil.test`: "/",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHashPassword(t *testing.T) {
	if _, err := HashPassword("short"); kith.ErrorCode(err) != kith.ECodeInvalid {
		t.Fatalf("a short password: %v", err)
	}
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !checkPassword(h, "correct horse battery") || checkPassword(h, "correct horse batterY") {
		t.Fatal("the hash does not check the password")
	}
}
