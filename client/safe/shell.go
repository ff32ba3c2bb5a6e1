package safe

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// shellBare are the characters a word may have and stay unquoted.
const shellBare = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:"

// ShellQuote quotes s for a POSIX shell: the one shell quoter (curl
// copies, -o env). Words of safe characters stay bare; other plain text uses single quotes;
// text with control or bidi characters uses $'…' with escapes, so nothing
// reaches the terminal raw.
func ShellQuote(s string) string {
	if s != "" && strings.Trim(s, shellBare) == "" {
		return s
	}
	if Line(s) == s {
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	var b strings.Builder
	b.WriteString("$'")
	for _, r := range s {
		switch {
		case r == '\'' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r == utf8.RuneError || r >= 0x80 && Line(string(r)) != string(r): // what the sanitiser replaces
			if r > 0xffff {
				fmt.Fprintf(&b, `\U%08x`, r)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	b.WriteString("'")
	return b.String()
}
