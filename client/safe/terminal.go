package safe

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text makes a server-supplied string inert for a terminal: every C0
// control except newline and tab, DEL, every C1 control (which includes the
// 8-bit CSI and OSC introducers), the line and paragraph separators and
// every invisible formatting character (see Invisible) are replaced by a
// visible stand-in, and invalid UTF-8 becomes U+FFFD. ESC shows as "␛", so
// "\x1b]52;c;..." renders as the harmless text "␛]52;c;...".
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
		case r == 0x2028 || r == 0x2029: // line and paragraph separators
			if oneLine {
				b.WriteByte(' ')
			} else {
				b.WriteRune('�')
			}
		case r >= 0x80 && r <= 0x9f, Invisible(r):
			b.WriteRune('�')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Invisible reports a character that changes how text shows without
// showing itself: every Bidi_Control (embeddings, overrides, isolates, the
// LRM, RLM and Arabic Letter Mark: text shown in another order than it is,
// Trojan Source) and every other format character (category Cf: soft
// hyphen, zero-width space and word joiner, BOM, the tag characters of
// "ASCII smuggling", interlinear annotations). The zero-width joiner and
// non-joiner are kept: they only shape the letters beside them, and emoji
// sequences and Persian need them. The tables are the standard library's,
// so a new Unicode version is picked up with Go.
func Invisible(r rune) bool {
	if r < 0xad || r == 0x200c || r == 0x200d {
		return false
	}
	return unicode.Is(unicode.Bidi_Control, r) || unicode.Is(unicode.Cf, r)
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
