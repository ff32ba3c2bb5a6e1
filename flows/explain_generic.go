package flows

import (
	"regexp"
	"strings"
	"sync"
)

// Explanations are written for Coder, with what is Coder's own kept in its
// own sentence, clause or parenthesis. ForOtherServer drops those parts, so
// a server that is not Coder is never told about Coder: the rule is a test
// over every explanation (TestExplanationsForOtherServers).

// coderSpecific marks a part that is about Coder or one of its releases.
var coderSpecific = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`Coder|\bv2\.\d+`) })

// parenthetical is one level of (...), the way the table writes asides.
var parenthetical = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\s*\([^()]*\)`) })

// ForOtherServer is exp without what is only true of Coder.
func (exp Explanation) ForOtherServer() Explanation {
	out := exp
	out.Cause = withoutCoder(exp.Cause, "The server answered "+firstNonEmpty(exp.Code, "an error")+".")
	out.Fix = withoutCoder(exp.Fix, "See the server's error description and its documentation.")
	out.Basis = withoutCoder(exp.Basis, "")
	return out
}

// withoutCoder drops the asides, clauses and sentences of text that name
// Coder; fallback stands in when nothing is left.
func withoutCoder(text, fallback string) string {
	text = parenthetical().ReplaceAllStringFunc(text, func(p string) string {
		if coderSpecific().MatchString(p) {
			return ""
		}
		return p
	})
	var sentences []string
	for _, sentence := range splitKeep(text, ". ") {
		var clauses []string
		for _, clause := range splitKeep(strings.TrimSuffix(sentence, "."), "; ") {
			if !coderSpecific().MatchString(clause) {
				clauses = append(clauses, clause)
			}
		}
		if len(clauses) > 0 {
			s := strings.Join(clauses, "; ")
			if strings.HasSuffix(sentence, ".") {
				s += "."
			}
			sentences = append(sentences, s)
		}
	}
	if out := strings.TrimSpace(strings.Join(sentences, " ")); out != "" {
		return out
	}
	return fallback
}

// splitKeep splits s at sep (a sentence keeps its full stop).
func splitKeep(s, sep string) []string {
	parts := strings.Split(strings.TrimSpace(s), sep)
	if sep == ". " {
		for i := range parts[:len(parts)-1] {
			parts[i] += "."
		}
	}
	return parts
}
