package ui

import (
	"bytes"
	"encoding/json"
	"io"
	"strconv"
	"strings"

	"oauthdeck/client/safe"

	"github.com/charmbracelet/x/ansi"
)

// renderJSON pretty-prints raw JSON with colours, keeping the server's key
// order, and sanitising every string. notes maps a top-level key to lines
// shown right under that key's value (the Discovery verdicts). If raw is
// not JSON it is shown as sanitised text.
func renderJSON(st *Styles, raw []byte, notes map[string][]string, width int) string {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var b strings.Builder
	p := jsonPrinter{st: st, width: width, dec: dec, b: &b, notes: notes}
	if err := p.value(0, ""); err != nil {
		return st.Warn.Render("(not JSON: "+safe.Line(err.Error())+")") + "\n" + safe.Text(string(raw))
	}
	return strings.TrimRight(b.String(), "\n")
}

type jsonPrinter struct {
	st    *Styles
	width int
	dec   *json.Decoder
	b     *strings.Builder
	notes map[string][]string
}

func (p *jsonPrinter) indent(depth int) string { return strings.Repeat("  ", depth) }

// value prints one JSON value (the next token) at depth; topKey is the
// top-level key it belongs to, for notes.
func (p *jsonPrinter) value(depth int, topKey string) error {
	tok, err := p.dec.Token()
	if err != nil {
		return err
	}
	if err := p.render(tok, depth, topKey); err != nil {
		return err
	}
	if depth == 0 {
		if _, err := p.dec.Token(); err != io.EOF {
			return errTrailingData
		}
	}
	return nil
}

// render prints a value whose first token has been read.
func (p *jsonPrinter) render(tok json.Token, depth int, topKey string) error {
	st := p.st
	d, ok := tok.(json.Delim)
	if !ok {
		p.b.WriteString(p.scalar(tok))
		return nil
	}
	if d == '[' {
		return p.array(depth, topKey)
	}
	p.b.WriteString(st.JSONPunct.Render("{"))
	if !p.dec.More() {
		_, _ = p.dec.Token()
		p.b.WriteString(st.JSONPunct.Render("}"))
		return nil
	}
	p.b.WriteString("\n")
	for p.dec.More() {
		p.b.WriteString(p.indent(depth + 1))
		kt, err := p.dec.Token()
		if err != nil {
			return err
		}
		k, _ := kt.(string)
		key := topKey
		if depth == 0 {
			key = k
		}
		p.b.WriteString(st.JSONKey.Render(strconv.Quote(safe.Line(k))) + st.JSONPunct.Render(": "))
		if err := p.value(depth+1, key); err != nil {
			return err
		}
		if p.dec.More() {
			p.b.WriteString(st.JSONPunct.Render(","))
		}
		if depth == 0 {
			p.notesFor(key, depth+1)
		}
		if p.dec.More() {
			p.b.WriteString("\n")
		}
	}
	if _, err := p.dec.Token(); err != nil {
		return err
	}
	p.b.WriteString("\n" + p.indent(depth) + st.JSONPunct.Render("}"))
	return nil
}

// array prints a list of scalars compactly, wrapped to the width (scope
// lists run to dozens of names); other lists one item per line.
func (p *jsonPrinter) array(depth int, topKey string) error {
	st := p.st
	var items []string // plain text, for measuring
	var styled []string
	for p.dec.More() {
		tok, err := p.dec.Token()
		if err != nil {
			return err
		}
		if _, isDelim := tok.(json.Delim); isDelim {
			return p.arrayLong(depth, topKey, styled, tok)
		}
		styled = append(styled, p.scalar(tok))
		items = append(items, ansi.Strip(styled[len(styled)-1]))
	}
	if _, err := p.dec.Token(); err != nil {
		return err
	}
	p.b.WriteString(st.JSONPunct.Render("["))
	sofar := p.b.String()
	col := ansi.StringWidth(sofar[strings.LastIndexByte(sofar, '\n')+1:])
	limit := max(p.width-2, 40)
	for i := range styled {
		if i > 0 {
			p.b.WriteString(st.JSONPunct.Render(","))
			col++
			if col+1+ansi.StringWidth(items[i]) > limit {
				p.b.WriteString("\n" + p.indent(depth+1))
				col = (depth + 1) * 2
			} else {
				p.b.WriteString(" ")
				col++
			}
		}
		p.b.WriteString(styled[i])
		col += ansi.StringWidth(items[i])
	}
	p.b.WriteString(st.JSONPunct.Render("]"))
	return nil
}

// arrayLong finishes an array holding objects or arrays, one item per line;
// styled are the scalars already read and next the token just read.
func (p *jsonPrinter) arrayLong(depth int, topKey string, styled []string, next json.Token) error {
	st := p.st
	p.b.WriteString(st.JSONPunct.Render("[") + "\n")
	for _, s := range styled {
		p.b.WriteString(p.indent(depth+1) + s + st.JSONPunct.Render(",") + "\n")
	}
	p.b.WriteString(p.indent(depth + 1))
	if err := p.render(next, depth+1, topKey); err != nil {
		return err
	}
	for p.dec.More() {
		p.b.WriteString(st.JSONPunct.Render(",") + "\n" + p.indent(depth+1))
		if err := p.value(depth+1, topKey); err != nil {
			return err
		}
	}
	if _, err := p.dec.Token(); err != nil {
		return err
	}
	p.b.WriteString("\n" + p.indent(depth) + st.JSONPunct.Render("]"))
	return nil
}

func (p *jsonPrinter) scalar(tok json.Token) string {
	st := p.st
	switch t := tok.(type) {
	case string:
		return st.JSONString.Render(strconv.Quote(safe.Line(t)))
	case json.Number:
		return st.JSONNumber.Render(t.String())
	case bool:
		return st.JSONBool.Render(strconv.FormatBool(t))
	}
	return st.JSONNull.Render("null")
}

type jsonErr string

func (e jsonErr) Error() string { return string(e) }

const errTrailingData = jsonErr("trailing data after the JSON value")

// notesFor writes the notes of a top-level key after its value; they sit on
// their own lines, so the JSON stays readable at 80 columns.
func (p *jsonPrinter) notesFor(key string, depth int) {
	lines := p.notes[key]
	if len(lines) == 0 {
		return
	}
	for _, l := range lines {
		p.b.WriteString("\n" + p.indent(depth) + "  " + l)
	}
	delete(p.notes, key) // each note once
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
