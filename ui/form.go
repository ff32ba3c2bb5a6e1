package ui

import (
	"strings"

	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// formField is one labelled input of a form: a single-line textinput, a
// multi-line textarea, or a choice between fixed options.
type formField struct {
	label    string
	hint     string
	input    textinput.Model
	area     *textarea.Model
	choices  []string
	choice   int
	hidden   bool
	secret   bool // masked; ctrl+r shows it while typing
	err      string
	validate func(string) string // inline check; "" means fine
}

func (f *formField) value() string {
	switch {
	case f.area != nil:
		return f.area.Value()
	case f.choices != nil:
		return f.choices[f.choice]
	}
	return f.input.Value()
}

func (f *formField) check() {
	if f.validate != nil && !f.hidden {
		f.err = f.validate(f.value())
	}
}

// form moves focus between fields, validates each as it is edited, and
// reports a submit. The screen that owns it does the work.
type form struct {
	c      *Common
	fields []*formField
	focus  int
	clean  []string // the values when the form opened, for dirty
}

// markClean remembers the current values as the unchanged state.
func (f *form) markClean() {
	f.clean = f.clean[:0]
	for _, fl := range f.fields {
		f.clean = append(f.clean, fl.value())
	}
}

// dirty reports a value changed since markClean.
func (f *form) dirty() bool {
	for i, fl := range f.fields {
		if i < len(f.clean) && fl.value() != f.clean[i] {
			return true
		}
	}
	return false
}

// confirmDiscard is a form screen's Back: when something was typed, esc
// asks before throwing it away (y closes the form, n goes on editing).
func (f *form) confirmDiscard(s screen) (tea.Cmd, bool) {
	if !f.dirty() {
		return nil, false
	}
	return f.c.Confirm("Discard your changes?", "What you typed in this form is lost.", cmdOf(popScreenMsg{s})), true
}

func newTextField(c *Common, label, placeholder string, secret bool) *formField {
	ti := textinput.New()
	ti.Placeholder = placeholder
	ti.SetStyles(c.Styles.TextInput)
	ti.CharLimit = 4096
	if secret {
		ti.EchoMode = textinput.EchoPassword
		ti.EchoCharacter = '•'
	}
	return &formField{label: label, input: ti, secret: secret}
}

func newAreaField(c *Common, label, placeholder string) *formField {
	ta := textarea.New()
	ta.Placeholder = placeholder
	ta.ShowLineNumbers = true
	ta.SetStyles(c.Styles.TextArea)
	ta.SetHeight(4)
	ta.CharLimit = 32 * 2100
	return &formField{label: label, area: &ta}
}

func newChoiceField(label string, choices ...string) *formField {
	return &formField{label: label, choices: choices}
}

func (f *form) visible() []int {
	var out []int
	for i, fl := range f.fields {
		if !fl.hidden {
			out = append(out, i)
		}
	}
	return out
}

func (f *form) focused() *formField { return f.fields[f.focus] }

// focusCmd focuses field i (blurring the others).
func (f *form) focusField(i int) tea.Cmd {
	f.focus = i
	var cmd tea.Cmd
	for j, fl := range f.fields {
		switch {
		case fl.area != nil && j == i:
			cmd = fl.area.Focus()
		case fl.area != nil:
			fl.area.Blur()
		case fl.choices != nil:
		case j == i:
			cmd = fl.input.Focus()
		default:
			fl.input.Blur()
		}
	}
	return cmd
}

func (f *form) step(d int) tea.Cmd {
	vis := f.visible()
	for k, i := range vis {
		if i == f.focus {
			return f.focusField(vis[(k+d+len(vis))%len(vis)])
		}
	}
	if len(vis) > 0 {
		return f.focusField(vis[0])
	}
	return nil
}

func (f *form) restyle() {
	for _, fl := range f.fields {
		if fl.area != nil {
			fl.area.SetStyles(f.c.Styles.TextArea)
		} else if fl.choices == nil {
			fl.input.SetStyles(f.c.Styles.TextInput)
		}
	}
}

func (f *form) setWidth(w int) {
	for _, fl := range f.fields {
		if fl.area != nil {
			fl.area.SetWidth(max(w-4, 20))
		} else if fl.choices == nil {
			fl.input.SetWidth(max(w-6, 10))
		}
	}
}

// update handles a message for the focused field. submit is true when the
// user asked to save (ctrl+s anywhere, enter on the last single-line field).
func (f *form) update(msg tea.Msg) (submit bool, cmd tea.Cmd) {
	fl := f.focused()
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case k.String() == "ctrl+s":
			return true, nil
		case k.String() == "ctrl+r" && fl.secret:
			if fl.input.EchoMode == textinput.EchoPassword {
				fl.input.EchoMode = textinput.EchoNormal
			} else {
				fl.input.EchoMode = textinput.EchoPassword
			}
			return false, nil
		case k.String() == "tab" || k.String() == "shift+tab":
			if k.String() == "tab" {
				return false, f.step(1)
			}
			return false, f.step(-1)
		case fl.area == nil && (k.String() == "down" || k.String() == "up"):
			if k.String() == "down" {
				return false, f.step(1)
			}
			return false, f.step(-1)
		case fl.area == nil && k.String() == "enter":
			vis := f.visible()
			if vis[len(vis)-1] == f.focus {
				return true, nil
			}
			return false, f.step(1)
		case fl.choices != nil && (k.String() == "left" || k.String() == "right" || k.String() == "space"):
			d := 1
			if k.String() == "left" {
				d = -1
			}
			fl.choice = (fl.choice + d + len(fl.choices)) % len(fl.choices)
			return false, nil
		}
	}
	switch {
	case fl.area != nil:
		a, c := fl.area.Update(msg)
		*fl.area = a
		cmd = c
	case fl.choices != nil:
	default:
		fl.input, cmd = fl.input.Update(msg)
	}
	if _, ok := msg.(tea.KeyPressMsg); ok {
		fl.check()
	}
	if _, ok := msg.(tea.PasteMsg); ok {
		fl.check()
	}
	return false, cmd
}

