package ui

import (
	"errors"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"oauthdeck/client/safe"
	"oauthdeck/flows"
	"oauthdeck/keyring"
)

// The flow form says, before start, what the chosen existing app will run
// into: a secret that is not kept anywhere (the exchange is refused) or a
// redirect URI the loopback listener cannot take (browser and paste).

// keptState is what the store holds for the form's app.
type keptState int

const (
	keptUnknown keptState = iota // still reading
	keptYes
	keptNo
	keptUnreadable
)

// flowKeptMsg answers the form's look-up of the app's kept secret.
type flowKeptMsg struct {
	appID string
	state keptState
}

// lookupKept reads, off the loop, whether the store keeps a secret for app.
func (s *flowOptionsForm) lookupKept() tea.Cmd {
	sess := s.c.Session()
	if s.app == nil || sess == nil {
		return nil
	}
	ctx, store, url, id := s.ctx, s.c.Deps.Store, sess.URL, s.app.ID
	return func() tea.Msg {
		_, err := lookupClientSecret(ctx, store, url, id)
		switch {
		case err == nil:
			return flowKeptMsg{id, keptYes}
		case errors.Is(err, keyring.ErrNotFound):
			return flowKeptMsg{id, keptNo}
		default:
			return flowKeptMsg{id, keptUnreadable}
		}
	}
}

// appOutlook is the Client field's hint for an existing app: what will
// happen with it, a warning first.
func (s *flowOptionsForm) appOutlook() string {
	app, consent := s.app, consentValues[s.consent.choice]
	var warn []string
	if consent != consentAuto && s.callback.value() == "" && app.CallbackURL != "" { // the flow's callback: the app's
		if problem := flows.ListenerURIProblem(app.CallbackURL); problem != "" {
			warn = append(warn, "⚠ its redirect URI is not one the loopback listener can take ("+problem+"): type a loopback Redirect URI the app accepts, use automatic consent, or pick a new app")
		}
	}
	switch {
	case app.ClientType == "public":
		warn = append(warn, "a public client: no secret is sent")
	case s.secret.value() != "":
		warn = append(warn, "uses the secret you typed")
	case s.kept == keptYes:
		warn = append(warn, "uses its secret kept in "+keptIn(s.c.Deps.Store))
	case s.kept == keptNo:
		warn = append(warn, "⚠ no secret of "+safe.Line(app.Name)+" is kept here: type it below, or the exchange will be refused (401 invalid_client); a new app comes with one")
	case s.kept == keptUnreadable:
		warn = append(warn, "⚠ the kept secret could not be read: type it below")
	default:
		warn = append(warn, "looking for its kept secret…")
	}
	out := warn[0]
	for _, w := range warn[1:] {
		out += "; " + w
	}
	return out
}

// clientHints say what a new app and a registration do.
var clientHints = map[flows.ClientMode]string{
	flows.ClientCreate:   "a fresh app with a secret, made through the admin API: works end to end",
	flows.ClientRegister: "registers a client as MCP clients do (RFC 7591); needs registration open on the deployment",
}

// flowScopesMsg carries the server's scopes_supported to the form, for
// completing the Scope field.
type flowScopesMsg struct {
	gen    uint64 // the session's: a reply for another deployment is dropped
	scopes []string
}

// lookupScopes reads scopes_supported off the loop.
func (s *flowOptionsForm) lookupScopes() tea.Cmd {
	api := s.c.API()
	if api == nil {
		return nil
	}
	ctx, gen := s.ctx, s.c.SessionGen()
	return func() tea.Msg {
		md, err := api.AuthorizationServerMetadata(ctx, "")
		if err != nil {
			return nil
		}
		scopes := make([]string, 0, len(md.Doc.ScopesSupported))
		for _, sc := range md.Doc.ScopesSupported {
			if sc = safe.Line(sc); sc != "" && !strings.ContainsAny(sc, " \t") {
				scopes = append(scopes, sc)
			}
		}
		return flowScopesMsg{gen, scopes}
	}
}

// suggestScopes offers, for the word being typed, the server's scopes not
// already in the field (→ accepts), and says which typed ones it does not
// advertise (RFC 8414 §2 allows a partial list; a negative test may want one).
func (s *flowOptionsForm) suggestScopes() { suggestScopes(s.scope, s.scopes) }

// suggestScopes is the per-word completion of a scope field from the
// server's scopes_supported, shared by the flow form and scope try.
func suggestScopes(field *formField, scopes []string) {
	if len(scopes) == 0 {
		return
	}
	v := field.input.Value()
	prefix := v[:strings.LastIndex(v, " ")+1]
	have := strings.Fields(v)
	var sugg []string
	for _, sc := range scopes {
		if !slices.Contains(have, sc) {
			sugg = append(sugg, prefix+sc)
		}
	}
	field.input.SetSuggestions(sugg)
	var unknown []string
	for _, sc := range have {
		if !slices.Contains(scopes, sc) {
			unknown = append(unknown, sc)
		}
	}
	field.hint = "→ completes from the server's scopes_supported (" + itoa(len(scopes)) + "); empty: no scope parameter"
	if len(unknown) > 0 {
		field.hint = "! not in scopes_supported: " + strings.Join(unknown, " ") + " (the server does not advertise it: expect invalid_scope, or the scope ignored); " + field.hint
	}
}
