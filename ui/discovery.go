package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"oauthdeck/client"
	"oauthdeck/client/safe"
	"oauthdeck/flows"
)

// discoveryScreen shows the authorization-server and protected-resource
// metadata documents, coloured, with each check's verdict under the field
// it is about.
type discoveryScreen struct {
	base
	vp     viewport.Model
	as     *client.Discovered[client.ASMetadata]
	pr     *client.Discovered[client.PRMetadata]
	asErr  error
	prErr  error
	loaded bool
}

type discoveryLoadedMsg struct {
	gen, sessionGen uint64
	as              *client.Discovered[client.ASMetadata]
	pr              *client.Discovered[client.PRMetadata]
	asErr, prErr    error
	taskID          int
}

func newDiscoveryScreen(c *Common) screen {
	s := &discoveryScreen{base: newBase(c)}
	s.vp = viewport.New()
	return s
}

func (s *discoveryScreen) Title() string { return "Discovery" }

func (s *discoveryScreen) KeyBindings() []key.Binding {
	km := s.c.Keys
	return []key.Binding{km.Refresh, km.Up, km.Down, km.PageUp, km.PageDown, km.Top, km.Bottom}
}

func (s *discoveryScreen) SetSize(w, h int) {
	s.base.SetSize(w, h)
	s.vp.SetWidth(w)
	s.vp.SetHeight(max(h-1, 1))
	s.render()
}

func (s *discoveryScreen) load() tea.Cmd {
	sess := s.c.Session()
	if sess == nil {
		s.as, s.pr, s.asErr, s.prErr, s.loaded = nil, nil, nil, nil, false
		s.render()
		return nil
	}
	api, base := sess.API, sess.URL
	gen, sgen, ctx := s.nextGen(), s.c.SessionGen(), s.freshCtx()
	id, spin := s.beginTask("Fetching discovery documents")
	return tea.Batch(spin, func() tea.Msg {
		out := discoveryLoadedMsg{gen: gen, sessionGen: sgen, taskID: id}
		if d, err := api.AuthorizationServerMetadata(ctx, ""); err == nil {
			out.as = &d
		} else {
			out.asErr = err
		}
		if d, err := api.ProtectedResourceMetadata(ctx, base, ""); err == nil {
			out.pr = &d
		} else {
			out.prErr = err
		}
		return out
	})
}

func (s *discoveryScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case sessionChangedMsg:
		return s.load()
	case discoveryLoadedMsg:
		s.endTask(msg.taskID)
		if !s.current(msg.gen) || msg.sessionGen != s.c.SessionGen() {
			return nil
		}
		s.loaded = true
		s.as, s.pr, s.asErr, s.prErr = msg.as, msg.pr, msg.asErr, msg.prErr
		s.render()
		return nil
	case stylesChangedMsg:
		s.render()
		return nil
	case tea.KeyPressMsg:
		if key.Matches(msg, s.c.Keys.Refresh) {
			return s.load()
		}
	}
	return scrollDoc(&s.vp, s.c.Keys, msg)
}

// render rebuilds the viewport content; it runs when data, size or styles
// change, never per frame.
func (s *discoveryScreen) render() {
	st := s.c.Styles
	var b strings.Builder
	sess := s.c.Session()
	switch {
	case sess == nil:
		b.WriteString(st.Subtle.Render("No deployment in use. Add or pick one in the Deployments tab (1)."))
	case !s.loaded:
		b.WriteString(st.Subtle.Render("Loading discovery documents…"))
	default:
		issuer := strings.TrimSuffix(sess.URL, "/")
		b.WriteString(st.Title.Render("Authorization server metadata") + st.Subtle.Render("  RFC 8414") + "\n")
		if s.as != nil {
			b.WriteString(docSection(st, s.width, s.as.URL, s.as.Tried, s.as.Raw, flows.CheckASMetadata(s.as.Doc, issuer), asFieldOf))
		} else {
			b.WriteString(errSection(st, s.asErr))
		}
		b.WriteString("\n\n" + st.Title.Render("Protected resource metadata") + st.Subtle.Render("  RFC 9728") + "\n")
		if s.pr != nil {
			var asDoc *client.ASMetadata
			if s.as != nil {
				asDoc = &s.as.Doc
			}
			b.WriteString(docSection(st, s.width, s.pr.URL, s.pr.Tried, s.pr.Raw, flows.CheckPRMetadata(s.pr.Doc, issuer, asDoc), prFieldOf))
		} else {
			b.WriteString(errSection(st, s.prErr))
		}
	}
	s.vp.SetContent(fitWidth(b.String(), max(s.width, 1)))
}

