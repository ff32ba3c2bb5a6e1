// Command oauthdeck is a terminal console for administrators of Coder
// deployments that run Coder's OAuth2 provider. All wiring lives in cli/.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"oauthdeck/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// The first signal cancels ctx so commands clean up (check deletes its
	// apps); a second one, with the handler gone, ends the process at once.
	go func() { <-ctx.Done(); stop() }()
	code := cli.Main(ctx, os.Args[1:], cli.IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, Env: os.Getenv})
	stop()
	os.Exit(code)
}
