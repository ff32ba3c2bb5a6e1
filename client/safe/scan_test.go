package safe

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// The regular expressions the scans of scan.go replaced: the reference
// each scan must agree with, on any valid UTF-8 text (the form rule's
// case-insensitive match folds the Kelvin sign and the long s into k and s,
// and so does the scan).
var (
	formPairRef = regexp.MustCompile(`(?i)(^|[^a-z0-9_])(` + secretFields + `)=([^&\s"'#,;)\]}>|<]*)`)
	coderRef    = regexp.MustCompile(`\bcoder_[0-9A-Za-z]{10}_[0-9A-Za-z]+`)
	apiKeyRef   = regexp.MustCompile(`\b[0-9A-Za-z]{10}-[0-9A-Za-z]{22}\b`)
	// "key": "value" in JSON; the closing quote may be missing when a body was cut short.
	jsonPairRef = regexp.MustCompile(`(?i)("(?:` + secretFields + `)"\s*:\s*")((?:[^"\\]|\\.)*)`)
)

func jsonPairsByRegexp(s string) string {
	return replaceSubmatches(jsonPairRef, s, func(g []string) string { return g[1] + markValue(g[2], unescapeJSON) })
}

func formPairsByRegexp(s string) string {
	return replaceSubmatches(formPairRef, s, func(g []string) string {
		return g[1] + g[2] + "=" + markValue(g[3], unescapeForm)
	})
}

var scanSeeds = []string{
	"code=abc&state=xyz", "a_code=1 xcode=2 1code=3 -code=4 [token=5] body:code_verifier=abc", "CLIENT_SECRET=s3cr3t;next",
	"client_secret_full=abc&client_secret=def", "code==token=x", "code=&token=", "access_token=‹redacted:abc›",
	"redirect=https://x/cb?code=zz#frag", "coder_0123456789_abcdefXYZ", "xcoder_0123456789_abc", "coder_012345678_abc",
	"coder_0123456789_", "AAAAAAAAAA-BBBBBBBBBBBBBBBBBBBBBB", "AAAAAAAAAA-BBBBBBBBBBBBBBBBBBBBBBx", "_AAAAAAAAAA-BBBBBBBBBBBBBBBBBBBBBB",
	"key AAAAAAAAAA-BBBBBBBBBBBBBBBBBBBBBB-CCCCCCCCCC and 0123456789-0123456789012345678901.", "token=https://coder.example/oauth2/tokens",
	strings.Repeat("a", 300) + "&code=x", "to\u212aen=hunter2", "access_to\u212aen=abc&code=zz", "pa\u017f\u017fword=x&code=1",
	`{"access_token":"abc","refresh_token" : "d\"e\\f","code":"g`, `"CODE":"x""token":"y"`, `"x":"code":"abc"`, `"code":"a\`, "\"code\":\"a\\\nb\"",
	`"toKen": "k"`, `"paſſword":"p"`, `"code"	:
"v"`, `"code":1`, `"code":"‹redacted:abc›"`, `"token":"https://x/oauth2/tokens"`,
	"Authorization: Bearer x", "x-cookie :a", `"authorization_endpoint": "https://x/a"`, "Set-Cookie:\tid=1", "coo\u212aie: k=v", "coder-\u017fession-token: abc",
	"\u017fcode=abc", "\u00e9token=abc", "x\u00e9_token=abc", "\u212acode=1", "padding=" + strings.Repeat("a", 1000) + "-" + strings.Repeat("b", 30),
}

func TestScansMatchTheirRegexps(t *testing.T) {
	t.Parallel()
	for _, s := range scanSeeds {
		compareScans(t, s)
	}
}

func FuzzScansMatchTheirRegexps(f *testing.F) {
	for _, s := range scanSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			t.Skip()
		}
		compareScans(t, s)
	})
}

func compareScans(t *testing.T, s string) {
	t.Helper()
	if got, want := redactFormPairs(s), formPairsByRegexp(s); got != want {
		t.Errorf("form pairs of %q:\n got %q\nwant %q", s, got, want)
	}
	if got, want := redactCoderSecrets(s), coderRef.ReplaceAllStringFunc(s, Marker); got != want {
		t.Errorf("coder secrets of %q:\n got %q\nwant %q", s, got, want)
	}
	if got, want := redactJSONPairs(s), jsonPairsByRegexp(s); got != want {
		t.Errorf("JSON members of %q:\n got %q\nwant %q", s, got, want)
	}
	if headerSecretRE().MatchString(s) && !headerNameBeforeColon(strings.ToLower(s)) {
		t.Errorf("the header pre-test skips %q, which the expression matches", s)
	}
	if got, want := redactAPIKeys(s), apiKeyRef.ReplaceAllStringFunc(s, Marker); got != want {
		t.Errorf("API keys of %q:\n got %q\nwant %q", s, got, want)
	}
}
