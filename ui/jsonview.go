package ui

import (
	"bytes"
	"encoding/json"
	"io"
	"strconv"
	"strings"

	"oauthdeck/client"
)

// renderJSON pretty-prints raw JSON with colours, keeping the server's key
// order, and sanitising every string. notes maps a top-level key to lines
// shown right under that key's value (the Discovery verdicts). If raw is
// not JSON it is shown as sanitised text.
func renderJSON(st *Styles, raw []byte, notes map[string][]string) string {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var b strings.Builder
	p := jsonPrinter{st: st, dec: dec, b: &b, notes: notes}
	if err := p.value(0, ""); err != nil {
		return st.Warn.Render("(not JSON: "+client.SanitizeLine(err.Error())+")") + "\n" + client.SanitizeText(string(raw))
	}
	return strings.TrimRight(b.String(), "\n")
}

type jsonPrinter struct {
	st    *Styles
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
	st := p.st
	switch t := tok.(type) {
	case json.Delim:
		closer := "}"
		if t == '[' {
			closer = "]"
		}
		p.b.WriteString(st.JSONPunct.Render(string(t)))
		if !p.dec.More() {
			_, _ = p.dec.Token()
			p.b.WriteString(st.JSONPunct.Render(closer))
			return nil
		}
		p.b.WriteString("\n")
		for p.dec.More() {
			p.b.WriteString(p.indent(depth + 1))
			key := topKey
			if t == '{' {
				kt, err := p.dec.Token()
				if err != nil {
					return err
				}
				k, _ := kt.(string)
				if depth == 0 {
					key = k
				}
				p.b.WriteString(st.JSONKey.Render(strconv.Quote(client.SanitizeLine(k))) + st.JSONPunct.Render(": "))
			}
			if err := p.value(depth+1, key); err != nil {
				return err
			}
			if p.dec.More() {
				p.b.WriteString(st.JSONPunct.Render(","))
			}
			if depth == 0 && t == '{' {
				p.notesFor(key, depth+1)
			}
			if p.dec.More() {
				p.b.WriteString("\n")
			}
		}
		if _, err := p.dec.Token(); err != nil {
			return err
		}
		p.b.WriteString("\n" + p.indent(depth) + st.JSONPunct.Render(closer))
	case string:
		p.b.WriteString(st.JSONString.Render(strconv.Quote(client.SanitizeLine(t))))
	case json.Number:
		p.b.WriteString(st.JSONNumber.Render(t.String()))
	case bool:
		p.b.WriteString(st.JSONBool.Render(strconv.FormatBool(t)))
	case nil:
		p.b.WriteString(st.JSONNull.Render("null"))
	}
	if depth == 0 {
		if _, err := p.dec.Token(); err != io.EOF {
			return errTrailingData
		}
	}
	return nil
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
