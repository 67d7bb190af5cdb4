package schema

import (
	"net/url"
	"strings"
	"time"

	"github.com/kithcdp/kith"
	"github.com/nyaruka/phonenumbers"
)

// Values of the sex attribute.
const (
	SexFemale       = "FEMALE"
	SexMale         = "MALE"
	SexOther        = "OTHER"
	SexNotSpecified = "NOT_SPECIFIED"
)

// minBirthDate is the earliest accepted birth date.
var minBirthDate = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)

// normalizeDefault applies the rules of the default attribute name. Every
// default attribute takes a JSON string; the text is trimmed and must not
// be empty.
func normalizeDefault(name string, v any, now time.Time) (any, *kith.Error) {
	raw, ok := v.(string)
	if !ok {
		want := "string"
		if name == AttrBirthDate {
			want = "date (a YYYY-MM-DD string)"
		}
		return nil, mismatch(name, want, v)
	}
	s := strings.TrimSpace(raw)
	if err := checkText(name, s, MaxStringLen); err != nil {
		return nil, err
	}
	if s == "" {
		return nil, errorf(name, kith.ECodeInvalidAttribute, "value is empty; expected a non-empty string")
	}
	switch name {
	case AttrBirthDate:
		return normalizeBirthDate(s, now)
	case AttrPhone:
		return normalizePhone(s)
	case AttrCountryCode:
		c := strings.ToUpper(s)
		if !IsCountryCode(c) {
			return nil, errorf(name, kith.ECodeInvalidCountryCode,
				"%s is not an ISO 3166-1 alpha-2 country code; expected two letters such as PL, DE or US", quote(s))
		}
		return c, nil
	case AttrSex:
		switch u := strings.ToUpper(s); u {
		case SexFemale, SexMale, SexOther, SexNotSpecified:
			return u, nil
		}
		return nil, errorf(name, kith.ECodeInvalidSex,
			"%s is not a valid sex; expected FEMALE, MALE, OTHER or NOT_SPECIFIED", quote(s))
	case AttrAvatarURL:
		u, err := url.Parse(s)
		if err != nil || u.Host == "" || !strings.EqualFold(u.Scheme, "http") && !strings.EqualFold(u.Scheme, "https") {
			return nil, errorf(name, kith.ECodeInvalidAttribute,
				"%s is not an absolute http(s) URL; expected e.g. https://example.com/ada.png", quote(s))
		}
		return s, nil
	}
	return s, nil
}

// normalizeBirthDate checks that s is a real calendar date from 1900-01-01
// up to today, the date of now in now's location.
func normalizeBirthDate(s string, now time.Time) (any, *kith.Error) {
	t, shaped, real := parseDate(s)
	switch {
	case !shaped:
		return nil, errorf(AttrBirthDate, kith.ECodeInvalidBirthDate,
			"%s is not a date; expected YYYY-MM-DD, e.g. 1990-05-01", quote(s))
	case !real:
		return nil, errorf(AttrBirthDate, kith.ECodeInvalidBirthDate,
			"%s is not a real calendar date; expected YYYY-MM-DD", quote(s))
	case t.Before(minBirthDate):
		return nil, errorf(AttrBirthDate, kith.ECodeInvalidBirthDate,
			"%s is before 1900-01-01; expected a real birth date", s)
	}
	today := now.Format(DateLayout)
	if s > today {
		return nil, errorf(AttrBirthDate, kith.ECodeInvalidBirthDate,
			"%s is in the future; expected a date no later than today", s)
	}
	return s, nil
}

// normalizePhone parses s as an international phone number, written with a
// leading "+" or "00" and optionally spaces, dashes, dots and parentheses,
// and returns it in E.164 form.
func normalizePhone(s string) (any, *kith.Error) {
	bad := func(why string) *kith.Error {
		return errorf(AttrPhone, kith.ECodeInvalidPhone,
			"%s %s; expected an international number with its country code, e.g. +48 600 700 800", quote(s), why)
	}
	n := s
	switch {
	case strings.HasPrefix(n, "+"):
		n = n[1:]
	case strings.HasPrefix(n, "00"):
		n = n[2:]
	default:
		return nil, bad(`does not start with "+" or "00"`)
	}
	digits := 0
	for _, r := range n {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')':
		default:
			return nil, bad("contains " + quote(string(r)))
		}
	}
	if digits == 0 {
		return nil, bad("has no digits")
	}
	num, err := phonenumbers.Parse("+"+n, "")
	if err != nil || !phonenumbers.IsValidNumber(num) {
		return nil, bad("is not a valid phone number")
	}
	return phonenumbers.Format(num, phonenumbers.E164), nil
}
