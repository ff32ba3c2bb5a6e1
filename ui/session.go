package ui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	tea "charm.land/bubbletea/v2"

	"oauthdeck/client"
	"oauthdeck/client/safe"
)

// useSessionMsg asks the root to make sess the current deployment.
type useSessionMsg struct{ sess *Session }

// connectedMsg is the result of connecting to the current deployment.
type connectedMsg struct {
	gen         uint64
	build       *client.BuildInfo
	user        *client.User
	providerErr error
	err         error
	taskID      int
}

// openSession builds a Session for url with token (no I/O: the client only
// parses the URL). The token lives only inside the client.
func (c *Common) openSession(url, token, source, store string) (*Session, error) {
	newAPI := c.newAPI
	if newAPI == nil {
		newAPI = c.defaultNewAPI
	}
	api, cl, err := newAPI(url, token)
	if err != nil {
		return nil, err
	}
	return &Session{URL: api.BaseURL(), Source: source, Store: store, Client: cl, API: api}, nil
}

func (c *Common) defaultNewAPI(url, token string) (API, *client.Client, error) {
	opts := c.Deps.ClientOptions
	if opts.Recorder == nil {
		opts.Recorder = c.Deps.Recorder
	}
	if opts.UserAgent == "" && c.Deps.Version != "" {
		opts.UserAgent = "oauthdeck/" + c.Deps.Version
	}
	if opts.OnRateLimit == nil {
		// A wait on Retry-After is never silent: the status bar says it.
		opts.OnRateLimit = func(w client.RateLimitWait) {
			c.Send(noticeMsg{kind: noticeWarn, text: fmt.Sprintf("rate limited (429) at %s %s: waiting %s as Retry-After asks",
				safe.Line(w.Method), safe.Line(w.URL), w.Wait.Round(100*time.Millisecond))})
		}
	}
	cl, err := client.New(url, token, opts)
	if err != nil {
		return nil, nil, err
	}
	return cl, cl, nil
}

// useSession switches deployments: every screen is told to reload, and the
// connect Cmd fetches the version and the user.
func (m *Model) useSession(sess *Session) tea.Cmd {
	c := m.c
	c.session = sess
	c.sessionGen++
	c.selectedApp = nil
	gen := c.sessionGen
	m.c.debugf("Switched to deployment %s", sessURL(sess))
	if sess == nil {
		return m.broadcast(sessionChangedMsg{gen})
	}
	id, spin := c.BeginTask("Connecting to " + hostOf(sess.URL))
	api := sess.API
	ctx := c.Ctx
	connect := func() tea.Msg { return connectCmd(ctx, api, gen, id) }
	return tea.Batch(m.broadcast(sessionChangedMsg{gen}), spin, connect)
}

func sessURL(s *Session) string {
	if s == nil {
		return "(none)"
	}
	return s.URL
}

// connectCmd reads buildinfo and the user. It runs off the event loop.
func connectCmd(ctx context.Context, api API, gen uint64, taskID int) connectedMsg {
	out := connectedMsg{gen: gen, taskID: taskID}
	bi, err := api.BuildInfo(ctx)
	if err != nil {
		out.err = err
		return out
	}
	out.providerErr = providerFromBuildInfo(bi)
	bi.Version = safe.Line(bi.Version)
	out.build = &bi
	u, err := api.Me(ctx)
	if err != nil {
		out.err = err
		return out
	}
	u = displayUser(u)
	out.user = &u
	return out
}

// displayUser sanitises, once, the user's fields the console shows.
func displayUser(u client.User) client.User {
	u.Username, u.Name, u.Email = safe.Line(u.Username), safe.Line(u.Name), safe.Line(u.Email)
	u.Roles = slices.Clone(u.Roles)
	for i := range u.Roles {
		u.Roles[i].Name, u.Roles[i].DisplayName = safe.Line(u.Roles[i].Name), safe.Line(u.Roles[i].DisplayName)
	}
	return u
}

// providerFromBuildInfo reads the newer servers' oauth2_provider flag; older
// servers do not send it and the Apps load tells instead.
func providerFromBuildInfo(bi client.BuildInfo) error {
	if len(bi.OAuth2Provider) == 0 {
		return nil
	}
	var enabled bool
	if json.Unmarshal(bi.OAuth2Provider, &enabled) == nil && !enabled {
		return &client.ProviderDisabledError{Message: "buildinfo reports oauth2_provider: false"}
	}
	var obj struct {
		Enabled *bool `json:"enabled"`
	}
	if json.Unmarshal(bi.OAuth2Provider, &obj) == nil && obj.Enabled != nil && !*obj.Enabled {
		return &client.ProviderDisabledError{Message: "buildinfo reports the OAuth2 provider disabled"}
	}
	return nil
}

func (m *Model) applyConnected(msg connectedMsg) tea.Cmd {
	m.c.EndTask(msg.taskID)
	sess := m.c.session
	if sess == nil || msg.gen != m.c.sessionGen {
		return nil // a late answer for a deployment the user has left
	}
	sess.Build, sess.User, sess.ConnectErr = msg.build, msg.user, msg.err
	if msg.providerErr != nil {
		sess.ProviderErr = msg.providerErr
	}
	if msg.err != nil {
		return m.c.NotifyErr(msg.err)
	}
	return m.broadcast(sessionInfoMsg{gen: msg.gen})
}

// sessionInfoMsg is broadcast when the current deployment's version, user or
// provider state became known.
type sessionInfoMsg struct{ gen uint64 }

// setProviderErr records what a load learned about the OAuth2 provider.
func (c *Common) setProviderErr(gen uint64, err error) {
	if c.session == nil || gen != c.sessionGen {
		return
	}
	var pd *client.ProviderDisabledError
	if errors.As(err, &pd) {
		c.session.ProviderErr, c.session.ProviderOK = err, false
	} else if err == nil {
		c.session.ProviderErr, c.session.ProviderOK = nil, true
	}
}
