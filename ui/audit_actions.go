package ui

import (
	"context"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"oauthdeck/client/safe"
	"oauthdeck/flows/audit"
)

// deleteSecretKey is d on the Audit tab: it deletes the finding's secret.
func deleteSecretKey(km *KeyMap) key.Binding {
	return key.NewBinding(key.WithKeys(km.Delete.Keys()...), key.WithHelp("d", "delete the finding's secret"))
}

type auditSecretDeletedMsg struct {
	appID string
	err   error
}

// findingTarget is the raw app (and secret ID) a finding names, from the
// estate as read (a finding's own IDs are made safe for the screen).
func (s *auditScreen) findingTarget() (audit.AppState, string, bool) {
	f, ok := s.selected()
	if !ok || f.AppID == "" {
		return audit.AppState{}, "", false
	}
	for _, a := range s.estate.Apps {
		if safe.Line(a.App.ID) != f.AppID {
			continue
		}
		for _, sec := range a.Secrets {
			if f.SecretID != "" && safe.Line(sec.ID) == f.SecretID {
				return a, sec.ID, true
			}
		}
		return a, "", true
	}
	return audit.AppState{}, "", false
}

// rotateApp opens the rotation wizard for the finding's app.
func (s *auditScreen) rotateApp() tea.Cmd {
	a, _, ok := s.findingTarget()
	switch {
	case !ok:
		return s.c.Notify(noticeInfo, "This finding is not about one app")
	case a.Public():
		return s.c.Notify(noticeInfo, "A public client has no client secret to rotate")
	}
	return s.c.Push(newRotateScreen(s.c, a.App))
}

// deleteSecret deletes the finding's secret after a confirmation.
func (s *auditScreen) deleteSecret() tea.Cmd {
	a, secretID, ok := s.findingTarget()
	if !ok || secretID == "" {
		return s.c.Notify(noticeInfo, "This finding is not about one secret: d deletes the secret a secret finding names")
	}
	api := s.c.API()
	if api == nil {
		return nil
	}
	ctx, appID, name := s.ctx, a.App.ID, safe.Line(a.App.Name)
	return s.c.Confirm("Delete this secret of "+name+"?", "Tokens issued with it stop working; a client still holding it can no longer authenticate.",
		s.c.await(func() tea.Msg {
			return auditSecretDeletedMsg{appID: appID, err: api.DeleteAppSecret(ctx, appID, secretID)}
		}))
}

// prune asks to delete the dynamically registered apps unused for 90 days
// (those app.dcr-unused names), listing them; then deletes and re-audits.
func (s *auditScreen) prune() tea.Cmd {
	if s.report == nil || s.running || s.pruning {
		return nil
	}
	cands, _, err := audit.Candidates(s.estate, audit.PruneOptions{DCR: true, UnusedFor: auditPruneAge}, s.estate.ReadAt)
	switch {
	case err != nil:
		return s.c.Notify(noticeWarn, "Cannot prune here: "+err.Error())
	case len(cands) == 0:
		return s.c.Notify(noticeInfo, "Nothing to prune: no dynamically registered app has gone unused for 90 days")
	}
	var b strings.Builder
	for i, c := range cands {
		if i == 8 {
			b.WriteString("… and " + itoa(len(cands)-8) + " more\n")
			break
		}
		b.WriteString("• " + c.Name + " — " + c.Why + "\n")
	}
	b.WriteString("\nDeleting an app revokes every token issued to it.")
	return s.c.Confirm("Prune "+countOf(len(cands), "unused dynamically registered app")+"?", b.String(), cmdOf(pruneConfirmedMsg{cands}))
}

// startPrune deletes the confirmed candidates in a Cmd.
func (s *auditScreen) startPrune(cands []audit.Candidate) tea.Cmd {
	sess := s.c.Session()
	if sess == nil || sess.Client == nil || s.pruning {
		return nil
	}
	s.pruning = true
	ctx, stop := context.WithCancel(s.ctx)
	cl := sess.Client
	s.stopPrune = stop
	id, spin := s.beginTask("Pruning " + countOf(len(cands), "app") + " (esc stops)")
	return tea.Batch(spin, s.c.await(func() tea.Msg {
		return pruneDoneMsg{res: audit.Prune(ctx, cl, cands, nil), taskID: id}
	}))
}

// pruneOutcome says what a prune did, naming every app it did not delete
// (refused, with the server's reason, cut short while being deleted, or
// not tried when it was interrupted): the status bar shows the start, !
// the whole text.
func pruneOutcome(res audit.PruneResult) (string, noticeKind) {
	text := "Pruned " + countOf(len(res.Deleted), "app")
	if len(res.Gone) > 0 {
		text += " (" + itoa(len(res.Gone)) + " already gone)"
	}
	if len(res.Failed)+len(res.Left)+len(res.Unknown) == 0 {
		return text, noticeSuccess
	}
	var not []string
	for _, f := range res.Failed {
		not = append(not, f.Name+" ("+f.Error+")")
	}
	for _, c := range res.Unknown {
		not = append(not, c.Name+" (interrupted while being deleted: audit again to see)")
	}
	for _, c := range res.Left {
		not = append(not, c.Name+" (not tried: interrupted)")
	}
	return text + "; not deleted: " + strings.Join(not, ", "), noticeWarn
}
