package check

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"oauthdeck/flows/internal/junit"
)

// WriteJSON writes {"server": …, "checks": […], "summary": …}, indented.
func WriteJSON(w io.Writer, rep Report) error {
	if rep.Checks == nil {
		rep.Checks = []Result{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

// WriteJUnit writes the report as JUnit XML.
func WriteJUnit(w io.Writer, rep Report) error {
	suite := junit.Suite{
		Name:     "oauthdeck check " + xmlSafe(rep.Server.URL),
		Tests:    len(rep.Checks),
		Failures: rep.Summary.Fail,
		Skipped:  rep.Summary.Skip,
		Properties: []junit.Property{
			{Name: "server.url", Value: xmlSafe(rep.Server.URL)},
			{Name: "server.version", Value: xmlSafe(rep.Server.Version)},
			{Name: "server.era", Value: xmlSafe(string(rep.Server.Era))},
			{Name: "server.issuer", Value: xmlSafe(rep.Server.Issuer)},
			{Name: "server.resource", Value: xmlSafe(rep.Server.Resource)},
		},
	}
	for _, r := range rep.Checks {
		c := junit.Case{Name: xmlSafe(r.ID + ": " + r.Title), Classname: "oauthdeck.check." + xmlSafe(group(r.ID))}
		body := xmlSafe(caseBody(r))
		switch r.Status {
		case Fail:
			c.Failure = &junit.Message{Message: xmlSafe(r.Detail), Type: string(r.Level), Text: body}
		case Skip:
			c.Skipped = &junit.Message{Message: xmlSafe(r.Detail)}
		case Warn:
			c.SystemOut = "WARN: " + body
		default:
			c.SystemOut = body
		}
		suite.Cases = append(suite.Cases, c)
	}
	return junit.Write(w, junit.Suites{Name: "oauthdeck check", Tests: suite.Tests, Failures: suite.Failures, Skipped: suite.Skipped, Suites: []junit.Suite{suite}})
}

// group is the id's prefix ("token" for "token.cache-control").
func group(id string) string {
	g, _, _ := strings.Cut(id, ".")
	return g
}

// caseBody is the plain-text detail, rule and evidence of one check.
func caseBody(r Result) string {
	var b strings.Builder
	if r.Detail != "" {
		b.WriteString(r.Detail + "\n")
	}
	fmt.Fprintf(&b, "basis: %s (%s)\n", r.Basis, r.Level)
	for _, ev := range r.Evidence {
		fmt.Fprintf(&b, "- %s: %s %s -> %d\n", ev.Note, ev.Method, ev.URL, ev.Status)
		if ev.Error != "" {
			fmt.Fprintf(&b, "    error: %s\n", ev.Error)
		}
		if ev.RequestBody != "" {
			fmt.Fprintf(&b, "    > %s\n", ev.RequestBody)
		}
		for _, k := range verdictHeaderNames(ev.ResponseHeader) { // the evidence has them all (-o json)
			fmt.Fprintf(&b, "    < %s: %s\n", k, ev.ResponseHeader[k])
		}
		if ev.ResponseBody != "" {
			fmt.Fprintf(&b, "    < %s\n", ev.ResponseBody)
		}
	}
	return b.String()
}

// xmlSafe drops characters XML 1.0 cannot carry at all (most C0 controls);
// encoding/xml escapes the rest but would otherwise emit an invalid document.
func xmlSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return r
		case r < 0x20, r == 0xFFFE, r == 0xFFFF:
			return '\uFFFD'
		}
		return r
	}, s)
}
