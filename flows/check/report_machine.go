package check

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"
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

// JUnit XML, in the shape CI systems (Jenkins, GitLab, GitHub reporters)
// read: one testsuite, one testcase per check. JUnit knows no "warning", so
// a warn is a passing testcase whose system-out starts with "WARN".
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes the report as JUnit XML.
func WriteJUnit(w io.Writer, rep Report) error {
	suite := junitSuite{
		Name:     "oauthdeck check " + xmlSafe(rep.Server.URL),
		Tests:    len(rep.Checks),
		Failures: rep.Summary.Fail,
		Skipped:  rep.Summary.Skip,
		Properties: []junitProperty{
			{"server.url", xmlSafe(rep.Server.URL)},
			{"server.version", xmlSafe(rep.Server.Version)},
			{"server.era", xmlSafe(string(rep.Server.Era))},
			{"server.issuer", xmlSafe(rep.Server.Issuer)},
			{"server.resource", xmlSafe(rep.Server.Resource)},
		},
	}
	for _, r := range rep.Checks {
		c := junitCase{Name: xmlSafe(r.ID + ": " + r.Title), Classname: "oauthdeck.check." + xmlSafe(group(r.ID))}
		body := xmlSafe(caseBody(r))
		switch r.Status {
		case Fail:
			c.Failure = &junitMessage{Message: xmlSafe(r.Detail), Type: string(r.Level), Text: body}
		case Skip:
			c.Skipped = &junitMessage{Message: xmlSafe(r.Detail)}
		case Warn:
			c.SystemOut = "WARN: " + body
		default:
			c.SystemOut = body
		}
		suite.Cases = append(suite.Cases, c)
	}
	doc := junitSuites{Name: "oauthdeck check", Tests: suite.Tests, Failures: suite.Failures, Skipped: suite.Skipped, Suites: []junitSuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
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
		keys := make([]string, 0, len(ev.ResponseHeader))
		for k := range ev.ResponseHeader {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
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
