package safe

import (
	"strings"
	"unicode/utf8"
)

// Text makes a server-supplied string inert for a terminal: every C0
// control except newline and tab, DEL, every C1 control (which includes the
// 8-bit CSI and OSC introducers), and the Unicode bidi overrides are replaced
// by a visible stand-in, and invalid UTF-8 becomes U+FFFD. ESC shows as "␛",
// so "\x1b]52;c;..." renders as the harmless text "␛]52;c;...".
func Text(s string) string { return sanitize(s, false) }

// Line is Text that also flattens newlines, carriage returns
// and tabs, for single-line places (table cells, status bar, errors).
func Line(s string) string { return sanitize(s, true) }

func sanitize(s string, oneLine bool) string {
	if isPlain(s, oneLine) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
		case r == '\n' || r == '\t':
			if oneLine {
				b.WriteByte(' ')
			} else {
				b.WriteRune(r)
			}
		case r == '\r':
			if oneLine {
				b.WriteByte(' ')
			} else {
				b.WriteRune('␍')
			}
		case r < 0x20:
			b.WriteRune(0x2400 + r) // Control Pictures: ␀ ␁ … ␛ …
		case r == 0x7f:
			b.WriteRune('␡')
		case r >= 0x80 && r <= 0x9f, isBidiControl(r):
			b.WriteRune('�')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isBidiControl reports the bidi embeddings, overrides and isolates and the
// LRM/RLM marks: they can make a terminal show text in another order than
// it is (Trojan Source).
func isBidiControl(r rune) bool {
	return r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 || r == 0x200e || r == 0x200f
}

// isPlain is the fast path: printable ASCII only (plus allowed whitespace).
func isPlain(s string, oneLine bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			continue
		}
		if !oneLine && (c == '\n' || c == '\t') {
			continue
		}
		return false
	}
	return true
}
