package cli

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/spf13/cobra"

	"oauthdeck/flows/audit"
)

func (a *app) auditCommand() *cobra.Command {
	var output, failOn, unused string
	var listRules bool
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Audit the deployment's whole OAuth2 estate: every app and secret, with findings, their rule and the fix",
		Long: `Read every OAuth2 app and client secret of the deployment (an owner's session is
needed) and report what needs attention: redirect URIs that are unsafe or that
current Coder refuses, secrets never used, stale or left over from a rotation,
dynamically registered apps nobody uses, public clients, scope allowlists that
allow everything or nothing, look-alike names, and what the next Coder version
changes. Each finding names its severity, the rule it rests on and the fix.

--fail-on sets the exit status (1 when a finding is that grave or graver, or
when part of the estate could not be read), so the audit runs in CI.`,
		Example: `  oauthdeck audit
  oauthdeck audit -o json | jq '.findings[] | select(.severity == "high")'
  oauthdeck audit -o junit --fail-on medium > audit.xml`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if listRules {
				return writeRules(a.io.Out, a.palette(a.io.Out))
			}
			floor, ok := audit.ParseSeverity(failOn)
			if !ok {
				return usagef("--fail-on must be high, medium, low or none")
			}
			unusedFor, err := parseAge(unused)
			if err != nil {
				return usagef("--unused-for: %v", err)
			}
			return a.withSession(func(ctx context.Context, s *session, _ []string) error {
				opts := audit.Options{UnusedFor: unusedFor}
				est, err := audit.Read(ctx, s.client, opts, a.progress("reading secrets"))
				if err != nil {
					return err
				}
				rep := audit.Judge(est, opts)
				switch output {
				case "json":
					err = audit.WriteJSON(a.io.Out, rep)
				case "junit":
					err = audit.WriteJUnit(a.io.Out, rep, floor)
				default:
					err = writeAudit(a.io.Out, a.palette(a.io.Out), rep)
				}
				if err != nil {
					return err
				}
				if rep.Failed(floor) {
					return &exitError{code: ExitFailure}
				}
				return nil
			})(cmd, args)
		},
	}
	outputFlag(cmd, &output, "table", "json", "junit")
	cmd.Flags().StringVar(&failOn, "fail-on", "none", "exit 1 on a finding this grave or graver: high, medium, low or none")
	cmd.Flags().StringVar(&unused, "unused-for", "90d", "a secret unused this long is stale (e.g. 30d, 12h)")
	cmd.Flags().BoolVar(&listRules, "rules", false, "list the rules the audit applies, and exit")
	return cmd
}

// parseAge reads 30d (days) or any Go duration (12h, 90m).
func parseAge(v string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(v, "d"); ok {
		d, err := strconv.Atoi(n)
		if err != nil || d <= 0 {
			return 0, fmt.Errorf("%q is not a number of days", v)
		}
		return time.Duration(d) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q is not a duration (e.g. 30d or 12h)", v)
	}
	return d, nil
}

// progress reports long reads on stderr when it is a terminal: one line,
// rewritten in place, cleared at the end.
func (a *app) progress(what string) func(done, total int) {
	if !isTerminal(a.io.Err) {
		return nil
	}
	return func(done, total int) {
		if done == total {
			fmt.Fprint(a.io.Err, "\r"+ansi.EraseLineRight)
			return
		}
		if done%25 == 0 || done == 1 {
			fmt.Fprintf(a.io.Err, "\r%s: %d of %d apps", what, done, total)
		}
	}
}

func (p palette) auditSeverity(sev audit.Severity) string {
	style := map[audit.Severity]lipgloss.Style{audit.High: p.fail, audit.Medium: p.warn, audit.Low: p.info}[sev]
	if sev == audit.Info {
		style = p.faint
	}
	return p.render(style, fmt.Sprintf("%-6s", strings.ToUpper(string(sev))))
}

// writeAudit prints the deployment, then each finding gravest first: the
// finding, then its fix and basis; then the counts. Finding text is safe
// already (package audit makes it so).
func writeAudit(w io.Writer, p palette, rep audit.Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", p.render(p.bold, "Audit of"), rep.Server.URL)
	fmt.Fprintf(&b, "%s\n", p.render(p.faint, rep.Server.Summary))
	fmt.Fprintf(&b, "%d apps, %d secrets, read %s\n\n", rep.Apps, rep.Secrets, rep.Server.ReadAt.Local().Format("2006-01-02 15:04"))
	for _, f := range rep.Findings {
		fmt.Fprintf(&b, "%s %s  %s\n", p.auditSeverity(f.Severity), p.render(p.bold, f.Rule), audit.Subject(f))
		fmt.Fprintf(&b, "       %s\n", f.Message)
		fmt.Fprintf(&b, "       %s %s %s\n", p.render(p.faint, "fix:"), f.Fix, p.render(p.faint, "· "+f.Basis))
	}
	if len(rep.Findings) == 0 {
		b.WriteString("No findings.\n")
	}
	for _, what := range rep.Incomplete {
		fmt.Fprintf(&b, "%s could not read %s\n", p.render(p.warn, "incomplete:"), what)
	}
	s := rep.Summary
	fmt.Fprintf(&b, "\n%d high, %d medium, %d low, %d info\n", s.High, s.Medium, s.Low, s.Info)
	_, err := io.WriteString(w, b.String())
	return err
}

func writeRules(w io.Writer, p palette) error {
	t := newTable("RULE", "SEVERITY", "WHAT", "BASIS")
	for _, r := range audit.Rules {
		t.add(r.ID, string(r.Severity), r.Title, r.Basis)
	}
	return t.write(w, p)
}

func (a *app) appsHistoryCommand() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "history APP_ID",
		Short: "Show an app's audit trail: create, edit, delete and its secrets', with who and when (Coder's audit log)",
		Args:  exactArgs("APP_ID"),
		RunE: a.withSession(func(ctx context.Context, s *session, args []string) error {
			h, err := audit.AppHistory(ctx, s.client, args[0])
			if err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(a.io.Out, h)
			}
			if h.Unavailable != "" {
				fmt.Fprintln(a.io.Out, "No history: "+h.Unavailable+".")
				return nil
			}
			t := newTable("TIME", "ACTION", "WHAT", "WHO", "CHANGES")
			for _, e := range h.Entries {
				t.add(e.Time.Local().Format("2006-01-02 15:04:05"), e.Action, e.Subject, e.Who, strings.Join(e.Changes, "; "))
			}
			if err := t.write(a.io.Out, a.palette(a.io.Out)); err != nil {
				return err
			}
			if h.Note != "" {
				fmt.Fprintln(a.io.Err, "Note: "+h.Note+".")
			}
			return nil
		}),
	}
	outputFlag(cmd, &output, "table", "json")
	return cmd
}
