package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"

	"oauthdeck/client/safe"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"
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
	widths [][]int // display width of each cell, computed once
}

func newTable(header ...string) *table { return &table{header: header} }

func (t *table) add(cells ...string) {
	row := make([]string, len(t.header))
	widths := make([]int, len(t.header))
	for i := range row {
		if i < len(cells) {
			row[i] = safe.Line(cells[i])
			widths[i] = cellWidth(row[i])
		}
	}
	t.rows = append(t.rows, row)
	t.widths = append(t.widths, widths)
}

// cellWidth is the display width of s; plain ASCII (the usual case: IDs,
// URLs) skips grapheme segmentation.
func cellWidth(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return ansi.StringWidth(s)
		}
	}
	return len(s)
}

func (t *table) write(w io.Writer, p palette) error {
	widths := make([]int, len(t.header))
	headerWidths := make([]int, len(t.header))
	for i, h := range t.header {
		headerWidths[i] = cellWidth(h)
		widths[i] = headerWidths[i]
	}
	for _, rw := range t.widths {
		for i, w := range rw {
			widths[i] = max(widths[i], w)
		}
	}
	var b bytes.Buffer
	var l []byte
	line := func(cells []string, cellWidths []int, bold bool) {
		l = l[:0]
		for i, c := range cells {
			l = append(l, c...)
			if i < len(cells)-1 {
				for range widths[i] - cellWidths[i] + 2 {
					l = append(l, ' ')
				}
			}
		}
		l = bytes.TrimRight(l, " ") // no trailing blanks when the last cells are empty
		if bold {
			b.WriteString(p.render(p.bold, string(l)))
		} else {
			b.Write(l)
		}
		b.WriteByte('\n')
	}
	line(t.header, headerWidths, true)
	for i, r := range t.rows {
		line(r, t.widths[i], false)
	}
	_, err := b.WriteTo(w)
	return err
}

// writeJSON prints v indented. encoding/json escapes only the C0 controls;
// the other characters a terminal acts on (DEL, C1 controls such as the
// 8-bit CSI, bidi overrides) are escaped here too, so server text cannot
// reach the terminal raw through JSON, and decoders still get the same strings.
func writeJSON(w io.Writer, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(escapeInertJSON(b.Bytes()))
	return err
}

// jsonArray writes a JSON array an item at a time, byte for byte as
// writeJSON would write the whole slice (for valid UTF-8, which decoded
// values are), so a long list is never held.
type jsonArray struct {
	w   *bufio.Writer
	n   int
	buf bytes.Buffer
}

var itemOptions = jsonv2.JoinOptions(jsonv1.DefaultOptionsV1(), jsontext.WithIndentPrefix("  "), jsontext.WithIndent("  "))

func newJSONArray(w io.Writer) *jsonArray { return &jsonArray{w: bufio.NewWriterSize(w, 64<<10)} }

func (a *jsonArray) add(v any) error {
	a.buf.Reset()
	// encoding/json's output (v1 options), indented as it goes by the json
	// v2 engine: encoding/json re-indents each item in a second pass, which
	// was a third of listing 100,000 apps.
	if err := jsonv2.MarshalWrite(&a.buf, v, itemOptions); err != nil {
		return err
	}
	sep := ",\n  "
	if a.n == 0 {
		sep = "[\n  "
	}
	a.n++
	_, _ = a.w.WriteString(sep)
	_, err := a.w.Write(escapeInertJSON(bytes.TrimSuffix(a.buf.Bytes(), []byte("\n"))))
	return err
}

func (a *jsonArray) close() error {
	end := "\n]\n"
	if a.n == 0 {
		end = "[]\n"
	}
	_, _ = a.w.WriteString(end)
	return a.w.Flush()
}

// escapeInertJSON writes as \uXXXX every rune that safe.Line would
// replace. Outside strings JSON is plain ASCII, so each such rune sits in a
// string, where the escape means the same.
func escapeInertJSON(js []byte) []byte {
	if !slices.ContainsFunc(js, func(c byte) bool { return c >= 0x7f }) {
		return js
	}
	out := make([]byte, 0, len(js)+16)
	for i := 0; i < len(js); {
		r, size := utf8.DecodeRune(js[i:])
		if r == utf8.RuneError && size == 1 {
			out = append(out, `\ufffd`...) // a stray byte from a raw document (metadata -o json)
		} else if s := string(r); r >= 0x7f && safe.Line(s) != s {
			if r > 0xffff { // outside the BMP: a UTF-16 surrogate pair, as JSON spells it
				hi, lo := utf16.EncodeRune(r)
				out = fmt.Appendf(out, `\u%04x\u%04x`, hi, lo)
			} else {
				out = fmt.Appendf(out, `\u%04x`, r)
			}
		} else {
			out = append(out, js[i:i+size]...)
		}
		i += size
	}
	return out
}

// keyValues prints aligned "key: value" lines, values sanitised.
func writeKeyValues(w io.Writer, pairs [][2]string) error {
	width := 0
	for _, p := range pairs {
		width = max(width, len(p[0]))
	}
	var b strings.Builder
	for _, p := range pairs {
		fmt.Fprintf(&b, "%-*s  %s\n", width+1, p[0]+":", safe.Line(p[1]))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
