package ui

import (
	"strings"
	"time"

	"oauthdeck/client/safe"
	"oauthdeck/flows/rotation"
)

func (s *rotateScreen) View() string {
	st := s.c.Styles
	var b strings.Builder
	b.WriteString(st.Title.Render("Rotate the client secret of "+s.name) + "\n")
	switch {
	case s.busy != "":
		b.WriteString(st.Info.Render(s.busy+"…") + "\n")
	case s.err != nil:
		b.WriteString(st.Error.Render("✗ "+explainFlowErr(s.err)) + "\n")
	case s.done != "":
		b.WriteString(st.OK.Render("✓ "+s.done) + "\n")
	default:
		b.WriteString(st.Subtle.Render("Nothing is deleted before the new secret is proven; each stage is saved and resumes here.") + "\n")
	}
	b.WriteString("\n")
	stage := 0 // stages done
	if s.st != nil {
		stage = 1
		if s.st.Stage == rotation.StageProven {
			stage = 2
			if rotation.Moved(s.uses, *s.st) {
				stage = 3
			}
		}
	}
	if s.done != "" {
		stage = 4
	}
	steps := [][2]string{
		{"create", "a new secret, shown once"},
		{"prove", "that it authenticates the client"},
		{"hand over", "move the clients; watch the secrets' last use"},
		{"finish", "f deletes the old secrets, which revokes their tokens"},
	}
	if s.st != nil {
		steps[0][1] = "secret …" + safe.Line(s.st.NewSecretTail) + " created " + s.st.Started.Local().Format("2006-01-02 15:04")
		if s.st.Stage == rotation.StageProven {
			steps[1][1] = safe.Line(s.st.Proof)
		}
	}
	for i, step := range steps {
		mark, sty := "·", st.Faint
		if i < stage {
			mark, sty = "✓", st.OK
		}
		b.WriteString(truncate(sty.Render(mark+" "+itoa(i+1)+" "+padRight(step[0], 10))+step[1], s.width) + "\n")
	}
	if s.secret != "" {
		status := ""
		if s.kept {
			status = "  " + st.OK.Render("✓ kept in "+s.c.Deps.Store.Kind())
		}
		b.WriteString("\n" + st.Label.Render("New secret ") + maskSecret(s.shown, s.revealed) + status + "\n")
		b.WriteString(st.Faint.Render("v reveal · c copy · k keep in the keyring (needed to resume the proof after leaving)") + "\n")
	}
	if s.st != nil && s.st.Stage == rotation.StageProven {
		b.WriteString("\n" + st.Header.Render(padRight("SECRET", 12)+padRight("ROLE", 6)+"LAST USED") + "\n")
		for _, u := range s.uses {
			role, used := "old", "never"
			if u.New {
				role = "new"
			}
			if u.LastUsed != nil {
				used = u.LastUsed.Local().Format(time.DateTime)
			}
			b.WriteString(padRight("…"+u.Tail, 12) + padRight(role, 6) + used + "\n")
		}
		switch {
		case !s.recorded:
			b.WriteString(st.Warn.Render("This server does not record when a secret is used: check the clients yourself, then f.") + "\n")
		case rotation.Moved(s.uses, *s.st):
			b.WriteString(st.OK.Render("The new secret has been used since the old ones were: the clients have moved; f finishes.") + "\n")
		default:
			b.WriteString(st.Subtle.Render("Not moved yet: waiting for the new secret to be used (refreshes every "+rotateRefresh.String()+").") + "\n")
		}
	}
	return fitBox(b.String(), s.width, s.height)
}
