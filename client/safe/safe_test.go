package safe

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// Redaction goes by what a value is: Coder's endpoints.token is an address
// and stays readable; a token under the same key does not; a URL's own
// secrets are still scrubbed.
func TestRedactByWhatAValueIs(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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

// shownRaw reports a rune that must never leave Line (or Text, which keeps
// newline and tab) as itself.
func shownRaw(r rune, keepLines bool) bool {
	switch {
	case keepLines && (r == '\n' || r == '\t'):
		return false
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f, r == 0x2028, r == 0x2029:
		return true
	case r == 0x200c || r == 0x200d: // joiners are kept on purpose
		return false
	}
	return unicode.Is(unicode.Bidi_Control, r) || unicode.Is(unicode.Cf, r)
}

// FuzzSanitise: whatever the input, no control, escape, bidi or other
// invisible formatting character survives Line or Text, the output is valid
// UTF-8, and sanitising twice changes nothing.
func FuzzSanitise(f *testing.F) {
	for _, s := range []string{"plain", "\x1b]52;c;x\x07", "a\u061cb", "\u202eevil", "x\u200by\ufeffz\u00ad",
		"tag\U000e0041\U000e007f", "\u2066iso\u2069", "line\u2028sep\u2029", "\x9b31m", "\xff\xfe", "emoji\u200d\u200c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, c := range []struct {
			name string
			fn   func(string) string
			keep bool
		}{{"Line", Line, false}, {"Text", Text, true}} {
			out := c.fn(s)
			if !utf8.ValidString(out) {
				t.Fatalf("%s(%q) = %q is not UTF-8", c.name, s, out)
			}
			for _, r := range out {
				if shownRaw(r, c.keep) {
					t.Fatalf("%s(%q) = %q keeps %U", c.name, s, out, r)
				}
			}
			if again := c.fn(out); again != out {
				t.Fatalf("%s is not idempotent on %q: %q then %q", c.name, s, out, again)
			}
		}
	})
}

// TestEveryInvisibleRuneReplaced walks the whole of the standard library's
// Cf and Bidi_Control tables, so a class left out of Invisible is caught.
func TestEveryInvisibleRuneReplaced(t *testing.T) {
	t.Parallel()
	n := 0
	for _, tab := range []*unicode.RangeTable{unicode.Cf, unicode.Bidi_Control} {
		for _, r16 := range tab.R16 {
			for r := rune(r16.Lo); r <= rune(r16.Hi); r += rune(r16.Stride) {
				n += checkReplaced(t, r)
			}
		}
		for _, r32 := range tab.R32 {
			for r := rune(r32.Lo); r <= rune(r32.Hi); r += rune(r32.Stride) {
				n += checkReplaced(t, r)
			}
		}
	}
	if n < 150 {
		t.Fatalf("only %d format characters checked", n)
	}
}

func checkReplaced(t *testing.T, r rune) int {
	t.Helper()
	if r == 0x200c || r == 0x200d {
		if Line(string(r)) != string(r) {
			t.Errorf("%U (a joiner) should be kept", r)
		}
		return 0
	}
	if strings.ContainsRune(Line("a"+string(r)+"b"), r) {
		t.Errorf("%U reaches the terminal", r)
	}
	if strings.ContainsRune(ShellQuote("a"+string(r)+"b"), r) {
		t.Errorf("%U reaches the terminal through ShellQuote", r)
	}
	return 1
}

// FuzzRedactPlantedSecret: a secret planted after any secret name, with any
// punctuation before the name and after the value, never survives Redact.
func FuzzRedactPlantedSecret(f *testing.F) {
	for _, p := range ": [ { / | < > = # * ! } ] - . ? & ; , ( ) ' \" ~ @ +" {
		if p != ' ' {
			f.Add("body"+string(p), uint8(0), "Zx9-q_Lm2Pw7", string(p))
		}
	}
	f.Add("", uint8(3), "abcdefgh", "")
	f.Add("GET /callback#", uint8(2), "c0de_VaLue-77", " HTTP/1.1")
	f.Fuzz(func(t *testing.T, before string, nameIdx uint8, secret, after string) {
		name := secretNames[int(nameIdx)%len(secretNames)]
		// The planted secret: eight or more characters of a token's alphabet,
		// not itself a URL (URL values are left readable on purpose).
		if len(secret) < 8 || strings.Trim(secret, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != "" {
			return
		}
		// A name glued to a letter, digit or underscore is another name.
		if before != "" {
			if last, _ := utf8.DecodeLastRuneInString(before); last == '_' || unicode.IsLetter(last) || unicode.IsDigit(last) {
				return
			}
		}
		// What follows must end the value, as text would.
		if after != "" {
			if first, _ := utf8.DecodeRuneInString(after); !strings.ContainsRune("&\"'#,;)]}>|< \t\n", first) {
				return
			}
		}
		if strings.Contains(before+after, secret) {
			return // it would survive where it was not planted
		}
		in := before + name + "=" + secret + after
		if out := Redact(in); strings.Contains(out, secret) {
			t.Fatalf("Redact(%q) = %q keeps the secret", in, out)
		}
	})
}
