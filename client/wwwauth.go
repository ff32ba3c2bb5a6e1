package client

import "strings"

// ParseWWWAuthenticate parses a WWW-Authenticate header value (RFC 9110 §11.6.1):
// one or more comma-separated challenges, each a scheme followed by either a
// token68 (stored as Challenge.Token68) or auth-params whose values are
// tokens or quoted strings. Parameter names are lower-cased; the first of a
// repeated name wins. Malformed parts are skipped, never fatal.
// Several header lines can be joined with ", " before parsing.
func ParseWWWAuthenticate(h string) []Challenge {
	p := &authParser{s: h}
	var out []Challenge
	for {
		p.skipListSeparators()
		if p.done() {
			return out
		}
		scheme := p.token()
		if scheme == "" {
			p.skipPastComma() // not a challenge: resynchronise
			continue
		}
		ch := Challenge{Scheme: scheme, Params: map[string]string{}}
		p.skipSpaces()
		if t68, ok := p.token68(); ok {
			ch.Token68 = t68
		} else {
			p.params(ch.Params)
		}
		out = append(out, ch)
	}
}

type authParser struct {
	s   string
	pos int
}

func (p *authParser) done() bool { return p.pos >= len(p.s) }

func (p *authParser) peek() byte {
	if p.done() {
		return 0
	}
	return p.s[p.pos]
}

func (p *authParser) skipSpaces() {
	for !p.done() && (p.peek() == ' ' || p.peek() == '\t') {
		p.pos++
	}
}

func (p *authParser) skipListSeparators() {
	for !p.done() && (p.peek() == ' ' || p.peek() == '\t' || p.peek() == ',') {
		p.pos++
	}
}

// skipPastComma drops input up to and including the next comma.
func (p *authParser) skipPastComma() {
	for !p.done() && p.peek() != ',' {
		p.pos++
	}
	if !p.done() {
		p.pos++
	}
}

func isTokenChar(c byte) bool {
	if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

func isToken68Char(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~+/", c) >= 0
}

func (p *authParser) token() string {
	start := p.pos
	for !p.done() && isTokenChar(p.peek()) {
		p.pos++
	}
	return p.s[start:p.pos]
}

// token68 consumes a token68 when one stands alone before the end or a
// comma; "realm=x" is a parameter, not a token68, so it is left in place.
func (p *authParser) token68() (string, bool) {
	start := p.pos
	i := start
	for i < len(p.s) && isToken68Char(p.s[i]) {
		i++
	}
	if i == start {
		return "", false
	}
	for i < len(p.s) && p.s[i] == '=' {
		i++
	}
	j := i
	for j < len(p.s) && (p.s[j] == ' ' || p.s[j] == '\t') {
		j++
	}
	if j < len(p.s) && p.s[j] != ',' {
		return "", false
	}
	// "realm=, scope=x" is an empty parameter followed by another one, not
	// a token68: a token68 is the whole challenge, so what follows the comma
	// must start a new challenge rather than look like "name=".
	if i > start && p.s[i-1] == '=' && j < len(p.s) && looksLikeParam(p.s[j+1:]) {
		return "", false
	}
	p.pos = j
	return p.s[start:i], true
}

func looksLikeParam(s string) bool {
	s = strings.TrimLeft(s, " \t,")
	i := 0
	for i < len(s) && isTokenChar(s[i]) {
		i++
	}
	if i == 0 {
		return false
	}
	s = strings.TrimLeft(s[i:], " \t")
	return strings.HasPrefix(s, "=")
}

// params reads auth-params until the input ends or the next challenge starts.
func (p *authParser) params(into map[string]string) {
	for {
		p.skipSpaces()
		if p.done() {
			return
		}
		save := p.pos
		name := p.token()
		p.skipSpaces()
		if name == "" || p.peek() != '=' {
			// A new challenge (scheme without "="), or junk.
			p.pos = save
			if name == "" {
				p.skipPastComma()
				continue
			}
			return
		}
		p.pos++ // '='
		p.skipSpaces()
		var value string
		if p.peek() == '"' {
			value = p.quoted()
		} else {
			value = p.token()
		}
		key := strings.ToLower(name)
		if _, dup := into[key]; !dup {
			into[key] = value
		}
		p.skipSpaces()
		if p.done() {
			return
		}
		if p.peek() != ',' {
			p.skipPastComma() // junk after a value
		} else {
			p.pos++
		}
		p.skipListSeparators()
	}
}

// quoted reads a quoted-string, undoing backslash escapes. An unterminated
// string runs to the end of the input.
func (p *authParser) quoted() string {
	p.pos++ // opening quote
	var b strings.Builder
	for !p.done() {
		c := p.peek()
		p.pos++
		switch c {
		case '\\':
			if !p.done() {
				b.WriteByte(p.peek())
				p.pos++
			}
		case '"':
			return b.String()
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
