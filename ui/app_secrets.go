package ui

import (
	"context"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"oauthdeck/client"
	"oauthdeck/keyring"
)

// Client secrets of the app detail screen: create (shown once, copy,
// keep in the keyring), delete.

// newSecret is a freshly created secret; its full value exists only here
// and, if the user asks, in the keyring.
type newSecret struct {
	id       string
	secret   client.AppSecretFull // kept whole: its full value is sent on exact (copy, keep), never drawn
	shown    string               // the full value, sanitised once for the screen
	revealed bool
	copied   bool
	kept     bool
}

type secretCreatedMsg struct {
	appID  string
	secret client.AppSecretFull
	err    error
}

type secretKeptMsg struct {
	appID string
	err   error
}

type secretDeletedMsg struct{ appID string }

func deleteSecretCmd(ctx context.Context, api API, appID, secretID string) tea.Cmd {
	if api == nil {
		return nil
	}
	return func() tea.Msg {
		if err := api.DeleteAppSecret(ctx, appID, secretID); err != nil {
			return noticeMsg{kind: noticeError, text: "Deleting the secret: " + explainError(err)}
		}
		return secretDeletedMsg{appID}
	}
}

func (s *appDetail) createSecret() tea.Cmd {
	api := s.c.API()
	if api == nil {
		return s.c.NotifyErr(errNoDeployment)
	}
	ctx, id := s.ctx, s.app.ID
	return func() tea.Msg {
		sec, err := api.CreateAppSecret(ctx, id)
		return secretCreatedMsg{appID: id, secret: sec, err: err}
	}
}

// keep stores the secret under keyring.ClientSecretKey so flows can use it.
func (s *appDetail) keep(secret string) tea.Cmd {
	sess := s.c.Session()
	if sess == nil {
		return s.c.NotifyErr(errNoDeployment)
	}
	return keepSecretCmd(s.ctx, s.c.Deps.Store, sess.URL, s.app.ID, secret)
}

// keepSecretCmd keeps an app's secret in store for later flows (app
// detail's k, the rotation wizard's k).
func keepSecretCmd(ctx context.Context, store keyring.Store, url, appID, secret string) tea.Cmd {
	return func() tea.Msg {
		return secretKeptMsg{appID: appID, err: keyring.SetClientSecret(ctx, store, url, appID, secret)}
	}
}

func (s *appDetail) newbornView() string {
	st := s.c.Styles
	n := s.newborn
	w := min(s.width-6, 76)
	secret := maskSecret(n.shown, n.revealed)
	var status []string
	if n.copied {
		status = append(status, st.OK.Render("✓ copied"))
	}
	if n.kept {
		status = append(status, st.OK.Render("✓ kept in "+s.c.Deps.Store.Kind()))
	}
	lines := []string{
		st.Title.Render("New client secret"),
		"",
		wrapText("This is the only time the full secret is shown. Copy it now, or keep it in the keyring for flows with this app.", w),
		"",
		st.Secret.Render(truncate(secret, w)),
		"",
		strings.Join(status, "  "),
		st.Subtle.Render("c copy · v reveal/mask · k keep in keyring · enter done"),
	}
	return st.Dialog.Render(strings.Join(lines, "\n"))
}

func lastUsed(t *time.Time) string {
	if t == nil || t.IsZero() {
		return "Never"
	}
	return t.Local().Format("2006-01-02 15:04")
}
