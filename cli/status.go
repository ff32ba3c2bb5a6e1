package cli

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"oauthdeck/client"
	"oauthdeck/client/coder"
	"oauthdeck/client/safe"
	"oauthdeck/flows"
)

// statusReport is `oauthdeck status -o json`.
type statusReport struct {
	Deployment     string        `json:"deployment"`
	Version        string        `json:"version,omitempty"`
	User           statusUser    `json:"user"`
	TokenSource    string        `json:"token_source"`
	OAuth2Provider providerState `json:"oauth2_provider"`
	Server         coder.Server  `json:"server"`
}

type statusUser struct {
	ID       string   `json:"id"`
	Username string   `json:"username"`
	Email    string   `json:"email"`
	Roles    []string `json:"roles"`
}

// providerState says whether the OAuth2 provider answers; Enabled is nil
// when it could not be told.
type providerState struct {
	Enabled *bool  `json:"enabled"`
	Detail  string `json:"detail,omitempty"`
	// offEvidence is what showed the provider off rather than absent (2.38).
	offEvidence string
}

func (p providerState) String() string {
	switch {
	case p.Enabled == nil:
		return "unknown: " + p.Detail
	case *p.Enabled:
		return "enabled"
	default:
		return "disabled: " + p.Detail
	}
}

func (a *app) statusCommand() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "status [URL]",
		Short: "Show the deployment, the user, where the token came from, and whether the OAuth2 provider is on",
		Args:  maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runStatus(cmd.Context(), firstArg(args), output)
		},
	}
	outputFlag(cmd, &output, "text", "json")
	return cmd
}

func (a *app) runStatus(ctx context.Context, arg, output string) error {
	s, err := a.resolveSession(ctx, arg, a.useCoderCLI)
	if err != nil {
		return err
	}
	// The user, the server and the provider are independent questions:
	// asked side by side, status takes about its slowest round trips.
	var server coder.Server
	var provider providerState
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); server = flows.DetectServer(ctx, s.client) }()
	go func() { defer wg.Done(); provider = probeProvider(ctx, s.client) }()
	me, err := s.client.Me(ctx)
	wg.Wait()
	if err != nil {
		return err
	}
	r := statusReport{
		Deployment:  s.url,
		TokenSource: s.source,
		User: statusUser{
			ID: me.ID, Username: safe.Line(me.Username), Email: safe.Line(me.Email),
			Roles: []string{},
		},
	}
	for _, role := range me.Roles {
		r.User.Roles = append(r.User.Roles, safe.Line(role.Name))
	}
	r.Server = safeServer(server)
	r.Version = r.Server.Version
	r.OAuth2Provider = provider
	if on := r.OAuth2Provider.Enabled; on != nil && !*on && r.Server.EnableSetting() != "" {
		// The era is known, so name its one setting instead of every era's.
		r.OAuth2Provider.Detail = "turn it on with " + r.Server.EnableSetting()
		if r.Server.Era == coder.EraFlag {
			r.OAuth2Provider.Detail += "; tokens issued while it was on keep working until they expire or are revoked"
		}
		if ev := r.OAuth2Provider.offEvidence; ev != "" {
			r.OAuth2Provider.Detail = ev + "; " + r.OAuth2Provider.Detail
		}
	}

	if output == "json" {
		return writeJSON(a.io.Out, r)
	}
	version := r.Version
	if version == "" {
		version = "unknown"
	}
	roles := strings.Join(r.User.Roles, ", ")
	if roles == "" {
		roles = "(none)"
	}
	return writeKeyValues(a.io.Out, [][2]string{
		{"Deployment", r.Deployment},
		{"Version", version},
		{"User", r.User.Username + " <" + r.User.Email + ">"},
		{"Roles", roles},
		{"Token from", r.TokenSource},
		{"Server", r.Server.Summary()},
		{"OAuth2 provider", r.OAuth2Provider.String()},
	})
}

// safeServer makes every server-sent string of a detected server safe for
// the terminal (the summary and JSON are built from them).
func safeServer(s coder.Server) coder.Server {
	s.Version = safe.Line(s.Version)
	clean := func(in []string) []string {
		if in == nil {
			return nil
		}
		out := make([]string, len(in))
		for i, v := range in {
			out[i] = safe.Line(v)
		}
		return out
	}
	s.Features.AuthMethods = clean(s.Features.AuthMethods)
	s.Features.Experiments = clean(s.Features.Experiments)
	return s
}

var errSeenOne = errors.New("seen one app")

// probeProvider asks the apps API, which every user may read: a
// ProviderDisabledError names the setting to change.
func probeProvider(ctx context.Context, c *client.Client) providerState {
	// One app (or none) answers the question: the rest of a long list is
	// not read.
	err := c.EachApp(ctx, func(client.App) error { return errSeenOne })
	if errors.Is(err, errSeenOne) {
		err = nil
	}
	yes, no := true, false
	var pd *client.ProviderDisabledError
	switch {
	case err == nil:
		return providerState{Enabled: &yes}
	case errors.As(err, &pd) && pd.StatusCode == http.StatusNotFound:
		// 2.38's 404 is the same as a route that does not exist; the settings
		// endpoint answers while the provider is off, and only then.
		_, serr := c.ProviderSettings(ctx)
		var ae *client.APIError
		var spd *client.ProviderDisabledError
		switch {
		case serr == nil:
		case errors.As(serr, &spd) && spd.StatusCode == http.StatusNotFound,
			errors.As(serr, &ae) && ae.StatusCode == http.StatusNotFound:
			return providerState{Detail: "the OAuth2 routes answer 404 and so does the settings endpoint, which answers while the provider is off: the provider's routes are not there (a build without them, or a proxy in the way)"}
		case errors.As(serr, &ae) && ae.StatusCode == http.StatusForbidden:
			return providerState{Detail: "the OAuth2 routes answer 404: the provider is off or not there, and only an owner's session can tell (the settings endpoint answered 403)"}
		default:
			return providerState{Detail: "the OAuth2 routes answer 404, and the settings endpoint could not be read to tell off from absent: " + oneLine(serr)}
		}
		return providerState{Enabled: &no, Detail: pd.Error(), offEvidence: "the settings endpoint answers, so the provider is there and off"}
	case errors.As(err, &pd):
		return providerState{Enabled: &no, Detail: pd.Error()}
	default:
		return providerState{Detail: oneLine(err)}
	}
}
