package flows

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"oauthdeck/client"
	"oauthdeck/client/safe"
)

// cleanup deletes what the flow created, when asked, and proves it gone.
func (f *Flow) cleanup(ctx context.Context, res *StepResult) error {
	st := f.state()
	if st.createdAppID == "" && st.createdDCR == nil {
		return errSkip{"the flow created nothing"}
	}
	if !f.cfg.Cleanup {
		return errSkip{"kept the created client " + safe.Line(st.clientID) + " (cleanup not requested)"}
	}
	if st.cleaned {
		return errSkip{"already deleted"}
	}
	if err := f.deleteCreated(ctx, st); err != nil {
		return err
	}
	c := f.cfg.Client
	if st.createdDCR != nil {
		_, err := c.GetClientRegistration(ctx, st.createdDCR.RegistrationClientURI, st.createdDCR.RegistrationAccessToken)
		if err == nil {
			return fmt.Errorf("%w: the registered client still exists", ErrNotProven)
		}
		res.Findings = append(res.Findings, Finding{ID: "cleanup.gone", Severity: SeverityPass, Message: "registered client gone: " + safe.Line(shortErr(err)), Basis: "RFC 7592 §2.3"})
	} else {
		_, err := c.App(ctx, st.createdAppID)
		var ae *client.APIError
		if !errors.As(err, &ae) || ae.StatusCode != http.StatusNotFound {
			return fmt.Errorf("%w: reading the deleted app did not give 404 (%w)", ErrNotProven, err)
		}
		res.Findings = append(res.Findings, Finding{ID: "cleanup.gone", Severity: SeverityPass, Message: "app gone (404)", Basis: "Coder apps API"})
	}
	res.Verdict = "deleted client " + safe.Line(st.clientID)
	return nil
}

// deleteCreated removes the created app or registration.
func (f *Flow) deleteCreated(ctx context.Context, st flowState) error {
	c := f.cfg.Client
	var err error
	switch {
	case st.createdDCR != nil:
		err = c.DeleteClientRegistration(ctx, st.createdDCR.RegistrationClientURI, st.createdDCR.RegistrationAccessToken)
	case st.createdAppID != "":
		err = c.DeleteApp(ctx, st.createdAppID)
	default:
		return nil
	}
	if err != nil {
		return fmt.Errorf("deleting the created client: %w", err)
	}
	f.update(func(s *flowState) { s.cleaned = true })
	return nil
}

// cleanupRequest deletes what the flow created.
func (f *Flow) cleanupRequest(st flowState) (Request, error) {
	if st.createdDCR != nil {
		return Request{Method: http.MethodDelete, URL: st.createdDCR.RegistrationClientURI}, nil
	}
	if st.createdAppID != "" {
		return Request{Method: http.MethodDelete, URL: f.cfg.Client.BaseURL() + "/api/v2/oauth2-provider/apps/" + st.createdAppID}, nil
	}
	return Request{}, errors.New("the flow created nothing to clean up")
}
