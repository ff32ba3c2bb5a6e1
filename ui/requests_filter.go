package ui

import (
	"strconv"
	"strings"
)

// requestsFilterHint is the filter's placeholder: its whole syntax.
const requestsFilterHint = "words, all must match: GET · 4xx · >=400 · 404 · err (no response) · text in the URL, phase or source"

// exchangeFilter is the Requests tab's / filter. Every word must match: a
// method name (several: any of them), a status class (4xx), a comparison
// (>=400, <300, !=200) or a bare code (404), err for an exchange that got
// no response (no code test matches one), and any other word is text found, ignoring case, in the
// URL, the phase or the SOURCE column.
type exchangeFilter struct {
	methods []string
	status  []func(code int) bool
	words   []string
}

var httpMethods = map[string]bool{"GET": true, "HEAD": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "OPTIONS": true}

func parseExchangeFilter(q string) exchangeFilter {
	var f exchangeFilter
	for _, w := range strings.Fields(q) {
		switch up := strings.ToUpper(w); {
		case httpMethods[up]:
			f.methods = append(f.methods, up)
		case up == "ERR":
			f.status = append(f.status, func(code int) bool { return code == 0 })
		default:
			if test, ok := statusTest(w); ok {
				f.status = append(f.status, test)
			} else {
				f.words = append(f.words, strings.ToLower(w))
			}
		}
	}
	return f
}

// statusTest reads 4xx, 404, or a comparison with a code (>=400).
func statusTest(w string) (func(int) bool, bool) {
	if len(w) == 3 && w[0] >= '1' && w[0] <= '5' && strings.EqualFold(w[1:], "xx") {
		class := int(w[0] - '0')
		return func(code int) bool { return code/100 == class }, true
	}
	op := strings.TrimRight(w, "0123456789")
	n, err := strconv.Atoi(w[len(op):])
	if err != nil || len(w)-len(op) != 3 {
		return nil, false
	}
	compare, ok := map[string]func(c int) bool{
		"": func(c int) bool { return c == n }, "=": func(c int) bool { return c == n }, "!=": func(c int) bool { return c != n },
		">": func(c int) bool { return c > n }, ">=": func(c int) bool { return c >= n },
		"<": func(c int) bool { return c < n }, "<=": func(c int) bool { return c <= n },
	}[op]
	if !ok {
		return nil, false
	}
	// No response has no code: only err finds those.
	return func(code int) bool { return code != 0 && compare(code) }, true
}

func (f exchangeFilter) empty() bool {
	return len(f.methods) == 0 && len(f.status) == 0 && len(f.words) == 0
}

func (f exchangeFilter) match(r exchangeRow) bool {
	if len(f.methods) > 0 && !strings.Contains(" "+strings.Join(f.methods, " ")+" ", " "+r.method+" ") {
		return false
	}
	for _, test := range f.status {
		if !test(r.ex.StatusCode) {
			return false
		}
	}
	for _, w := range f.words {
		if !strings.Contains(r.text, w) {
			return false
		}
	}
	return true
}
