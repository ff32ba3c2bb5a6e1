package audit

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// WriteJSON writes the report, indented.
func WriteJSON(w io.Writer, rep Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

type junitSuites struct {
	XMLName  xml.Name   `xml:"testsuites"`
	Name     string     `xml:"name,attr"`
	Tests    int        `xml:"tests,attr"`
	Failures int        `xml:"failures,attr"`
	Suite    junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes one testcase per rule: it fails when the rule found
// something at or above floor (--fail-on); findings below it are listed
// in system-out. An incomplete read is one more failing testcase.
func WriteJUnit(w io.Writer, rep Report, floor Severity) error {
	suite := junitSuite{Name: "oauthdeck audit " + rep.Server.URL}
	for _, r := range Rules {
		c := junitCase{Name: r.ID + ": " + r.Title, Classname: "oauthdeck.audit." + group(r.ID)}
		var lines []string
		for _, f := range rep.Findings {
			if f.Rule == r.ID {
				lines = append(lines, findingLine(f))
			}
		}
		switch {
		case len(lines) > 0 && floor != "" && r.Severity.AtLeast(floor):
			c.Failure = &junitFailure{Message: fmt.Sprintf("%d found (%s)", len(lines), r.Severity), Type: string(r.Severity),
				Text: strings.Join(lines, "\n") + "\nfix: " + r.Fix}
			suite.Failures++
		case len(lines) > 0:
			c.SystemOut = strings.Join(lines, "\n")
		}
		suite.Cases = append(suite.Cases, c)
	}
	if len(rep.Incomplete) > 0 {
		c := junitCase{Name: "audit.complete: every part of the estate was read", Classname: "oauthdeck.audit.audit"}
		if floor != "" {
			c.Failure = &junitFailure{Message: "the audit is incomplete", Type: "incomplete", Text: strings.Join(rep.Incomplete, "\n")}
			suite.Failures++
		} else {
			c.SystemOut = strings.Join(rep.Incomplete, "\n")
		}
		suite.Cases = append(suite.Cases, c)
	}
	suite.Tests = len(suite.Cases)
	doc := junitSuites{Name: "oauthdeck audit", Tests: suite.Tests, Failures: suite.Failures, Suite: suite}
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

// findingLine is one finding as plain text: subject, then message.
func findingLine(f Finding) string {
	return Subject(f) + ": " + f.Message
}

// Subject names what a finding is about: the app (and secret), or the
// deployment.
func Subject(f Finding) string {
	switch {
	case f.AppName == "" && f.AppID == "":
		return "deployment"
	case f.SecretID != "":
		return f.AppName + " (" + f.AppID + ") secret " + f.SecretID
	}
	return f.AppName + " (" + f.AppID + ")"
}

func group(id string) string {
	g, _, _ := strings.Cut(id, ".")
	return g
}
