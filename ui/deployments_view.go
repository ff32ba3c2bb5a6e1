package ui

import (
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"oauthdeck/client/safe"
)

// The Deployments screen's view.

func (s *deploymentsScreen) View() string {
	st := s.c.Styles
	var b strings.Builder
	b.WriteString(st.Title.Render("Saved deployments") + "\n\n")
	if !s.loaded {
		b.WriteString(st.Subtle.Render("Loading…"))
		return b.String()
	}
	w := s.width
	rows := s.rows()
	// The URL column takes the longest URL, so LAST USED (with an unsaved
	// row's source) keeps the rest.
	longest := 0
	for _, d := range rows {
		longest = max(longest, ansi.StringWidth(d.URL))
	}
	urlW := max(min(longest+4, w-50), 20)
	b.WriteString(st.Header.Render(padRight("    DEPLOYMENT", urlW+2)+padRight("USER", 16)+padRight("TOKEN IN", 12)+"LAST USED") + "\n")
	if len(rows) == 0 {
		b.WriteString(st.Subtle.Render("  None saved yet. Press n to add one (URL, then a session token, email and password, or the Coder CLI's session).") + "\n")
	}
	h := s.listHeight()
	from, to := s.list.window(h)
	cur := s.c.Session()
	for i := from; i < to; i++ {
		d := rows[i]
		mark := "  "
		if cur != nil && cur.URL == d.URL {
			mark = "● "
		}
		user, store, last := safe.Line(d.Username), s.storeLabel(d.TokenStore), relTime(s.c.clock(), d.LastUsed)
		if d.sess != nil {
			// Not in the config: its token is in this process only.
			user, store, last = "", "memory", "unsaved · "+safe.Line(d.sess.Source)
			if u := d.sess.User; u != nil {
				user = u.Username // sanitised when it arrived (displayUser)
			}
		}
		urlW := urlW - 2
		row := mark + padRight(d.URL, urlW) + padRight(user, 16) + padRight(store, 12) + last
		b.WriteString(s.list.renderRow(st, i, row, w) + "\n")
	}
	b.WriteString("\n" + s.currentView())
	return b.String()
}

// currentView describes the deployment in use.
func (s *deploymentsScreen) currentView() string {
	st := s.c.Styles
	sess := s.c.Session()
	if sess == nil {
		return st.Subtle.Render("No deployment in use. Select one and press enter, or press n to add one.")
	}
	lines := []string{st.Title.Render("In use: ") + st.Value.Render(sess.URL)}
	kv := func(k, v string) { lines = append(lines, st.Label.Render(padRight(k, 14))+v) }
	kv("token from", safe.Line(sess.Source))
	switch {
	case sess.ConnectErr != nil:
		kv("status", st.Error.Render("✗ "+explainError(sess.ConnectErr)))
	case sess.Build == nil:
		kv("status", st.Subtle.Render("connecting…"))
	default:
		kv("version", sess.Build.Version)
		if sess.User != nil {
			var roles []string
			for _, r := range sess.User.Roles {
				roles = append(roles, r.Name)
			}
			kv("user", sess.User.Username+" <"+sess.User.Email+">  roles: "+strings.Join(roles, ", "))
		}
	}
	switch {
	case sess.ProviderErr != nil:
		kv("OAuth2", st.Error.Render("✗ provider not enabled"))
		for _, l := range providerHelp(sess.ProviderErr) {
			lines = append(lines, st.Warn.Render("  "+l))
		}
	case sess.ProviderOK:
		kv("OAuth2", st.OK.Render("✓ provider enabled"))
	case sess.Build != nil:
		kv("OAuth2", st.Subtle.Render("provider state known once the apps list loads"))
	}
	return strings.Join(lines, "\n")
}

// relTime says how long ago t was, coarsely.
func relTime(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return itoa(int(d.Minutes())) + "m ago"
	case d < 48*time.Hour:
		return itoa(int(d.Hours())) + "h ago"
	}
	return itoa(int(d.Hours()/24)) + "d ago"
}

func (s *deploymentsScreen) listHeight() int {
	return max(min(len(s.rows()), s.height/2-deploymentsListTop), 1)
}
