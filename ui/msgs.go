package ui

import (
	tea "charm.land/bubbletea/v2"

	"oauthdeck/client"
)

// Navigation, produced by Common helpers and handled by the root.
type (
	pushScreenMsg struct{ s screen }
	popScreenMsg  struct{ s screen } // s nil: the active tab's top screen
	switchTabMsg  struct{ id screenID }
	openDialogMsg struct{ d *confirmDialog }
)

// sessionChangedMsg is broadcast after the current deployment changed (or
// its user/version became known). Screens showing deployment data reload.
type sessionChangedMsg struct{ gen uint64 }

// exchangeMsg carries one recorded HTTP exchange from the client's Recorder
// (sent by Run through program.Send).
type exchangeMsg struct{ ex client.Exchange }

// noticeKind orders status-bar notices by severity.
type noticeKind int

const (
	noticeInfo noticeKind = iota
	noticeSuccess
	noticeWarn
	noticeError
)

type noticeMsg struct {
	kind noticeKind
	text string
}

type clearNoticeMsg struct{ id int }

func cmdOf(msg tea.Msg) tea.Cmd { return func() tea.Msg { return msg } }
