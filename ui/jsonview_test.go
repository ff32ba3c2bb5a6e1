package ui

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// The pretty printer must not change what the document says: stripped of
// colour (and with no notes) its output decodes to the same value.
func TestRenderJSONRoundTrips(t *testing.T) {
	t.Parallel()
	st := NewStyles(true)
	for _, raw := range []string{
		`{"a":1,"b":[1,2,{"c":null,"d":[true,false]}],"e":{},"f":[],"g":"x\"y","h":[["n"],[]]}`,
		`[{"x":1},"s",2.5e3]`,
		`"just a string"`,
		`{"scopes":["` + strings.Repeat("scope:read\",\"", 40) + `last"]}`,
	} {
		out := ansi.Strip(renderJSON(st, []byte(raw), nil, 60))
		var want, got any
		if err := json.Unmarshal([]byte(raw), &want); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("output is not JSON: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("round trip changed the value:\n%s", out)
		}
		for _, l := range strings.Split(out, "\n") {
			if ansi.StringWidth(l) > 60 && !strings.Contains(l, "just") {
				t.Fatalf("line wider than 60: %q", l)
			}
		}
	}
}

func TestRenderJSONShowsNonJSONAsText(t *testing.T) {
	t.Parallel()
	out := ansi.Strip(renderJSON(NewStyles(false), []byte("<html>\x1b[2J</html>"), nil, 80))
	if !strings.Contains(out, "not JSON") || !strings.Contains(out, "<html>␛[2J</html>") {
		t.Fatalf("non-JSON body: %q", out)
	}
	if out := ansi.Strip(renderJSON(NewStyles(true), []byte(`{"a":1} trailing`), nil, 80)); !strings.Contains(out, "not JSON") {
		t.Fatalf("trailing data accepted: %q", out)
	}
}
