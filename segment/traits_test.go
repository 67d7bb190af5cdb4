package segment

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	"github.com/kithcdp/kith"
)

func TestTraitAttributes(t *testing.T) {
	for _, tc := range []struct {
		name   string
		traits string
		want   map[string]any
		warn   []string // "field code", in any order
	}{
		{"empty", `{}`, map[string]any{}, nil},
		{"identifiers are not attributes", `{"email":"ada@example.com","id":"u1"}`, map[string]any{}, nil},
		{"default names", `{"firstName":"Ada","lastName":"Lovelace","phone":"+48 600 700 800","city":"Kraków"}`,
			map[string]any{"firstName": "Ada", "lastName": "Lovelace", "phone": "+48 600 700 800", "city": "Kraków"}, nil},
		{"snake case spellings of defaults", `{"first_name":"Ada","last_name":"Lovelace","zip_code":"00-001","avatar_url":"https://x.test/a.png"}`,
			map[string]any{"firstName": "Ada", "lastName": "Lovelace", "zipCode": "00-001", "avatarUrl": "https://x.test/a.png"}, nil},
		{"lower-case reserved spelling", `{"firstname":"Ada"}`, map[string]any{"firstName": "Ada"}, nil},
		{"Segment names", `{"name":"Ada L.","avatar":"https://x.test/a.png","gender":"Female","birthday":"1990-05-01"}`,
			map[string]any{"displayName": "Ada L.", "avatarUrl": "https://x.test/a.png", "sex": "FEMALE", "birthDate": "1990-05-01"}, nil},
		{"birthday timestamp becomes its date as written", `{"birthday":"1990-05-01T00:00:00+02:00"}`,
			map[string]any{"birthDate": "1990-05-01"}, nil},
		{"birthday timestamp in UTC", `{"birthday":"1990-04-30T22:00:00.000Z"}`, map[string]any{"birthDate": "1990-04-30"}, nil},
		{"birthday other text left for validation", `{"birthday":"May 1st"}`, map[string]any{"birthDate": "May 1st"}, nil},
		{"genders", `{"gender":"m"}`, map[string]any{"sex": "MALE"}, nil},
		{"gender non-binary", `{"gender":"Non-Binary"}`, map[string]any{"sex": "OTHER"}, nil},
		{"gender unknown skipped", `{"gender":"robot"}`, map[string]any{}, []string{"traits.gender invalid_sex"}},
		{"gender not a string", `{"gender":1}`, map[string]any{}, []string{"traits.gender invalid_sex"}},
		{"address", `{"address":{"city":"Kraków","postal_code":"30-001","state":"Małopolska","country":"pl","street":"Rynek 1"}}`,
			map[string]any{"city": "Kraków", "zipCode": "30-001", "province": "Małopolska", "countryCode": "PL", "address": "Rynek 1"}, nil},
		{"address country not alpha-2", `{"address":{"city":"Kraków","country":"Poland"}}`,
			map[string]any{"city": "Kraków"}, []string{"traits.address.country invalid_country_code"}},
		{"address country reserved code", `{"address":{"country":"UK"}}`, map[string]any{}, []string{"traits.address.country invalid_country_code"}},
		{"address country not text", `{"address":{"country":48}}`, map[string]any{}, []string{"traits.address.country invalid_country_code"}},
		{"address unknown keys", `{"address":{"city":"Oslo","line2":"x","geo":{}}}`,
			map[string]any{"city": "Oslo"}, []string{"traits.address invalid_attribute"}},
		{"address as text is the street", `{"address":"Rynek 1"}`, map[string]any{"address": "Rynek 1"}, nil},
		{"top-level city wins over address.city", `{"address":{"city":"Oslo"},"city":"Bergen"}`,
			map[string]any{"city": "Bergen"}, []string{"traits.address.city invalid_attribute"}},
		{"company", `{"company":{"name":"Acme","industry":"Anvils","employee_count":5}}`,
			map[string]any{"company": "Acme"}, []string{"traits.company invalid_attribute"}},
		{"company as text", `{"company":"Acme"}`, map[string]any{"company": "Acme"}, nil},
		{"exact name wins over a spelling", `{"first_name":"A","firstName":"B"}`,
			map[string]any{"firstName": "B"}, []string{"traits.first_name invalid_attribute"}},
		{"displayName wins over name", `{"name":"Ada Lovelace","displayName":"Ada"}`,
			map[string]any{"displayName": "Ada"}, []string{"traits.name invalid_attribute"}},
		{"custom traits keep their names", `{"plan":"pro","logins":5,"vip":true,"tags_list":["a","b"],"club_member":true}`,
			map[string]any{"plan": "pro", "logins": json.Number("5"), "vip": true, "tags_list": []any{"a", "b"}, "club_member": true}, nil},
		{"other nested objects skipped", `{"prefs":{"color":"red"},"plan":"pro"}`,
			map[string]any{"plan": "pro"}, []string{"traits.prefs invalid_attribute"}},
		{"null skipped", `{"phone":null,"plan":"pro"}`, map[string]any{"plan": "pro"}, []string{"traits.phone attribute_null"}},
		{"invalid custom names are left for the catalogue", `{"Plan Type":"x","createdAt":"2020-01-01T00:00:00Z"}`,
			map[string]any{"Plan Type": "x", "createdAt": "2020-01-01T00:00:00Z"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			traits, _ := object(json.RawMessage(tc.traits), "traits", func(e *kith.Error) { t.Fatalf("object: %v", e) })
			if traits == nil {
				traits = map[string]any{}
			}
			var warns []string
			got := traitAttributes(traits, func(e *kith.Error) { warns = append(warns, e.Field+" "+e.Code) })
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("attributes = %#v, want %#v", got, tc.want)
			}
			slices.Sort(warns)
			want := slices.Clone(tc.warn)
			slices.Sort(want)
			if !slices.Equal(warns, want) {
				t.Errorf("warnings = %q, want %q", warns, want)
			}
		})
	}
}

func TestAttributeName(t *testing.T) {
	for trait, want := range map[string]string{
		"firstName": "firstName", "first_name": "firstName", "First-Name": "firstName",
		"zipcode": "zipCode", "country_code": "countryCode", "birth_date": "birthDate",
		"birthday": "birthDate", "name": "displayName", "Name": "displayName", "gender": "sex",
		"avatar": "avatarUrl", "plan": "plan", "club_member": "club_member", "postal_code": "postal_code",
	} {
		if got := attributeName(trait); got != want {
			t.Errorf("attributeName(%q) = %q, want %q", trait, got, want)
		}
	}
}
