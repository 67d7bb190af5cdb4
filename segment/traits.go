package segment

import (
	"slices"
	"strings"
	"time"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/schema"
)

// traitAliases maps Segment's reserved trait names (by schema.NearKey) to
// the default attribute that holds the same thing.
var traitAliases = map[string]string{
	"name":     schema.AttrDisplayName,
	"avatar":   schema.AttrAvatarURL,
	"gender":   schema.AttrSex,
	"birthday": schema.AttrBirthDate,
}

// addressFields maps the keys of traits.address (by schema.NearKey) to
// default attributes.
var addressFields = map[string]string{
	"city":        schema.AttrCity,
	"postalcode":  schema.AttrZipCode,
	"zip":         schema.AttrZipCode,
	"zipcode":     schema.AttrZipCode,
	"state":       schema.AttrProvince,
	"province":    schema.AttrProvince,
	"country":     schema.AttrCountryCode,
	"countrycode": schema.AttrCountryCode,
	"street":      schema.AttrAddress,
}

// sexes maps gender values (lower-case) to values of the sex attribute.
var sexes = map[string]string{
	"male": schema.SexMale, "m": schema.SexMale, "man": schema.SexMale,
	"female": schema.SexFemale, "f": schema.SexFemale, "woman": schema.SexFemale,
	"other": schema.SexOther, "non-binary": schema.SexOther, "nonbinary": schema.SexOther, "diverse": schema.SexOther,
	"not_specified": schema.SexNotSpecified, "unspecified": schema.SexNotSpecified,
}

// attributeName returns the attribute a top-level trait is stored as: a
// default attribute when the trait is one of Segment's names for it or a
// spelling of its name (first_name, FirstName, zip_code…), which the
// catalogue would refuse as near-duplicates; else the trait's own name,
// kept as given because attribute names never change later.
func attributeName(trait string) string {
	key := schema.NearKey(trait)
	if a, ok := traitAliases[key]; ok {
		return a
	}
	for _, d := range schema.Defaults() {
		if schema.NearKey(d.Name) == key {
			return d.Name
		}
	}
	return trait
}

// traitAttributes maps identify traits to attribute values. traits.email
// and traits.id are identifiers and not mapped here. Traits of the
// attribute's exact name win over other spellings. What cannot be stored
// is skipped with a warning; values are validated later, against the
// catalogue, by package identity.
func traitAttributes(traits map[string]any, warn func(*kith.Error)) map[string]any {
	out := map[string]any{}
	from := map[string]string{}
	set := func(name, field string, v any) {
		if prev, ok := from[name]; ok {
			warn(kith.FieldErrorf(field, kith.ECodeInvalidAttribute, "skipped: %s already gives %s", prev, name))
			return
		}
		out[name], from[name] = v, field
	}
	// Traits of an attribute's exact name first, so that they win over
	// other spellings and over address and company fields.
	indirect := func(key string) int {
		if _, obj := traits[key].(map[string]any); obj || attributeName(key) != key {
			return 1
		}
		return 0
	}
	keys := sortedKeys(traits)
	slices.SortStableFunc(keys, func(a, b string) int { return indirect(a) - indirect(b) })
	for _, key := range keys {
		v, field := traits[key], "traits."+key
		if key == "email" || key == "id" {
			continue
		}
		if v == nil {
			warn(kith.FieldErrorf(field, kith.ECodeAttrNull, "null is skipped: Kith never removes attribute values"))
			continue
		}
		obj, isObject := v.(map[string]any)
		switch nk := schema.NearKey(key); {
		case isObject && nk == "address":
			mapAddress(obj, field, set, warn)
			continue
		case isObject && nk == "company":
			mapCompany(obj, field, set, warn)
			continue
		case isObject:
			warn(kith.FieldErrorf(field, kith.ECodeInvalidAttribute,
				"nested objects are not stored (only address and company are mapped); skipped"))
			continue
		}
		name := attributeName(key)
		switch name {
		case schema.AttrBirthDate:
			v = birthDate(v)
		case schema.AttrSex:
			s, e := sex(v, field)
			if e != nil {
				warn(e)
				continue
			}
			v = s
		}
		set(name, field, v)
	}
	return out
}

// mapAddress maps traits.address: city, postal_code, state, country (an
// ISO 3166-1 alpha-2 code only) and street.
func mapAddress(obj map[string]any, field string, set func(string, string, any), warn func(*kith.Error)) {
	var skipped []string
	for _, key := range sortedKeys(obj) {
		v, sub := obj[key], field+"."+key
		name, ok := addressFields[schema.NearKey(key)]
		switch {
		case !ok:
			skipped = append(skipped, key)
			continue
		case v == nil:
			continue
		case name == schema.AttrCountryCode:
			s, _ := v.(string)
			code := strings.ToUpper(strings.TrimSpace(s))
			if !schema.IsCountryCode(code) {
				warn(kith.FieldErrorf(sub, kith.ECodeInvalidCountryCode,
					"%s is not an ISO 3166-1 alpha-2 country code (such as PL, DE or US); skipped", short(jsonText(v))))
				continue
			}
			v = code
		}
		set(name, sub, v)
	}
	if len(skipped) > 0 {
		warn(kith.FieldErrorf(field, kith.ECodeInvalidAttribute,
			"only city, postal_code, state, country and street are mapped; skipped: %s", strings.Join(skipped, ", ")))
	}
}

// mapCompany maps traits.company.name to company.
func mapCompany(obj map[string]any, field string, set func(string, string, any), warn func(*kith.Error)) {
	var skipped []string
	for _, key := range sortedKeys(obj) {
		if key == "name" && obj[key] != nil {
			set(schema.AttrCompany, field+".name", obj[key])
		} else if key != "name" {
			skipped = append(skipped, key)
		}
	}
	if len(skipped) > 0 {
		warn(kith.FieldErrorf(field, kith.ECodeInvalidAttribute,
			"only company.name is mapped (to company); skipped: %s", strings.Join(skipped, ", ")))
	}
}

// birthDate turns a timestamp into its date, as written (in its own UTC
// offset); other values are left for the attribute's own validation.
func birthDate(v any) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.Format(schema.DateLayout)
	}
	return s
}

// sex maps a gender trait to a value of the sex attribute.
func sex(v any, field string) (string, *kith.Error) {
	s, _ := v.(string)
	if u, ok := sexes[strings.ToLower(strings.TrimSpace(s))]; ok {
		return u, nil
	}
	return "", kith.FieldErrorf(field, kith.ECodeInvalidSex,
		"%s is not a gender Kith knows (male, female, other, not_specified); skipped", short(jsonText(v)))
}
