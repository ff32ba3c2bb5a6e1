package flows

import (
	"reflect"
	"strings"
	"testing"

	"oauthdeck/client"
)

func TestDroppedAppFields(t *testing.T) {
	t.Parallel()
	scope := func(s string) *string { return &s }
	cb := "http://127.0.0.1:9876/cb"
	cases := []struct {
		name string
		sent client.AppRequest
		got  client.App
		want []DroppedField
	}{
		{"v2.30 keeps the callback only",
			client.AppRequest{CallbackURL: cb, RedirectURIs: []string{cb, "http://x/2", "http://x/2"}, Scope: scope("a b")},
			client.App{CallbackURL: cb},
			[]DroppedField{{"redirect_uris", []string{"http://x/2"}}, {"scope", []string{"a", "b"}}}},
		{"2.38 keeps everything, scopes reordered",
			client.AppRequest{CallbackURL: cb, RedirectURIs: []string{cb, "http://x/2"}, Scope: scope("a  b")},
			client.App{CallbackURL: cb, RedirectURIs: []string{cb, "http://x/2"}, Scope: "b a"},
			nil},
		{"clearing the scope is not a drop",
			client.AppRequest{CallbackURL: cb, Scope: scope("")}, client.App{CallbackURL: cb}, nil},
		{"scope omitted is not compared",
			client.AppRequest{CallbackURL: cb}, client.App{CallbackURL: cb, Scope: "a"}, nil},
		{"part of the scope dropped",
			client.AppRequest{CallbackURL: cb, Scope: scope("a b")}, client.App{CallbackURL: cb, Scope: "a"},
			[]DroppedField{{"scope", []string{"b"}}}},
	}
	for _, c := range cases {
		if got := DroppedAppFields(c.sent, c.got); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
	line := DroppedText(DroppedField{"scope", []string{"a\x1b]0;pwn\x07"}})
	if strings.ContainsAny(line, "\x1b\x07") || !strings.Contains(line, "v2.38") {
		t.Errorf("DroppedText %q", line)
	}
}
