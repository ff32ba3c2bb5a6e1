package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
)

// flowKeyMap holds the Flow, request editor and Check screens' own
// bindings, as KeyMap.Flow. Shared ones (movement, reveal) are KeyMap's
// own fields; the screens list what applies in KeyBindings, so `?` shows them.
type flowKeyMap struct {
	// Flow.
	NewFlow     key.Binding
	RunStep     key.Binding
	RunToToken  key.Binding
	EditRequest key.Binding
	OpenBrowser key.Binding
	Copy        key.Binding // the auth URL, or the access token on the token row
	Paste       key.Binding
	Refresh     key.Binding
	Use         key.Binding
	Revoke      key.Binding
	SaveFlow    key.Binding
	ReplayFlow  key.Binding
	CancelRun   key.Binding

	// Request editor.
	EditValue key.Binding
	AddParam  key.Binding
	DelParam  key.Binding
	ResetReq  key.Binding
	SaveReq   key.Binding

	// Check.
	RunSuite     key.Binding
	Evidence     key.Binding
	FailuresOnly key.Binding
	ExportReport key.Binding
	CompareSaved key.Binding
	NextFailure  key.Binding
	RerunCheck   key.Binding
}

func defaultFlowKeyMap() flowKeyMap {
	nb := func(keys []string, k, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, desc))
	}
	return flowKeyMap{
		NewFlow:     nb([]string{"n", "s"}, "n", "new flow"),
		RunStep:     nb([]string{"enter"}, "enter", "run step"),
		RunToToken:  nb([]string{"a"}, "a", "run to token"),
		EditRequest: nb([]string{"e"}, "e", "edit request"),
		OpenBrowser: nb([]string{"o"}, "o", "open browser"),
		Copy:        nb([]string{"c"}, "c", "copy the auth URL (the token on its row)"),
		Paste:       nb([]string{"p"}, "p", "paste redirect URL"),
		Refresh:     nb([]string{"R"}, "R", "refresh the token (r reloads elsewhere)"),
		Use:         nb([]string{"u"}, "u", "use token"),
		Revoke:      nb([]string{"x"}, "x", "revoke token"),
		SaveFlow:    nb([]string{"w"}, "w", "save the flow (for --replay)"),
		ReplayFlow:  nb([]string{"l"}, "l", "replay the last saved flow"),
		CancelRun:   nb([]string{"esc"}, "esc", "cancel"),

		EditValue: nb([]string{"enter"}, "enter", "edit value"),
		AddParam:  nb([]string{"a"}, "a", "add parameter"),
		DelParam:  nb([]string{"d", "delete"}, "d", "remove parameter"),
		ResetReq:  nb([]string{"R"}, "R", "reset to default"),
		SaveReq:   nb([]string{"ctrl+s", "s"}, "ctrl+s", "save"), // the forms' save key; s as well

		RunSuite:     nb([]string{"r"}, "r", "run suite"),
		Evidence:     nb([]string{"enter"}, "enter", "evidence"),
		FailuresOnly: nb([]string{"f"}, "f", "failures only / all"),
		ExportReport: nb([]string{"x"}, "x", "export the report (json and junit)"),
		CompareSaved: nb([]string{"b"}, "b", "compare with the last exported run"),
		NextFailure:  nb([]string{"n"}, "n", "next failure"),
		RerunCheck:   nb([]string{"R"}, "R", "re-run the selected check"),
	}
}

// tokenActions is the token row's keys in one line, from the bindings, so
// a hint never names a key the map does not bind.
func (fk flowKeyMap) tokenActions(km *KeyMap) string {
	parts := []string{}
	for _, b := range []key.Binding{fk.Refresh, fk.Use, fk.Revoke, fk.Copy, km.Reveal} {
		parts = append(parts, b.Help().Key+" "+strings.Fields(b.Help().Desc)[0])
	}
	return strings.Join(parts, " · ")
}
