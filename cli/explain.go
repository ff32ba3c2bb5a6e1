package cli

import (
	"errors"

	"oauthdeck/client"
	"oauthdeck/flows"
)

// explain turns an error into the message the user sees. Typed client and
// keyring errors already say what happened and what to do; a transport
// failure gets its cause and fix from the one explainer, flows.Explain.
func explain(err error) string {
	msg := err.Error()
	var pd *client.ProviderDisabledError
	if errors.As(err, &pd) {
		return pd.Error() // names both settings; context adds nothing
	}
	if flows.Unreachable(err) {
		exp := flows.Explain(err)
		return msg + " (" + exp.Cause + ": " + exp.Fix + ")"
	}
	return msg
}
