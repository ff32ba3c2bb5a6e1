package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"
)

// maxSecretInput bounds a secret read from stdin: a token is tens of bytes,
// so anything near this is a mistake (a binary piped in by accident).
const maxSecretInput = 64 << 10

// stdinTerminal reports whether stdin is an interactive terminal.
func (a *app) stdinTerminal() bool { return isTerminal(a.io.In) }

// readSecret reads one secret: from a no-echo prompt on a terminal, or the
// whole of piped stdin (trimmed). what names it in messages.
func (a *app) readSecret(ctx context.Context, what, prompt string) (string, error) {
	if f, ok := a.io.In.(*os.File); ok && term.IsTerminal(f.Fd()) {
		fmt.Fprint(a.io.Err, prompt)
		b, err := readPassword(ctx, f.Fd())
		fmt.Fprintln(a.io.Err)
		if err != nil {
			return "", fmt.Errorf("reading %s: %w", what, err)
		}
		return nonEmpty(what, string(b))
	}
	b, err := io.ReadAll(io.LimitReader(a.io.In, maxSecretInput+1))
	if err != nil {
		return "", fmt.Errorf("reading %s from stdin: %w", what, err)
	}
	if len(b) > maxSecretInput {
		return "", fmt.Errorf("%s on stdin is larger than %d bytes; pipe only the %s", what, maxSecretInput, what)
	}
	return nonEmpty(what, string(b))
}

// readSecretLine reads the first line of piped stdin (or a no-echo prompt).
func (a *app) readSecretLine(ctx context.Context, what, prompt string) (string, error) {
	if a.stdinTerminal() {
		return a.readSecret(ctx, what, prompt)
	}
	r := bufio.NewReader(io.LimitReader(a.io.In, maxSecretInput+1))
	line, err := r.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("reading %s from stdin: %w", what, err)
	}
	if len(line) > maxSecretInput { // cut short by the limit: never use a truncated secret
		return "", fmt.Errorf("%s on stdin is larger than %d bytes; pipe only the %s", what, maxSecretInput, what)
	}
	return nonEmpty(what, line)
}

// readPassword is term.ReadPassword that gives up when ctx ends (Ctrl-C is
// caught by main's signal context, so the read itself would go on waiting
// for Enter) and puts the terminal's echo back before returning.
func readPassword(ctx context.Context, fd uintptr) ([]byte, error) {
	saved, err := term.GetState(fd)
	if err != nil {
		return nil, err
	}
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		b, err := term.ReadPassword(fd)
		done <- result{b, err}
	}()
	select {
	case r := <-done:
		return r.b, r.err
	case <-ctx.Done():
		_ = term.Restore(fd, saved)
		return nil, ctx.Err()
	}
}

func nonEmpty(what, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", fmt.Errorf("no %s given on stdin", what)
	}
	if strings.ContainsAny(s, "\r\n") {
		return "", fmt.Errorf("the %s on stdin spans several lines; give it alone", what)
	}
	return s, nil
}

// confirm asks a yes/no question on the terminal; without one it is "no".
// The error is ctx's when the user interrupts instead of answering.
func (a *app) confirm(ctx context.Context, question string) (bool, error) {
	if !a.stdinTerminal() {
		return false, nil
	}
	fmt.Fprintf(a.io.Err, "%s [y/N] ", question)
	answer := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(a.io.In).ReadString('\n')
		answer <- strings.ToLower(strings.TrimSpace(line))
	}()
	select {
	case s := <-answer:
		return s == "y" || s == "yes", nil
	case <-ctx.Done():
		fmt.Fprintln(a.io.Err)
		return false, ctx.Err()
	}
}

// refuseSecretFlags adds hidden flags under the names people try for secrets
// (--token, --password, ...) that fail with an explanation, instead of the
// generic "unknown flag": values on the command line leak into shell history
// and the process list.
func refuseSecretFlags(cmd *cobra.Command, names map[string]string) {
	vals := make(map[string]*string, len(names))
	for name := range names {
		v := new(string)
		vals[name] = v
		cmd.Flags().StringVar(v, name, "", "refused: secrets are never taken as flag values")
		_ = cmd.Flags().MarkHidden(name)
	}
	prev := cmd.PreRunE
	cmd.PreRunE = func(c *cobra.Command, args []string) error {
		for name, instead := range names {
			if c.Flags().Changed(name) {
				return usagef("refusing --%s: a secret on the command line leaks into shell history and the process list; %s", name, instead)
			}
		}
		if prev != nil {
			return prev(c, args)
		}
		return nil
	}
}
