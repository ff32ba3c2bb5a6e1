package safe

import "strings"

// The rules below are plain scans rather than regular expressions: they
// look only where the text has the byte every match needs ('=', '"', '-',
// "coder_"), so a long run of ordinary characters (a 64 KB capture of a
// padded body) costs a byte comparison per byte instead of a regexp step.
// scan_test.go checks each against the regular expression it replaces.

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isWordByte(c byte) bool { return c == '_' || isAlnum(c) }

// isFormValueEnd is the punctuation that ends a key=value value in text.
func isFormValueEnd(c byte) bool {
	switch c {
	case '&', ' ', '\t', '\n', '\f', '\r', '"', '\'', '#', ',', ';', ')', ']', '}', '>', '|', '<':
		return true
	}
	return false
}

// replaceEach rebuilds s with its matches replaced. match is asked at each
// index of anchor, left to right, skipping what an earlier match took, and
// returns the span to replace and what to put there, or ok false.
func replaceEach(s, anchor string, match func(at int) (start, end int, repl string, ok bool)) string {
	var b strings.Builder
	last, from, changed := 0, 0, false
	for {
		j := strings.Index(s[from:], anchor)
		if j < 0 {
			break
		}
		at := from + j
		from = at + 1
		start, end, repl, ok := match(at)
		if !ok {
			continue
		}
		b.WriteString(s[last:start])
		b.WriteString(repl)
		last, from, changed = end, end, true
	}
	if !changed {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// redactFormPairs marks the value of every key=value whose key (the whole
// run of letters, digits and underscores before '=') is a secret name:
// query strings, form bodies and log lines ("body:code_verifier=…").
func redactFormPairs(s string) string {
	return replaceEach(s, "=", func(eq int) (int, int, string, bool) {
		k := keyStart(s, eq)
		if k == eq || !secretNameFold(s[k:eq]) {
			return 0, 0, "", false
		}
		end := eq + 1
		for end < len(s) && !isFormValueEnd(s[end]) {
			end++
		}
		return eq + 1, end, markValue(s[eq+1:end], unescapeForm), true
	})
}

// keyStart is where the key ending at eq starts: the run of letters,
// digits and underscores before it. As in a case-insensitive match, the
// Kelvin sign and the long s count as the letters they fold to (k, s).
func keyStart(s string, eq int) int {
	k := eq
	for k > 0 {
		switch {
		case isWordByte(s[k-1]):
			k--
		case k >= 3 && s[k-3:k] == "\u212a":
			k -= 3
		case k >= 2 && s[k-2:k] == "\u017f":
			k -= 2
		default:
			return k
		}
	}
	return k
}

// secretNameFold is SecretName under Unicode simple case folding, so
// "to\u212aen" (a Kelvin sign for the k) is the secret name it reads as.
func secretNameFold(key string) bool {
	for _, n := range secretNames {
		if strings.EqualFold(n, key) {
			return true
		}
	}
	return false
}

// alnumRun reports that s[i:i+n] exists and is all ASCII letters and digits.
func alnumRun(s string, i, n int) bool {
	if i < 0 || i+n > len(s) {
		return false
	}
	for _, c := range []byte(s[i : i+n]) {
		if !isAlnum(c) {
			return false
		}
	}
	return true
}

// boundary reports a word boundary before position i (ASCII, as \b).
func boundaryBefore(s string, i int) bool { return i == 0 || !isWordByte(s[i-1]) }

// redactAPIKeys marks Coder API keys: a word of 10 letters or digits, '-',
// and 22 more.
func redactAPIKeys(s string) string {
	return replaceEach(s, "-", func(dash int) (int, int, string, bool) {
		start, end := dash-10, dash+23
		if !alnumRun(s, start, 10) || !alnumRun(s, dash+1, 22) || !boundaryBefore(s, start) || end < len(s) && isWordByte(s[end]) {
			return 0, 0, "", false
		}
		return start, end, Marker(s[start:end]), true
	})
}

// redactCoderSecrets marks coder_<10>_<secret>: Coder's codes, refresh
// tokens and client secrets.
func redactCoderSecrets(s string) string {
	return replaceEach(s, "coder_", func(start int) (int, int, string, bool) {
		id := start + len("coder_")
		if !boundaryBefore(s, start) || !alnumRun(s, id, 10) || id+10 >= len(s) || s[id+10] != '_' || !alnumRun(s, id+11, 1) {
			return 0, 0, "", false
		}
		end := id + 11
		for end < len(s) && isAlnum(s[end]) {
			end++
		}
		return start, end, Marker(s[start:end]), true
	})
}

// redactJSONPairs marks the value of every "name": "value" member whose
// name is a secret name (case folded as for form keys): token responses,
// JSON request bodies and captures. The value runs to its closing quote,
// or to the end of a body cut short; an escape is skipped whole, except
// an escaped line break, where the value ends.
func redactJSONPairs(s string) string {
	return replaceEach(s, `"`, func(q int) (int, int, string, bool) {
		nameEnd := strings.IndexByte(s[q+1:], '"')
		if nameEnd < 0 || !secretNameFold(s[q+1:q+1+nameEnd]) {
			return 0, 0, "", false
		}
		i := skipSpace(s, q+1+nameEnd+1)
		if i >= len(s) || s[i] != ':' {
			return 0, 0, "", false
		}
		i = skipSpace(s, i+1)
		if i >= len(s) || s[i] != '"' {
			return 0, 0, "", false
		}
		start := i + 1
		end := start
		for end < len(s) && s[end] != '"' {
			if s[end] == '\\' {
				if end+1 >= len(s) || s[end+1] == '\n' {
					break
				}
				end++
			}
			end++
		}
		return start, end, markValue(s[start:end], unescapeJSON), true
	})
}

// skipSpace skips what \s matches in a regular expression (JSON's spaces
// and header lines' alike).
func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\f' || s[i] == '\r') {
		i++
	}
	return i
}
