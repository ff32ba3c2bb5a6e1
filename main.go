// Command oauthdeck is a terminal console for administrators of Coder
// deployments that run Coder's OAuth2 provider. All wiring lives in cli/.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"oauthdeck/cli"
)

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	// The first signal (SIGHUP too: the terminal closed) cancels ctx so
	// commands clean up (check and the console's suite delete their apps,
	// bounded); a second is told that cleanup is running; a third ends the
	// process at once.
	go func() {
		for n := 1; ; n++ {
			<-sigs
			switch n {
			case 1:
				cancel()
			case 2:
				fmt.Fprintln(os.Stderr, "oauthdeck: cleaning up (at most a few seconds); interrupt again to quit now and leave what is not yet removed")
			default:
				os.Exit(130)
			}
		}
	}()
	code := cli.Main(ctx, os.Args[1:], cli.IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, Env: os.Getenv})
	cancel()
	os.Exit(code)
}
