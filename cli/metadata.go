package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"oauthdeck/client"
	"oauthdeck/client/coder"
	"oauthdeck/client/safe"
	"oauthdeck/flows"
)

// metadataJSON is `oauthdeck metadata -o json`: the documents as received.
type metadataJSON struct {
	Server                 coder.Server    `json:"server"`
	AuthorizationServer    json.RawMessage `json:"authorization_server"`
	AuthorizationServerURL string          `json:"authorization_server_url"`
	ProtectedResource      json.RawMessage `json:"protected_resource"`
	ProtectedResourceURL   string          `json:"protected_resource_url"`
}

func (a *app) metadataCommand() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "metadata [URL]",
		Short: "Fetch and check the deployment's discovery documents (RFC 8414 and RFC 9728)",
		Long: `Fetch the authorization-server metadata (RFC 8414, with the OpenID fallback) and
the protected-resource metadata (RFC 9728) of a deployment, show where each
came from and what was tried, and check them. No session is needed.`,
		Args: maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			c, err := a.anonymousClient(firstArg(args))
			if err != nil {
				return err
			}
			as, asErr := c.AuthorizationServerMetadata(ctx, "")
			var asDoc *client.ASMetadata
			if asErr == nil {
				asDoc = &as.Doc
			}
			pr, prErr := c.ProtectedResourceMetadata(ctx, c.BaseURL(), "")
			if asErr != nil && prErr != nil {
				return fmt.Errorf("authorization-server metadata: %w", asErr)
			}
			// A plain authorization server need not publish RFC 9728 (§3:
			// only protected resources do); Coder always does.
			server := safeServer(flows.DetectServer(ctx, c))
			optionalPR := asErr == nil && prErr != nil && client.IsDocumentMissing(prErr) && server.Kind != "coder"
			if output == "json" {
				doc := metadataJSON{Server: server,
					AuthorizationServer: rawOrNull(as.Raw, asErr), AuthorizationServerURL: as.URL,
					ProtectedResource: rawOrNull(pr.Raw, prErr), ProtectedResourceURL: pr.URL,
				}
				if err := writeJSON(a.io.Out, doc); err != nil {
					return err
				}
			} else {
				color := a.palette(a.io.Out)
				fmt.Fprintf(a.io.Out, "Server: %s\n\n", safe.Line(server.Summary()))
				writeDocument(a.io.Out, "Authorization server metadata (RFC 8414)", as.URL, as.Raw, as.Tried, asErr)
				if asErr == nil {
					writeFindings(a.io.Out, flows.CheckASMetadata(as.Doc, c.BaseURL()), color)
				}
				fmt.Fprintln(a.io.Out)
				if optionalPR {
					writeFindings(a.io.Out, []flows.Finding{{ID: "discovery.pr-absent", Severity: flows.SeverityInfo, Basis: "RFC 9728 §3",
						Message: "no protected-resource metadata: this is not a Coder deployment, and a plain authorization server need not publish it"}}, color)
				} else {
					writeDocument(a.io.Out, "Protected resource metadata (RFC 9728)", pr.URL, pr.Raw, pr.Tried, prErr)
					if prErr == nil {
						writeFindings(a.io.Out, flows.CheckPRMetadata(pr.Doc, c.BaseURL(), asDoc), color)
					}
				}
			}
			switch {
			case asErr != nil:
				return fmt.Errorf("authorization-server metadata: %w", asErr)
			case prErr != nil && !optionalPR:
				return fmt.Errorf("protected-resource metadata: %w", prErr)
			}
			return nil
		},
	}
	outputFlag(cmd, &output, "text", "json")
	return cmd
}

// rawOrNull keeps a document only when it is valid JSON.
func rawOrNull(raw []byte, err error) json.RawMessage {
	if err != nil || !json.Valid(raw) {
		return json.RawMessage("null")
	}
	return json.RawMessage(raw)
}

// writeDocument prints a discovery document indented, with its source and
// the URLs tried. The body is server text, so it is sanitised.
func writeDocument(w io.Writer, title, from string, raw []byte, tried []client.DiscoveryAttempt, err error) {
	fmt.Fprintf(w, "%s\n", title)
	for _, t := range tried {
		status := "no answer"
		if t.StatusCode != 0 {
			status = fmt.Sprint(t.StatusCode)
		}
		note := "used"
		if t.Err != "" {
			note = t.Err
		}
		fmt.Fprintf(w, "  tried %s: %s, %s\n", safe.Line(t.URL), status, safe.Line(note))
	}
	if err != nil {
		fmt.Fprintf(w, "  error: %s\n", oneLine(err))
		return
	}
	fmt.Fprintf(w, "  from %s\n", safe.Line(from))
	var pretty bytes.Buffer
	if json.Indent(&pretty, raw, "  ", "  ") != nil {
		pretty.Reset()
		pretty.Write(raw)
	}
	fmt.Fprintf(w, "  %s\n", strings.TrimRight(safe.Text(pretty.String()), "\n"))
}

// writeFindings prints check findings in the order the checks made them,
// which follows the document, so they read alongside it.
func writeFindings(w io.Writer, findings []flows.Finding, p palette) {
	if len(findings) == 0 {
		return
	}
	fmt.Fprintln(w, "  checks:")
	for _, f := range findings {
		mark := severityMark(f.Severity, p)
		line := fmt.Sprintf("    %s %s", mark, safe.Line(f.Message))
		if f.Basis != "" {
			line += " [" + safe.Line(f.Basis) + "]"
		}
		fmt.Fprintln(w, line)
	}
}

func severityMark(s flows.Severity, p palette) string {
	mark := map[flows.Severity]string{flows.SeverityPass: "PASS", flows.SeverityInfo: "INFO",
		flows.SeverityWarn: "WARN", flows.SeverityFail: "FAIL"}[s]
	if mark == "" {
		return "?"
	}
	return p.severity(s, mark)
}
