package ui

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
)

// Every binding of the KeyMap is in the README's table: a new key that is
// not listed there fails here.
func TestKeyGroupsListEveryBinding(t *testing.T) {
	t.Parallel()
	km := DefaultKeyMap()
	listed := map[string]bool{}
	for _, g := range keyGroups(km) {
		for _, b := range g.bindings {
			listed[g.name+"/"+b.Help().Key+"/"+b.Help().Desc] = true
		}
	}
	var walk func(v reflect.Value, path string)
	walk = func(v reflect.Value, path string) {
		for i := range v.NumField() {
			f, name := v.Field(i), v.Type().Field(i).Name
			switch b := f.Interface().(type) {
			case key.Binding:
				found := false
				for k := range listed {
					if strings.HasSuffix(k, "/"+b.Help().Key+"/"+b.Help().Desc) {
						found = true
					}
				}
				if !found {
					t.Errorf("%s%s (%s) is in no key group", path, name, b.Help().Key)
				}
			case flowKeyMap:
				walk(f, path+name+".")
			}
		}
	}
	walk(reflect.ValueOf(*km), "")
}

// README.md's key table is KeyTable's output; UPDATE_README=1 rewrites it.
func TestReadmeKeyTable(t *testing.T) {
	t.Parallel()
	const begin, end = "<!-- keys:begin (generated from ui.DefaultKeyMap by TestReadmeKeyTable) -->\n", "<!-- keys:end -->"
	raw, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(raw)
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i < 0 || j < i {
		t.Fatalf("README.md has no key table between %q and %q", begin, end)
	}
	got, want := s[i+len(begin):j], KeyTable()
	if got == want {
		return
	}
	if os.Getenv("UPDATE_README") != "" {
		if err := os.WriteFile("../README.md", []byte(s[:i+len(begin)]+want+s[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md's key table is stale; run UPDATE_README=1 go test ./ui -run TestReadmeKeyTable\nwant:\n%s", want)
}
