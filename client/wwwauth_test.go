package client_test

import (
	"reflect"
	"testing"

	"oauthdeck/client"
)

func TestParseWWWAuthenticate(t *testing.T) {
	t.Parallel()
	type ch = client.Challenge
	p := func(kv ...string) map[string]string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	cases := []struct {
		name, in string
		want     []ch
	}{
		{"empty", "", nil},
		{"coder 401", `Bearer realm="coder", error="invalid_token", error_description="The access token has expired", resource_metadata="http://127.0.0.1:3000/.well-known/oauth-protected-resource"`,
			[]ch{{Scheme: "Bearer", Params: p("realm", "coder", "error", "invalid_token", "error_description", "The access token has expired",
				"resource_metadata", "http://127.0.0.1:3000/.well-known/oauth-protected-resource")}}},
		{"scheme only", "Negotiate", []ch{{Scheme: "Negotiate", Params: p()}}},
		{"token68", "Negotiate YWxhZGRpbjpvcGVuIHNlc2FtZQ==", []ch{{Scheme: "Negotiate", Params: p(), Token68: "YWxhZGRpbjpvcGVuIHNlc2FtZQ=="}}},
		{"token68 then challenge", `Negotiate abc=, Bearer realm="x"`,
			[]ch{{Scheme: "Negotiate", Params: p(), Token68: "abc="}, {Scheme: "Bearer", Params: p("realm", "x")}}},
		{"two challenges", `Basic realm="coder", Bearer realm="coder", scope="a b"`,
			[]ch{{Scheme: "Basic", Params: p("realm", "coder")}, {Scheme: "Bearer", Params: p("realm", "coder", "scope", "a b")}}},
		{"comma inside quotes", `Bearer error_description="a, b=c, d", realm=x`,
			[]ch{{Scheme: "Bearer", Params: p("error_description", "a, b=c, d", "realm", "x")}}},
		{"escapes", `Bearer realm="say \"hi\" \\ o\/k"`, []ch{{Scheme: "Bearer", Params: p("realm", `say "hi" \ o/k`)}}},
		{"unquoted token value and case", `BEARER Realm=coder,Scope=all`, []ch{{Scheme: "BEARER", Params: p("realm", "coder", "scope", "all")}}},
		{"spaces around =", `Bearer realm = "x" , scope= y`, []ch{{Scheme: "Bearer", Params: p("realm", "x", "scope", "y")}}},
		{"empty list elements", `, ,Basic realm="a",, Bearer`, []ch{{Scheme: "Basic", Params: p("realm", "a")}, {Scheme: "Bearer", Params: p()}}},
		{"scheme then comma", `Basic, Bearer error="x"`, []ch{{Scheme: "Basic", Params: p()}, {Scheme: "Bearer", Params: p("error", "x")}}},
		{"duplicate param first wins", `Bearer realm="a", realm="b"`, []ch{{Scheme: "Bearer", Params: p("realm", "a")}}},
		{"unterminated quote", `Bearer realm="abc`, []ch{{Scheme: "Bearer", Params: p("realm", "abc")}}},
		{"junk", `"quoted", Bearer realm=x`, []ch{{Scheme: "Bearer", Params: p("realm", "x")}}},
		{"junk after value", `Bearer realm="a" junk, scope="s"`, []ch{{Scheme: "Bearer", Params: p("realm", "a", "scope", "s")}}},
		{"empty value", `Bearer realm=, scope="s"`, []ch{{Scheme: "Bearer", Params: p("realm", "", "scope", "s")}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := client.ParseWWWAuthenticate(tc.in)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ParseWWWAuthenticate(%q)\n got %#v\nwant %#v", tc.in, got, tc.want)
			}
		})
	}
}

func FuzzParseWWWAuthenticate(f *testing.F) {
	for _, s := range []string{`Bearer realm="coder", error="x"`, `Negotiate abc==`, `a, b c=d, "e`, `\`, `Basic ="`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, ch := range client.ParseWWWAuthenticate(s) {
			if ch.Scheme == "" || ch.Params == nil {
				t.Fatalf("bad challenge %#v from %q", ch, s)
			}
		}
	})
}