// valid runs every check and reports whether all pass (focusing the first
// failing field).
func (f *form) valid() bool {
	first := -1
	for i, fl := range f.fields {
		fl.check()
		if fl.err != "" && !fl.hidden && first < 0 {
			first = i
		}
	}
	if first >= 0 {
		f.focusField(first)
		return false
	}
	return true
}

func (f *form) view(w int) string {
	var b strings.Builder
	for i, fl := range f.fields {
		if !fl.hidden {
			b.WriteString(f.fieldBlock(i, w))
		}
	}
	return b.String()
}

// viewFit is view in at most h lines: when the fields do not fit, a window
// of whole fields around the focused one, with a line saying what is
// above and below, so the form's own footer (how to submit) stays visible.
func (f *form) viewFit(w, h int) string {
	full := f.view(w)
	if strings.Count(full, "\n") <= h {
		return full
	}
	var blocks []string
	focus := 0
	for i, fl := range f.fields {
		if fl.hidden {
			continue
		}
		if i == f.focus {
			focus = len(blocks)
		}
		blocks = append(blocks, f.fieldBlock(i, w))
	}
	lines := func(s string) int { return strings.Count(s, "\n") }
	from, to, used := focus, focus+1, lines(blocks[focus])
	budget := max(h-2, 1) // the two "more" lines
	for grew := true; grew; {
		grew = false
		if to < len(blocks) && used+lines(blocks[to]) <= budget {
			used += lines(blocks[to])
			to++
			grew = true
		}
		if from > 0 && used+lines(blocks[from-1]) <= budget {
			from--
			used += lines(blocks[from])
			grew = true
		}
	}
	st := f.c.Styles
	var b strings.Builder
	if from > 0 {
		b.WriteString(st.Faint.Render("  ↑ "+itoa(from)+" more field(s) above") + "\n")
	}
	b.WriteString(strings.Join(blocks[from:to], ""))
	if to < len(blocks) {
		b.WriteString(st.Faint.Render("  ↓ "+itoa(len(blocks)-to)+" more field(s) below") + "\n")
	}
	return b.String()
}

// fieldBlock is one field: its label, its input or choices, and its error
// or hint, each line ending in a newline.
func (f *form) fieldBlock(i, w int) string {
	st := f.c.Styles
	fl := f.fields[i]
	var b strings.Builder
	label := fl.label
	if fl.secret {
		label += "  (hidden · ctrl+r shows)"
		if fl.input.EchoMode == textinput.EchoNormal {
			label = fl.label + "  (shown · ctrl+r hides)"
		}
	}
	if i == f.focus {
		label = st.Title.Render("▸ " + label)
	} else {
		label = st.Label.Render("  " + label)
	}
	b.WriteString(label + "\n")
	switch {
	case fl.area != nil:
		b.WriteString(indent(fl.area.View(), "  ") + "\n")
	case fl.choices != nil:
		b.WriteString(choiceLines(st, fl, w))
	default:
		b.WriteString("  " + fl.input.View() + "\n")
	}
	switch {
	case fl.err != "":
		b.WriteString(st.Error.Render(indent(wrapText("✗ "+fl.err, w-4), "  ")) + "\n")
	case fl.hint != "":
		b.WriteString(st.Faint.Render(indent(wrapText(fl.hint, w-4), "  ")) + "\n")
	}
	return b.String()
}

// choiceLines lays a choice field's options out in rows of at most w
// cells, breaking between options, never inside one.
func choiceLines(st *Styles, fl *formField, w int) string {
	var b strings.Builder
	row, rowW := "  ", 2
	for j, c := range fl.choices {
		text := "( ) " + c
		styled := st.Subtle.Render(text)
		if j == fl.choice {
			text = "(●) " + c
			styled = st.Selected.Render(text)
		}
		cw := lipgloss.Width(text)
		if rowW > 2 && rowW+2+cw > w {
			b.WriteString(row + "\n")
			row, rowW = "  ", 2
		}
		if rowW > 2 {
			row, rowW = row+"  ", rowW+2
		}
		row, rowW = row+styled, rowW+cw
	}
	b.WriteString(row + "\n")
	return b.String()
}

func indent(s, pre string) string {
	return pre + strings.ReplaceAll(s, "\n", "\n"+pre)
}

// wrapText wraps plain text at w cells on spaces.
func wrapText(s string, w int) string {
	if w <= 10 {
		return s
	}
	var out []string
	for _, para := range strings.Split(s, "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			if line != "" && len([]rune(line))+1+len([]rune(word)) > w {
				out = append(out, line)
				line = word
				continue
			}
			if line != "" {
				line += " "
			}
			line += word
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}
