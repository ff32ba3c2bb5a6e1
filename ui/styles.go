package ui

import (
	"image/color"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	"charm.land/lipgloss/v2"
)

// Styles is the one set of styles every screen draws with. It is rebuilt
// (NewStyles) when the terminal reports its background colour, so screens
// must read it through Common each time rather than keep copies.
//
// Colour is never the only signal: selection also has a marker, verdicts a
// symbol, so NO_COLOR terminals (which Bubble Tea downsamples to plain
// text) stay usable.
type Styles struct {
	IsDark bool

	Tab       lipgloss.Style
	TabActive lipgloss.Style
	TabBar    lipgloss.Style

	Title    lipgloss.Style
	Subtle   lipgloss.Style
	Faint    lipgloss.Style
	Bold     lipgloss.Style
	Label    lipgloss.Style // field labels in detail views
	Value    lipgloss.Style
	Selected lipgloss.Style // the selected row of a list
	Header   lipgloss.Style // table header row
	Border   lipgloss.Style // framed boxes (dialogs, panes)
	Focused  lipgloss.Style // framed box that has focus
	Dialog   lipgloss.Style
	Secret   lipgloss.Style // masked or revealed secret values

	OK    lipgloss.Style
	Warn  lipgloss.Style
	Error lipgloss.Style
	Info  lipgloss.Style

	// JSON colouring (Discovery, Requests).
	JSONKey    lipgloss.Style
	JSONString lipgloss.Style
	JSONNumber lipgloss.Style
	JSONBool   lipgloss.Style
	JSONNull   lipgloss.Style
	JSONPunct  lipgloss.Style

	StatusBar   lipgloss.Style
	StatusKey   lipgloss.Style
	StatusValue lipgloss.Style

	Help      help.Styles
	TextInput textinput.Styles
	TextArea  textarea.Styles

	Accent color.Color
}

// NewStyles builds the styles for a dark or light background.
func NewStyles(isDark bool) *Styles {
	ld := lipgloss.LightDark(isDark)
	var (
		accent  = ld(lipgloss.Color("#5A3FC0"), lipgloss.Color("#9D8CFF"))
		fg      = ld(lipgloss.Color("#1F1F24"), lipgloss.Color("#E6E6EA"))
		subtle  = ld(lipgloss.Color("#5E5E6A"), lipgloss.Color("#9A9AA6"))
		faint   = ld(lipgloss.Color("#8A8A96"), lipgloss.Color("#6A6A76"))
		selBg   = ld(lipgloss.Color("#DCD6FF"), lipgloss.Color("#3B3366"))
		barBg   = ld(lipgloss.Color("#E8E6F0"), lipgloss.Color("#25232F"))
		green   = ld(lipgloss.Color("#1A7F37"), lipgloss.Color("#5FD787"))
		yellow  = ld(lipgloss.Color("#9A6700"), lipgloss.Color("#E5C07B"))
		red     = ld(lipgloss.Color("#C4262E"), lipgloss.Color("#FF6B6B"))
		blue    = ld(lipgloss.Color("#0B61C4"), lipgloss.Color("#6CB6FF"))
		magenta = ld(lipgloss.Color("#8839C4"), lipgloss.Color("#D19AFF"))
	)
	base := lipgloss.NewStyle()
	s := &Styles{IsDark: isDark, Accent: accent}

	s.Tab = base.Foreground(subtle)
	s.TabActive = base.Bold(true).Foreground(accent)
	s.TabBar = base

	s.Title = base.Bold(true).Foreground(accent)
	s.Subtle = base.Foreground(subtle)
	s.Faint = base.Foreground(faint)
	s.Bold = base.Bold(true)
	s.Label = base.Foreground(subtle)
	s.Value = base.Foreground(fg)
	s.Selected = base.Background(selBg).Foreground(fg).Bold(true)
	s.Header = base.Bold(true).Foreground(subtle)
	s.Border = base.Border(lipgloss.RoundedBorder()).BorderForeground(faint).Padding(0, 1)
	s.Focused = base.Border(lipgloss.RoundedBorder()).BorderForeground(accent).Padding(0, 1)
	s.Dialog = base.Border(lipgloss.RoundedBorder()).BorderForeground(accent).Padding(1, 2)
	s.Secret = base.Foreground(magenta)

	s.OK = base.Foreground(green)
	s.Warn = base.Foreground(yellow)
	s.Error = base.Foreground(red)
	s.Info = base.Foreground(blue)

	s.JSONKey = base.Foreground(blue)
	s.JSONString = base.Foreground(green)
	s.JSONNumber = base.Foreground(yellow)
	s.JSONBool = base.Foreground(magenta)
	s.JSONNull = base.Foreground(faint)
	s.JSONPunct = base.Foreground(subtle)

	s.StatusBar = base.Background(barBg).Foreground(fg)
	s.StatusKey = base.Background(barBg).Foreground(accent).Bold(true)
	s.StatusValue = base.Background(barBg).Foreground(fg)

	s.Help = help.DefaultStyles(isDark)
	s.TextInput = textinput.DefaultStyles(isDark)
	s.TextArea = textarea.DefaultStyles(isDark)
	// A steady cursor: no blink timer repainting the screen twice a second.
	s.TextInput.Cursor.Blink = false
	s.TextArea.Cursor.Blink = false
	return s
}
