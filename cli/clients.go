package cli

import (
	"context"
	"fmt"
	"strings"

	"oauthdeck/client/safe"
	"oauthdeck/flows/clients"
)

func clientProfileNames() string {
	var names []string
	for _, p := range clients.Profiles {
		names = append(names, p.Name)
	}
	return strings.Join(names, ", ")
}

// runClientProfiles emulates each named real client against the deployment
// (from its MCP endpoint with --mcp, as MCP clients start) and says, per
// client, "works" or which step breaks and why.
func (a *app) runClientProfiles(ctx context.Context, arg string, o checkOptions) error {
	var chosen []clients.Profile
	for _, name := range o.clientProfiles {
		if name == "all" {
			chosen = clients.Profiles
			break
		}
		p, ok := clients.ProfileByName(name)
		if !ok {
			return usagef("--client-profile %q: want %s or all", name, clientProfileNames())
		}
		chosen = append(chosen, p)
	}
	if o.output == "junit" {
		return usagef("--client-profile prints text or json (-o json), not junit")
	}
	if o.clientID != "" || o.baseline != "" || o.compare != "" {
		return usagef("--client-profile runs the client emulations only: not with --client-id, --baseline or --compare")
	}
	s, err := a.resolveSession(ctx, arg, a.useCoderCLI)
	if err != nil {
		return &exitError{code: ExitUsage, err: err}
	}
	var results []clients.Result
	broken := 0
	for _, p := range chosen {
		res, err := clients.RunWith(ctx, s.client, p, clients.Options{MCPURL: o.mcp})
		if err != nil {
			return &exitError{code: ExitUsage, err: fmt.Errorf("emulating %s: %w", p.Name, err)}
		}
		if !res.Works {
			broken++
		}
		results = append(results, res)
	}
	if o.output == "json" {
		if err := writeJSON(a.io.Out, results); err != nil {
			return err
		}
	} else {
		pal := a.palette(a.io.Out)
		for _, r := range results {
			verdict := pal.render(pal.pass, "works")
			if !r.Works {
				verdict = pal.render(pal.fail, "breaks at "+r.BrokeAt)
			}
			fmt.Fprintf(a.io.Out, "%-12s %s\n", r.Profile, verdict)
			for _, st := range r.Steps {
				mark := "✓"
				if !st.OK {
					mark = "✗"
				}
				fmt.Fprintf(a.io.Out, "  %s %-13s %s\n", mark, st.Name, st.Detail)
			}
		}
	}
	if broken > 0 {
		var names []string
		for _, r := range results {
			if !r.Works {
				names = append(names, r.Profile+" (at "+r.BrokeAt+")")
			}
		}
		return &exitError{code: ExitFailure, err: fmt.Errorf("%d of %d clients break: %s", broken, len(results), safe.Line(strings.Join(names, ", ")))}
	}
	return nil
}
