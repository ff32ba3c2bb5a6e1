package safe

import (
	"os/exec"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzShellQuote: the quoted word, run by bash (what `eval "$(oauthdeck …
// -o env)"` runs in), prints the input back exactly, and the quoted text
// itself carries no control or invisible character raw.
func FuzzShellQuote(f *testing.F) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		f.Skip("bash is not installed")
	}
	for _, s := range []string{"plain", "it's", `back\slash`, "$(rm -rf /)", "`id`", "a\nb\tc", "\x1b]52;c;x\x07",
		"\u202eevil", "tag\U000e0041", "€ ünï", "'\"$!*?[]{}~#&;|<>", "", "-n", "\x7f\x9b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.ContainsRune(s, 0) || !utf8.ValidString(s) {
			return // a NUL cannot be in a shell word; invalid UTF-8 is not text
		}
		q := ShellQuote(s)
		for _, r := range q {
			if r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f || Invisible(r) {
				t.Fatalf("ShellQuote(%q) = %q carries %U raw", s, q, r)
			}
		}
		out, err := exec.Command(bash, "-c", "printf %s "+q).Output()
		if err != nil {
			t.Fatalf("bash -c 'printf %%s %s': %v", q, err)
		}
		if string(out) != s {
			t.Fatalf("ShellQuote(%q) = %s printed %q", s, q, out)
		}
	})
}
