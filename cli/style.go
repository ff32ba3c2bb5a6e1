package cli

import (
	"io"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"

	"oauthdeck/flows"
	"oauthdeck/flows/check"
)

// palette is the CLI's one set of styles (lipgloss), rendered only where the
// output may get colour; colorprofile names that decision.
type palette struct {
	profile colorprofile.Profile
	bold    lipgloss.Style
	faint   lipgloss.Style
	pass    lipgloss.Style
	fail    lipgloss.Style
	warn    lipgloss.Style
	info    lipgloss.Style
}

// palette for w: colour only on a terminal, with NO_COLOR unset and TERM
// not dumb (no-color.org); the 16 basic colours, which every terminal has.
func (a *app) palette(w io.Writer) palette {
	p := palette{profile: colorprofile.Ascii,
		bold:  lipgloss.NewStyle().Bold(true),
		faint: lipgloss.NewStyle().Faint(true),
		pass:  lipgloss.NewStyle().Foreground(lipgloss.Green).Bold(true),
		fail:  lipgloss.NewStyle().Foreground(lipgloss.Red).Bold(true),
		warn:  lipgloss.NewStyle().Foreground(lipgloss.Yellow).Bold(true),
		info:  lipgloss.NewStyle().Foreground(lipgloss.Cyan),
	}
	if a.color(w) {
		p.profile = colorprofile.ANSI
	}
	return p
}

// render styles text when the profile has colour; plain text otherwise.
func (p palette) render(s lipgloss.Style, text string) string {
	if p.profile <= colorprofile.Ascii {
		return text
	}
	return s.Render(text)
}

func (p palette) status(st check.Status, text string) string {
	switch st {
	case check.Pass:
		return p.render(p.pass, text)
	case check.Fail:
		return p.render(p.fail, text)
	case check.Warn:
		return p.render(p.warn, text)
	}
	return p.render(p.faint, text)
}

func (p palette) severity(sev flows.Severity, text string) string {
	switch sev {
	case flows.SeverityPass:
		return p.render(p.pass, text)
	case flows.SeverityInfo:
		return p.render(p.info, text)
	case flows.SeverityWarn:
		return p.render(p.warn, text)
	case flows.SeverityFail:
		return p.render(p.fail, text)
	}
	return text
}

// checkStyles hands the palette to the check report.
func (p palette) checkStyles() check.TextStyles {
	if p.profile <= colorprofile.Ascii {
		return check.TextStyles{}
	}
	return check.TextStyles{Status: p.status, Faint: func(s string) string { return p.render(p.faint, s) }}
}
