package segment

import (
	"strings"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/identity"
)

// DeviceUUID returns the uuid of a Segment anonymousId (or previousId):
// the value itself when it is a UUID (any letter case), else
// identity.NameUUID of the trimmed value, so that every system computes the
// same uuid for the same id. Junk values (the workspace's blocklist, empty
// text, the nil UUID) and values with forbidden characters are refused, so
// that "null" can never glue strangers together. field names the input in
// errors.
func DeviceUUID(ws *kith.Workspace, field, v string) (string, *kith.Error) {
	// NormalizeCustomID applies the cleaning every identifier gets: trim,
	// forbidden characters, blocklist, at most 256 characters.
	clean, e := kith.NormalizeCustomID(ws, v)
	if e != nil {
		return "", renamed(e, field)
	}
	if lower := strings.ToLower(clean); kith.IsUUID(lower) {
		u, e := kith.NormalizeUUID(ws, lower)
		if e != nil {
			return "", renamed(e, field)
		}
		return u, nil
	}
	return identity.NameUUID(clean), nil
}

// renamed returns e about field rather than the identifier kind it was
// checked as.
func renamed(e *kith.Error, field string) *kith.Error {
	c := *e
	c.Message = strings.ReplaceAll(c.Message, "customId", field)
	c.Field = field
	return &c
}

// identifiers maps a message's ids to Kith identifiers: device (the
// anonymousId, or an alias's previousId) → uuid, userId → customId or email
// (ws.SegmentUserIDAs), and traitEmail → email. An invalid value is
// dropped with a warning; the message is refused (required) only when
// nothing usable is left.
func identifiers(ws *kith.Workspace, deviceField, device, userID, traitEmail string, warn func(*kith.Error)) (kith.Identifiers, *kith.Error) {
	var ids kith.Identifiers
	if strings.TrimSpace(device) != "" {
		u, e := DeviceUUID(ws, deviceField, device)
		if e != nil {
			warn(e)
		}
		ids.UUID = u
	}
	if strings.TrimSpace(userID) != "" {
		if ws.SegmentUserIDAs == string(kith.KindEmail) {
			v, e := kith.NormalizeEmail(ws, userID)
			if e != nil {
				warn(renamed(e, "userId"))
			}
			ids.Email = v
		} else {
			v, e := kith.NormalizeCustomID(ws, userID)
			if e != nil {
				warn(renamed(e, "userId"))
			}
			ids.CustomID = v
		}
	}
	if strings.TrimSpace(traitEmail) != "" {
		v, e := kith.NormalizeEmail(ws, traitEmail)
		switch {
		case e != nil:
			warn(e.WithField("traits"))
		case ids.Email != "" && ids.Email != v:
			warn(kith.FieldErrorf("traits.email", kith.ECodeIdentifierMismatch,
				"traits.email %q differs from the userId %q, which is the email used", v, ids.Email))
		default:
			ids.Email = v
		}
	}
	if ids.UUID == "" && ids.CustomID == "" && (ids.Email == "" || !ws.EmailIsIdentifier()) {
		return ids, kith.FieldErrorf("userId", kith.ECodeRequired,
			"the message needs a valid userId or anonymousId (or an identify with traits.email) to find its profile")
	}
	return ids, nil
}
