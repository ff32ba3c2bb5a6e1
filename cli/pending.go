package cli

import (
	"errors"

	"github.com/spf13/cobra"
)

// errNotYet marks commands whose engine is still being built.
var errNotYet = errors.New("not available yet in this build")

func (a *app) flowCommand() *cobra.Command {
	return &cobra.Command{Use: "flow", Short: "Run the authorization-code flow headless", Args: noArgs,
		RunE: func(*cobra.Command, []string) error { return errors.New("flow is " + errNotYet.Error()) }}
}
