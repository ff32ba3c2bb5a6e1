package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"oauthdeck/client"
)

// outputFlag adds -o/--output limited to the given formats (the first is the default).
func outputFlag(cmd *cobra.Command, target *string, formats ...string) {
	*target = formats[0]
	cmd.Flags().StringVarP(target, "output", "o", formats[0], "output format: "+strings.Join(formats, "|"))
	prev := cmd.PreRunE
	cmd.PreRunE = func(c *cobra.Command, args []string) error {
		if !slices.Contains(formats, *target) {
			return usagef("unknown output format %q; use one of %s", *target, strings.Join(formats, ", "))
		}
		if prev != nil {
			return prev(c, args)
		}
		return nil
	}
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(formats, cobra.ShellCompDirectiveNoFileComp))
}

// color reports whether w is a terminal that may get colour: NO_COLOR unset
// or empty (no-color.org) and TERM not "dumb".
func (a *app) color(w io.Writer) bool {
	if a.env("NO_COLOR") != "" || a.env("TERM") == "dumb" {
		return false
	}
	return isTerminal(w)
}

func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}

// table is a plain aligned table. Every cell is sanitised: cells often hold
// server-sent text.
type table struct {
	header []string
	rows   [][]string
}

func newTable(header ...string) *table { return &table{header: header} }

func (t *table) add(cells ...string) {
	row := make([]string, len(t.header))
	for i := range row {
		if i < len(cells) {
			row[i] = client.SanitizeLine(cells[i])
		}
	}
	t.rows = append(t.rows, row)
}

func (t *table) write(w io.Writer, color bool) error {
	widths := make([]int, len(t.header))
	for i, h := range t.header {
		widths[i] = ansi.StringWidth(h)
	}
	for _, r := range t.rows {
		for i, c := range r {
			widths[i] = max(widths[i], ansi.StringWidth(c))
		}
	}
	var b strings.Builder
	line := func(cells []string, bold bool) {
		var l strings.Builder
		for i, c := range cells {
			if i == len(cells)-1 {
				l.WriteString(c) // no trailing padding
				break
			}
			l.WriteString(c + strings.Repeat(" ", widths[i]-ansi.StringWidth(c)+2))
		}
		s := strings.TrimRight(l.String(), " ")
		if bold && color {
			s = "\x1b[1m" + s + "\x1b[0m"
		}
		b.WriteString(s + "\n")
	}
	line(t.header, true)
	for _, r := range t.rows {
		line(r, false)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeJSON prints v indented. encoding/json escapes control characters, so
// server text cannot reach the terminal raw through it.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// keyValues prints aligned "key: value" lines, values sanitised.
func writeKeyValues(w io.Writer, pairs [][2]string) error {
	width := 0
	for _, p := range pairs {
		width = max(width, len(p[0]))
	}
	var b strings.Builder
	for _, p := range pairs {
		fmt.Fprintf(&b, "%-*s  %s\n", width+1, p[0]+":", client.SanitizeLine(p[1]))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// shellQuote quotes s for POSIX shells: single quotes, with each embedded quote closed, escaped and reopened.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
