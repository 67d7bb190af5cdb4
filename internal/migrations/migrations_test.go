package migrations

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoad(t *testing.T) {
	ok := fstest.MapFS{
		"m/0002_b.sql":  {Data: []byte("B")},
		"m/0001_a.sql":  {Data: []byte("A")},
		"m/0010_c.sql":  {Data: []byte("C")},
		"m/README.txt":  {Data: []byte("not a migration")},
		"other/0003.sq": {Data: []byte("x")},
	}
	ms, err := Load(ok, "m/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range ms {
		got = append(got, m.Name+"="+m.SQL)
	}
	if want := "0001_a.sql=A 0002_b.sql=B 0010_c.sql=C"; strings.Join(got, " ") != want {
		t.Errorf("Load = %v, want %s", got, want)
	}
	for name, fsys := range map[string]fstest.MapFS{
		"no number":     {"m/first.sql": {}},
		"zero":          {"m/0000_x.sql": {}},
		"no underscore": {"m/0001.sql": {}},
		"duplicate":     {"m/0001_a.sql": {}, "m/1_b.sql": {}},
	} {
		if _, err := Load(fsys, "m/*.sql"); err == nil {
			t.Errorf("%s: Load accepted %v", name, fsys)
		}
	}
}
