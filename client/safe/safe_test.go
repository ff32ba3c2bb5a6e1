package safe

import (
	"strings"
	"testing"
)

// Redaction goes by what a value is: Coder's endpoints.token is an address
// and stays readable; a token under the same key does not; a URL's own
// secrets are still scrubbed.
func TestRedactByWhatAValueIs(t *testing.T) {
	endpoints := `{"endpoints":{"authorization":"https://c.example/oauth2/authorize","token":"https://c.example/oauth2/tokens"}}`
	if got := Redact(endpoints); got != endpoints {
		t.Errorf("endpoints.token redacted: %s", got)
	}
	if got := Redact(`{"token":"opaque-secret-value-123"}`); strings.Contains(got, "opaque-secret-value-123") || !IsMarked(strings.TrimPrefix(got, `{"token":"`)) {
		t.Errorf("a token under key token survived: %s", got)
	}
	in := `{"token":"https://u:pw-secret@c.example/cb?code=coder_abcdefghij_SECRETSECRETSECRET"}`
	got := Redact(in)
	if strings.Contains(got, "pw-secret") || strings.Contains(got, "SECRETSECRETSECRET") || !strings.Contains(got, "https://u:") {
		t.Errorf("a URL value's user info or code survived: %s", got)
	}
}

// One masking scheme: Coder shapes keep their public part, anything else
// at most four characters, and control characters never survive.
func TestMask(t *testing.T) {
	for in, want := range map[string]string{
		"coder_abcdefghij_SECRETSECRETSECRETSECRET": "coder_abcdefghij_" + MaskDots,
		"0123456789-abcdefghijabcdefghij12":         "0123456789-" + MaskDots,
		"short":                                     MaskDots,
		"\x1b]52;c;aGVsbG8=\x07-long-enough-value":  "␛]52" + MaskDots,
		"": "",
	} {
		if got := Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
		if Mask(Mask(in)) != Mask(in) {
			t.Errorf("Mask is not idempotent on %q", in)
		}
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"POST":               "POST",
		"http://h/x?a=1&b=2": `'http://h/x?a=1&b=2'`,
		"it's":               `'it'\''s'`,
		"a\x1b[31m":          `$'a\x1b[31m'`,
		"":                   `''`,
	} {
		if got := ShellQuote(in); got != want {
			t.Errorf("ShellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}
