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
	style, ok := map[check.Status]lipgloss.Style{check.Pass: p.pass, check.Fail: p.fail, check.Warn: p.warn}[st]
	if !ok {
		style = p.faint // skip, and anything newer
	}
	return p.render(style, text)
}

func (p palette) severity(sev flows.Severity, text string) string {
	style, ok := map[flows.Severity]lipgloss.Style{flows.SeverityPass: p.pass, flows.SeverityInfo: p.info,
		flows.SeverityWarn: p.warn, flows.SeverityFail: p.fail}[sev]
	if !ok {
		return text
	}
	return p.render(style, text)
}

// checkStyles hands the palette to the check report.
func (p palette) checkStyles() check.TextStyles {
	if p.profile <= colorprofile.Ascii {
		return check.TextStyles{}
	}
	return check.TextStyles{Status: p.status, Faint: func(s string) string { return p.render(p.faint, s) }}
}
