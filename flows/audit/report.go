package audit

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"oauthdeck/flows/internal/junit"
)

// WriteJSON writes the report, indented.
func WriteJSON(w io.Writer, rep Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

// WriteJUnit writes one testcase per rule: it fails when the rule found
// something at or above floor (--fail-on); findings below it are listed
// in system-out. An incomplete read is one more failing testcase.
func WriteJUnit(w io.Writer, rep Report, floor Severity) error {
	suite := junit.Suite{Name: "oauthdeck audit " + rep.Server.URL}
	for _, r := range Rules {
		c := junit.Case{Name: r.ID + ": " + r.Title, Classname: "oauthdeck.audit." + group(r.ID)}
		var lines []string
		for _, f := range rep.Findings {
			if f.Rule == r.ID {
				lines = append(lines, findingLine(f))
			}
		}
		switch {
		case len(lines) > 0 && floor != "" && r.Severity.AtLeast(floor):
			c.Failure = &junit.Message{Message: fmt.Sprintf("%d found (%s)", len(lines), r.Severity), Type: string(r.Severity),
				Text: strings.Join(lines, "\n") + "\nfix: " + r.Fix}
			suite.Failures++
		case len(lines) > 0:
			c.SystemOut = strings.Join(lines, "\n")
		}
		suite.Cases = append(suite.Cases, c)
	}
	if len(rep.Incomplete) > 0 {
		c := junit.Case{Name: "audit.complete: every part of the estate was read", Classname: "oauthdeck.audit.audit"}
		if floor != "" {
			c.Failure = &junit.Message{Message: "the audit is incomplete", Type: "incomplete", Text: strings.Join(rep.Incomplete, "\n")}
			suite.Failures++
		} else {
			c.SystemOut = strings.Join(rep.Incomplete, "\n")
		}
		suite.Cases = append(suite.Cases, c)
	}
	suite.Tests = len(suite.Cases)
	return junit.Write(w, junit.Suites{Name: "oauthdeck audit", Tests: suite.Tests, Failures: suite.Failures, Suites: []junit.Suite{suite}})
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
