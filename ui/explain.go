package ui

import (
	"context"
	"errors"
	"strings"

	"oauthdeck/client"
	"oauthdeck/client/safe"
	"oauthdeck/flows"
	"oauthdeck/keyring"
)

// explainError turns an error into one line a person can act on. Every
// client error type is already sanitised; anything else is sanitised here.
func explainError(err error) string {
	if err == nil {
		return ""
	}
	var (
		pd *client.ProviderDisabledError
		se *client.SessionError
		ue *keyring.UnavailableError
		te *client.TimeoutError
	)
	switch {
	case errors.As(err, &pd):
		return pd.Error()
	case errors.As(err, &se):
		return "Session expired or invalid: add the deployment again (Deployments, n) or run `oauthdeck login`"
	case errors.As(err, &ue):
		return safe.Line(ue.Error())
	case errors.As(err, &te):
		return te.Error() + ": the server is slow or unreachable; press r to retry"
	case errors.Is(err, context.DeadlineExceeded):
		return "Timed out waiting for the deployment; press r to retry"
	case flows.Unreachable(err):
		// The one explainer (flows.Explain) words transport failures.
		exp := flows.Explain(err)
		return strings.TrimSpace("Cannot reach the deployment (" + exp.Cause + "): " + exp.Fix + " " + lastURL(err))
	}
	return safe.Line(err.Error())
}

// lastURL pulls the URL out of a wrapped *url.Error message, if any.
func lastURL(err error) string {
	s := err.Error()
	if i := strings.Index(s, "http"); i >= 0 {
		if j := strings.IndexAny(s[i:], "\": "); j > 0 {
			return "(" + safe.Line(s[i:i+j]) + ")"
		}
	}
	return ""
}

// providerHelp explains a disabled OAuth2 provider with the setting to change.
func providerHelp(err error) []string {
	var pd *client.ProviderDisabledError
	if !errors.As(err, &pd) {
		return nil
	}
	lines := []string{
		"The OAuth2 provider is not enabled on this deployment.",
		"  Coder v2.30–2.37: start coderd with CODER_EXPERIMENTS=oauth2 (or --experiments oauth2)",
		"  newer Coder:      CODER_OAUTH2_PROVIDER_ENABLE=true",
	}
	if pd.Message != "" {
		lines = append(lines, "  server said: "+safe.Line(pd.Message))
	}
	return lines
}
