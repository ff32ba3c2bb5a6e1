package cli

import (
	"bytes"
	"testing"

	"oauthdeck/client"
)

// TestJSONArrayMatchesWriteJSON: the streamed list is byte for byte what
// writeJSON prints for the whole slice, including the empty list and the
// escaping of characters a terminal acts on.
func TestJSONArrayMatchesWriteJSON(t *testing.T) {
	for _, apps := range [][]client.App{
		{},
		{{ID: "a", Name: "one"}},
		{{ID: "a", Name: "x\u009b2J", RedirectURIs: []string{"http://127.0.0.1/cb"}}, {ID: "b", Name: "\u202etwo"}},
	} {
		var want, got bytes.Buffer
		if err := writeJSON(&want, apps); err != nil {
			t.Fatal(err)
		}
		arr := newJSONArray(&got)
		for _, a := range apps {
			if err := arr.add(a); err != nil {
				t.Fatal(err)
			}
		}
		if err := arr.close(); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("streamed:\n%s\nwant:\n%s", got.String(), want.String())
		}
	}
}
