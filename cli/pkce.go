package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"oauthdeck/client/safe"
	"oauthdeck/pkce"
)

func (a *app) pkceCommand() *cobra.Command {
	var output, method string
	var verifierStdin bool
	var length int
	cmd := &cobra.Command{
		Use:   "pkce",
		Short: "Make a PKCE code_verifier and code_challenge (RFC 7636)",
		Long: `Make a fresh PKCE verifier (crypto/rand) and its challenge, or compute the
challenge of a verifier read from stdin (--verifier-stdin); a verifier is never
taken as a flag value.`,
		Example: `  oauthdeck pkce
  eval "$(oauthdeck pkce -o env)"
  printf %s "$CODE_VERIFIER" | oauthdeck pkce --verifier-stdin -o json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			m := pkce.Method(method)
			if m != pkce.S256 && m != pkce.Plain {
				return usagef("--method must be S256 or plain, not %q", method)
			}
			var verifier string
			var err error
			switch {
			case verifierStdin:
				if cmd.Flags().Changed("length") {
					return usagef("--length makes a new verifier; it cannot be combined with --verifier-stdin")
				}
				if verifier, err = a.readSecretLine(cmd.Context(), "code verifier", "Code verifier (input hidden): "); err != nil {
					return err
				}
				if err := pkce.ValidateVerifier(verifier); err != nil {
					return fmt.Errorf("the verifier on stdin is not valid (RFC 7636 §4.1: 43-128 characters of [A-Za-z0-9-._~]): %w", err)
				}
			default:
				if verifier, err = pkce.NewVerifierLength(length); err != nil {
					return usagef("--length: %v", err)
				}
			}
			challenge, err := pkce.Challenge(verifier, m)
			if err != nil {
				return err
			}
			switch output {
			case "json":
				return writeJSON(a.io.Out, map[string]string{
					"code_verifier": verifier, "code_challenge": challenge, "code_challenge_method": string(m),
				})
			case "env":
				_, err := fmt.Fprintf(a.io.Out, "export CODE_VERIFIER=%s CODE_CHALLENGE=%s CODE_CHALLENGE_METHOD=%s\n",
					safe.ShellQuote(verifier), safe.ShellQuote(challenge), safe.ShellQuote(string(m)))
				return err
			}
			if m == pkce.Plain {
				fmt.Fprintln(a.io.Err, "! plain sends the verifier itself as the challenge; Coder refuses it and RFC 9700 §2.1.1 says to use S256.")
			}
			return writeKeyValues(a.io.Out, [][2]string{
				{"code_verifier", verifier},
				{"code_challenge", challenge},
				{"code_challenge_method", string(m)},
			})
		},
	}
	cmd.Flags().BoolVar(&verifierStdin, "verifier-stdin", false, "read the verifier from stdin instead of making one")
	cmd.Flags().StringVar(&method, "method", string(pkce.S256), "challenge method: S256 or plain")
	cmd.Flags().IntVar(&length, "length", pkce.DefaultLength, "length of a new verifier (43-128)")
	_ = cmd.RegisterFlagCompletionFunc("method", cobra.FixedCompletions([]string{"S256", "plain"}, cobra.ShellCompDirectiveNoFileComp))
	outputFlag(cmd, &output, "text", "env", "json")
	refuseSecretFlags(cmd, map[string]string{"verifier": "pipe it on stdin with --verifier-stdin"})
	return cmd
}
