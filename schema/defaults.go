package schema

import "github.com/kithcdp/kith"

// Names of the default attributes (SPEC §1).
const (
	AttrFirstName   = "firstName"
	AttrLastName    = "lastName"
	AttrDisplayName = "displayName"
	AttrCompany     = "company"
	AttrAddress     = "address"
	AttrCity        = "city"
	AttrProvince    = "province"
	AttrZipCode     = "zipCode"
	AttrCountryCode = "countryCode"
	AttrBirthDate   = "birthDate"
	AttrPhone       = "phone"
	AttrSex         = "sex"
	AttrAvatarURL   = "avatarUrl"
)

// defaults lists the default attributes in display order.
var defaults = []struct{ name, typ, desc string }{
	{AttrFirstName, kith.TypeString, "First name."},
	{AttrLastName, kith.TypeString, "Last name."},
	{AttrDisplayName, kith.TypeString, "Name to show, e.g. a nickname or the full name."},
	{AttrCompany, kith.TypeString, "Company or organization."},
	{AttrAddress, kith.TypeString, "Street address."},
	{AttrCity, kith.TypeString, "City."},
	{AttrProvince, kith.TypeString, "Province, state or region."},
	{AttrZipCode, kith.TypeString, "Postal code."},
	{AttrCountryCode, kith.TypeString, "Country as an ISO 3166-1 alpha-2 code, e.g. PL."},
	{AttrBirthDate, kith.TypeDate, "Date of birth, YYYY-MM-DD."},
	{AttrPhone, kith.TypeString, "Phone number in E.164 form, e.g. +48600700800."},
	{AttrSex, kith.TypeString, "FEMALE, MALE, OTHER or NOT_SPECIFIED."},
	{AttrAvatarURL, kith.TypeString, "Absolute http(s) URL of a picture."},
}

// Defaults returns the default attribute definitions, predefined in every
// workspace, in display order. The slice is new on every call.
func Defaults() []kith.AttributeDef {
	out := make([]kith.AttributeDef, len(defaults))
	for i, d := range defaults {
		out[i] = kith.AttributeDef{Name: d.name, Type: d.typ, Description: d.desc, Default: true}
	}
	return out
}

// IsDefault reports whether name is a default attribute. The comparison is
// exact: names are case-sensitive.
func IsDefault(name string) bool {
	_, ok := defaultType(name)
	return ok
}

// defaultType returns the type of the default attribute name.
func defaultType(name string) (string, bool) {
	for _, d := range defaults {
		if d.name == name {
			return d.typ, true
		}
	}
	return "", false
}
