package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
)

// keyGroup is one screen's bindings, for the README's key table.
type keyGroup struct {
	name     string
	bindings []key.Binding
}

// keyGroups lists every binding of the KeyMap by where it applies, in the
// order of the KeyMap's own groups (a test checks none is missing).
func keyGroups(km *KeyMap) []keyGroup {
	fk := km.Flow
	return []keyGroup{
		{"Everywhere", []key.Binding{km.Quit, km.Back, km.Help, km.Notices, km.Command, km.VisitBack, km.VisitForward, km.NextTab, km.PrevTab}},
		{"Lists", []key.Binding{km.Up, km.Down, km.PageUp, km.PageDown, km.Top, km.Bottom, km.Open, km.Filter, km.Sort, km.Refresh, km.New, km.Edit, km.Delete, km.Copy, km.Reveal}},
		{"Forms and dialogs", []key.Binding{km.NextField, km.PrevField, km.Submit, km.Confirm, km.Cancel}},
		{"Deployments", []key.Binding{km.Switch, km.Logout}},
		{"App detail", []key.Binding{km.CopyEndpoints, km.NewSecret, km.DeleteSecret, km.DeleteApp, km.StartFlow, km.KeepSecret, km.TestRedirect, km.Rotate, km.TryScope, km.History, km.Focus}},
		{"Rotation wizard", []key.Binding{km.Finish, km.Abort}},
		{"Audit", []key.Binding{km.Prune}},
		{"Requests", []key.Binding{km.CopyCurl, km.Export, km.Clear}},
		{"Flow", []key.Binding{fk.NewFlow, fk.RunStep, fk.RunToToken, fk.EditRequest, fk.OpenBrowser, fk.Copy, fk.Paste, fk.Refresh, fk.Use, fk.Revoke, fk.SaveFlow, fk.ReplayFlow, fk.CancelRun}},
		{"Request editor", []key.Binding{fk.EditValue, fk.AddParam, fk.DelParam, fk.ResetReq, fk.SaveReq}},
		{"Check", []key.Binding{fk.RunSuite, fk.Evidence, fk.FailuresOnly, fk.ExportReport, fk.CompareSaved, fk.NextFailure, fk.RerunCheck, km.CopyCurl}},
	}
}

// KeyTable is the console's keys as a Markdown table, from DefaultKeyMap:
// README.md shows it between its keys markers (a test keeps them equal).
func KeyTable() string {
	var b strings.Builder
	b.WriteString("| Where | Key | Does |\n|---|---|---|\n")
	b.WriteString("| Everywhere | `1`…`9` | jump to a tab |\n")
	for _, g := range keyGroups(DefaultKeyMap()) {
		for _, kb := range g.bindings {
			h := kb.Help()
			b.WriteString("| " + g.name + " | `" + strings.ReplaceAll(h.Key, "|", "\\|") + "` | " + h.Desc + " |\n")
		}
	}
	return b.String()
}
