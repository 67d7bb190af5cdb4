package schema

import (
	"strings"

	"github.com/kithcdp/kith"
)

// MaxNameLen is the longest attribute name, in characters.
const MaxNameLen = 64

// geoPrefix starts every name reserved for geolocation data.
const geoPrefix = "geo_loc_"

// reserved lists the names no custom attribute may take (SPEC §1): Kith's
// identifiers and profile fields, then names other CDPs reserve.
var reserved = []string{
	"clientId", "email", "customId", "uuid", "uuids", "anonymous", "agreements", "tags",
	"createdAt", "updatedAt", "lastActivityAt", "previousClientIds",
	"businessProfileId", "time", "ip", "source", "newsletter_agreement", "custom_identify",
	"firstname", "lastname", "created", "updated", "last_activity_date", "birthdate",
	"displayname", "receive_smses", "receive_push_messages", "receive_webpush_messages",
	"confirmation_hash", "ownerId", "anonymous_type", "type", "confirmed", "status",
}

// NearKey returns the key under which near-duplicate names collide: name
// lower-cased with every '_' and '-' removed, so that "club_member",
// "Club-Member" and "ClubMember" all give "clubmember".
func NearKey(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	for _, r := range strings.ToLower(name) {
		if r != '_' && r != '-' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// CheckName validates name as the name of a new custom attribute (SPEC §1)
// against existing, the workspace's catalogue; the default attributes are
// always taken into account, whether or not existing lists them.
//
// It returns ECodeInvalidAttrName when the syntax is wrong,
// ECodeReservedAttribute for a reserved name, and ECodeAttributeNameTaken
// for the name of a default attribute or a near-duplicate (same NearKey) of
// an existing attribute, naming the one to use instead. A name equal to an
// existing custom attribute is valid: reusing it is the caller's business.
// Reserved names also refuse their near-duplicates ("Email", "client_id",
// "GEO_LOC_city"), so that a mislabelled identifier column can never become
// an attribute silently.
func CheckName(name string, existing []kith.AttributeDef) *kith.Error {
	if err := checkSyntax(name); err != nil {
		return err
	}
	if isGeo(name) {
		return errorf(name, kith.ECodeReservedAttribute,
			"attribute name %q is reserved: names starting with %q are kept for geolocation data", name, geoPrefix)
	}
	for _, r := range reserved {
		if name == r {
			return errorf(name, kith.ECodeReservedAttribute,
				"attribute name %q is reserved and cannot be used for a custom attribute; choose another name", name)
		}
	}
	if IsDefault(name) {
		return errorf(name, kith.ECodeAttributeNameTaken,
			"attribute %q is a default attribute and already exists; write its values without defining it", name)
	}
	for _, d := range existing {
		if d.Name == name {
			return nil
		}
	}
	key := NearKey(name)
	for _, d := range append(Defaults(), existing...) {
		if NearKey(d.Name) == key {
			return errorf(name, kith.ECodeAttributeNameTaken,
				"attribute %q is too close to existing %q; use %q", name, d.Name, d.Name)
		}
	}
	for _, r := range reserved {
		if NearKey(r) == key {
			return errorf(name, kith.ECodeReservedAttribute,
				"attribute name %q is too close to the reserved name %q; choose another name", name, r)
		}
	}
	return nil
}

// isGeo reports whether name starts with the geolocation prefix, ignoring
// case and treating '-' as '_'.
func isGeo(name string) bool {
	if len(name) < len(geoPrefix) {
		return false
	}
	p := strings.ReplaceAll(strings.ToLower(name[:len(geoPrefix)]), "-", "_")
	return p == geoPrefix
}

// checkSyntax checks that name is 1–64 ASCII characters: a letter, then
// letters, digits, '_', '-' or '.'.
func checkSyntax(name string) *kith.Error {
	const rule = `an attribute name is 1–64 characters: a letter, then letters, digits, "_", "-" or "."`
	switch {
	case name == "":
		return errorf(name, kith.ECodeInvalidAttrName, "attribute name is empty; %s", rule)
	case len(name) > MaxNameLen:
		return errorf(name, kith.ECodeInvalidAttrName,
			"attribute name %s is %d characters long; %s", quote(name), len([]rune(name)), rule)
	case !isLetter(name[0]):
		return errorf(name, kith.ECodeInvalidAttrName,
			"attribute name %s does not start with a letter; %s", quote(name), rule)
	}
	for i, r := range name {
		if r >= 0x80 || !(isLetter(byte(r)) || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
			return errorf(name, kith.ECodeInvalidAttrName,
				"attribute name %s contains %q at position %d; %s", quote(name), r, i+1, rule)
		}
	}
	return nil
}

// isLetter reports whether c is an ASCII letter.
func isLetter(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