func errSection(st *Styles, err error) string {
	if lines := providerHelp(err); lines != nil {
		return st.Warn.Render(strings.Join(lines, "\n"))
	}
	return st.Error.Render("✗ " + explainError(err))
}

// docSection renders where a document came from, the document with its
// verdicts, and the verdicts about fields it lacks.
func docSection(st *Styles, width int, url string, tried []client.DiscoveryAttempt, raw []byte, findings []flows.Finding, fieldOf func(string) string) string {
	var b strings.Builder
	b.WriteString(st.Label.Render("from ") + safe.Line(url) + "\n")
	for _, t := range tried {
		if t.Err != "" {
			code := ""
			if t.StatusCode != 0 {
				code = " " + itoa(t.StatusCode)
			}
			b.WriteString(st.Faint.Render("  tried "+safe.Line(t.URL)+code+": "+safe.Line(t.Err)) + "\n")
		}
	}
	notes := map[string][]string{}
	var orphans []string
	present := topLevelKeys(raw)
	for _, f := range findings {
		line := findingLine(st, f, "↳ ")
		if k := fieldOf(f.ID); k != "" && present[k] {
			notes[k] = append(notes[k], line)
		} else {
			orphans = append(orphans, line)
		}
	}
	pass, warn, fail := countFindings(findings)
	b.WriteString(st.Label.Render("checks ") + st.OK.Render(itoa(pass)+" ✓") + "  " + st.Warn.Render(itoa(warn)+" !") + "  " + st.Error.Render(itoa(fail)+" ✗") + "\n")
	for _, o := range orphans {
		b.WriteString("  " + o + "\n")
	}
	b.WriteString(renderJSON(st, raw, notes, width))
	return b.String()
}

func countFindings(fs []flows.Finding) (pass, warn, fail int) {
	for _, f := range fs {
		switch f.Severity {
		case flows.SeverityPass:
			pass++
		case flows.SeverityWarn:
			warn++
		case flows.SeverityFail:
			fail++
		}
	}
	return
}

func topLevelKeys(raw []byte) map[string]bool {
	keys := map[string]bool{}
	var m map[string]any
	if jsonUnmarshal(raw, &m) == nil {
		for k := range m {
			keys[k] = true
		}
	}
	return keys
}

// asFieldOf maps a CheckASMetadata finding id to the field it is about.
func asFieldOf(id string) string {
	if f, ok := strings.CutPrefix(id, "as.https."); ok {
		return f
	}
	return map[string]string{
		"as.issuer":                 "issuer",
		"as.issuer-form":            "issuer",
		"as.authorization_endpoint": "authorization_endpoint",
		"as.token_endpoint":         "token_endpoint",
		"as.response_types":         "response_types_supported",
		"as.pkce":                   "code_challenge_methods_supported",
		"as.grant_types":            "grant_types_supported",
		"as.auth_methods":           "token_endpoint_auth_methods_supported",
		"as.revocation":             "revocation_endpoint",
		"as.registration":           "registration_endpoint",
		"as.iss":                    "authorization_response_iss_parameter_supported",
		"as.scopes":                 "scopes_supported",
	}[id]
}

// prFieldOf maps a CheckPRMetadata finding id to the field it is about.
func prFieldOf(id string) string {
	return map[string]string{
		"pr.resource":              "resource",
		"pr.authorization_servers": "authorization_servers",
		"pr.as-match":              "authorization_servers",
		"pr.bearer_methods":        "bearer_methods_supported",
		"pr.scopes":                "scopes_supported",
	}[id]
}

func (s *discoveryScreen) View() string {
	st := s.c.Styles
	head := st.Faint.Render("r refresh · ↑/↓ pgup/pgdn scroll")
	if s.loaded {
		head += st.Faint.Render("  " + itoa(int(s.vp.ScrollPercent()*100)) + "%")
	}
	return head + "\n" + s.vp.View()
}
