package schema

import (
	"strings"
	"testing"

	"github.com/kithcdp/kith"
)

func TestNearKey(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"ClubMember", "clubmember"},
		{"club_member", "clubmember"},
		{"club-member", "clubmember"},
		{"Club_-Member", "clubmember"},
		{"club.member", "club.member"},
		{"a1_B2", "a1b2"},
		{"", ""},
	} {
		if got := NearKey(tc.in); got != tc.want {
			t.Errorf("NearKey(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCheckName(t *testing.T) {
	catalogue := []kith.AttributeDef{
		{Name: "ClubMember", Type: kith.TypeBoolean},
		{Name: "club_level", Type: kith.TypeNumber},
		{Name: "loyalty.points", Type: kith.TypeNumber},
	}
	for _, tc := range []struct {
		name     string
		code     string // "" when valid
		existing []kith.AttributeDef
		msg      string // a substring of the message
	}{
		// Valid names.
		{name: "a"},
		{name: "Z"},
		{name: "ClubMember2"},
		{name: "loyalty.tier"},
		{name: "a_b-c.d9"},
		{name: strings.Repeat("x", 64)},
		{name: "geolocation"},
		{name: "geo_lo"},
		{name: "geo_location"},
		{name: "emailOptInDate"},
		{name: "sourceCampaign"},
		{name: "club.member", existing: catalogue},

		// Reuse of an existing custom name is the caller's business.
		{name: "ClubMember", existing: catalogue},
		{name: "club_level", existing: catalogue},

		// Syntax.
		{name: "", code: kith.ECodeInvalidAttrName, msg: "empty"},
		{name: strings.Repeat("x", 65), code: kith.ECodeInvalidAttrName, msg: "65 characters"},
		{name: "1abc", code: kith.ECodeInvalidAttrName, msg: "start with a letter"},
		{name: "_abc", code: kith.ECodeInvalidAttrName, msg: "start with a letter"},
		{name: "-abc", code: kith.ECodeInvalidAttrName, msg: "start with a letter"},
		{name: ".abc", code: kith.ECodeInvalidAttrName, msg: "start with a letter"},
		{name: "club member", code: kith.ECodeInvalidAttrName, msg: "position 5"},
		{name: "club/member", code: kith.ECodeInvalidAttrName, msg: `'/'`},
		{name: "clubMember!", code: kith.ECodeInvalidAttrName},
		{name: "żółw", code: kith.ECodeInvalidAttrName},
		{name: "zółw", code: kith.ECodeInvalidAttrName, msg: "position 2"},
		{name: "attributes.x\x00", code: kith.ECodeInvalidAttrName},
		{name: "tab\t", code: kith.ECodeInvalidAttrName},

		// Reserved names, exact.
		{name: "clientId", code: kith.ECodeReservedAttribute, msg: "reserved"},
		{name: "email", code: kith.ECodeReservedAttribute},
		{name: "customId", code: kith.ECodeReservedAttribute},
		{name: "uuid", code: kith.ECodeReservedAttribute},
		{name: "uuids", code: kith.ECodeReservedAttribute},
		{name: "anonymous", code: kith.ECodeReservedAttribute},
		{name: "agreements", code: kith.ECodeReservedAttribute},
		{name: "tags", code: kith.ECodeReservedAttribute},
		{name: "createdAt", code: kith.ECodeReservedAttribute},
		{name: "updatedAt", code: kith.ECodeReservedAttribute},
		{name: "lastActivityAt", code: kith.ECodeReservedAttribute},
		{name: "previousClientIds", code: kith.ECodeReservedAttribute},
		{name: "businessProfileId", code: kith.ECodeReservedAttribute},
		{name: "time", code: kith.ECodeReservedAttribute},
		{name: "ip", code: kith.ECodeReservedAttribute},
		{name: "source", code: kith.ECodeReservedAttribute},
		{name: "newsletter_agreement", code: kith.ECodeReservedAttribute},
		{name: "custom_identify", code: kith.ECodeReservedAttribute},
		{name: "firstname", code: kith.ECodeReservedAttribute},
		{name: "lastname", code: kith.ECodeReservedAttribute},
		{name: "created", code: kith.ECodeReservedAttribute},
		{name: "updated", code: kith.ECodeReservedAttribute},
		{name: "last_activity_date", code: kith.ECodeReservedAttribute},
		{name: "birthdate", code: kith.ECodeReservedAttribute},
		{name: "displayname", code: kith.ECodeReservedAttribute},
		{name: "receive_smses", code: kith.ECodeReservedAttribute},
		{name: "receive_push_messages", code: kith.ECodeReservedAttribute},
		{name: "receive_webpush_messages", code: kith.ECodeReservedAttribute},
		{name: "confirmation_hash", code: kith.ECodeReservedAttribute},
		{name: "ownerId", code: kith.ECodeReservedAttribute},
		{name: "anonymous_type", code: kith.ECodeReservedAttribute},
		{name: "type", code: kith.ECodeReservedAttribute},
		{name: "confirmed", code: kith.ECodeReservedAttribute},
		{name: "status", code: kith.ECodeReservedAttribute},
		{name: "geo_loc_x", code: kith.ECodeReservedAttribute, msg: `"geo_loc_"`},
		{name: "geo_loc_city", code: kith.ECodeReservedAttribute},
		{name: "GEO_LOC_city", code: kith.ECodeReservedAttribute},
		{name: "geo-loc-city", code: kith.ECodeReservedAttribute},

		// Reserved names, near-duplicates.
		{name: "Email", code: kith.ECodeReservedAttribute, msg: `reserved name "email"`},
		{name: "E-mail", code: kith.ECodeReservedAttribute},
		{name: "client_id", code: kith.ECodeReservedAttribute, msg: `"clientId"`},
		{name: "Tags", code: kith.ECodeReservedAttribute},
		{name: "created_at", code: kith.ECodeReservedAttribute},
		{name: "receiveSmses", code: kith.ECodeReservedAttribute},
		{name: "IP", code: kith.ECodeReservedAttribute},

		// Default attributes and their near-duplicates.
		{name: "firstName", code: kith.ECodeAttributeNameTaken, msg: `"firstName" is a default attribute`},
		{name: "avatarUrl", code: kith.ECodeAttributeNameTaken},
		{name: "birthDate", code: kith.ECodeAttributeNameTaken},
		{name: "displayName", code: kith.ECodeAttributeNameTaken},
		{name: "first_name", code: kith.ECodeAttributeNameTaken, msg: `use "firstName"`},
		{name: "FirstName", code: kith.ECodeAttributeNameTaken, msg: `use "firstName"`},
		{name: "birth_date", code: kith.ECodeAttributeNameTaken, msg: `use "birthDate"`},
		{name: "zip-code", code: kith.ECodeAttributeNameTaken, msg: `use "zipCode"`},
		{name: "AVATAR_URL", code: kith.ECodeAttributeNameTaken, msg: `use "avatarUrl"`},
		{name: "Phone", code: kith.ECodeAttributeNameTaken, existing: catalogue},

		// Near-duplicates of custom attributes.
		{name: "club_member", code: kith.ECodeAttributeNameTaken, existing: catalogue,
			msg: `attribute "club_member" is too close to existing "ClubMember"; use "ClubMember"`},
		{name: "clubmember", code: kith.ECodeAttributeNameTaken, existing: catalogue, msg: `use "ClubMember"`},
		{name: "CLUB-MEMBER", code: kith.ECodeAttributeNameTaken, existing: catalogue, msg: `use "ClubMember"`},
		{name: "club-level", code: kith.ECodeAttributeNameTaken, existing: catalogue, msg: `use "club_level"`},
		{name: "ClubLevel", code: kith.ECodeAttributeNameTaken, existing: catalogue, msg: `use "club_level"`},
		{name: "Loyalty.Points", code: kith.ECodeAttributeNameTaken, existing: catalogue, msg: `use "loyalty.points"`},
		{name: "club-member", code: kith.ECodeAttributeNameTaken,
			existing: []kith.AttributeDef{{Name: "club_member", Type: kith.TypeString}}, msg: `use "club_member"`},
		{name: "club_member", existing: nil},
	} {
		err := CheckName(tc.name, tc.existing)
		if tc.code == "" {
			if err != nil {
				t.Errorf("CheckName(%q) = %v, want nil", tc.name, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("CheckName(%q) = nil, want %s", tc.name, tc.code)
			continue
		}
		if err.Code != tc.code {
			t.Errorf("CheckName(%q).Code = %s, want %s (%v)", tc.name, err.Code, tc.code, err)
		}
		if err.Field != "attributes."+tc.name {
			t.Errorf("CheckName(%q).Field = %q", tc.name, err.Field)
		}
		if !strings.Contains(err.Message, tc.msg) {
			t.Errorf("CheckName(%q).Message = %q, want it to contain %q", tc.name, err.Message, tc.msg)
		}
	}
}

// TestCheckNameDefaultsInCatalogue checks that a catalogue which lists the
// default attributes itself gives the same answers.
func TestCheckNameDefaultsInCatalogue(t *testing.T) {
	catalogue := append(Defaults(), kith.AttributeDef{Name: "ClubMember", Type: kith.TypeBoolean})
	for name, code := range map[string]string{
		"firstName":   kith.ECodeAttributeNameTaken,
		"first_name":  kith.ECodeAttributeNameTaken,
		"club_member": kith.ECodeAttributeNameTaken,
		"ClubMember":  "",
		"favourite":   "",
	} {
		if got := kith.ErrorCode(errOrNil(CheckName(name, catalogue))); got != code {
			t.Errorf("CheckName(%q) code = %q, want %q", name, got, code)
		}
	}
}

// errOrNil turns a nil *kith.Error into a nil error.
func errOrNil(e *kith.Error) error {
	if e == nil {
		return nil
	}
	return e
}
