package ui

import (
	"context"
	"sync"

	tea "charm.land/bubbletea/v2"
)

// orderedSend returns a send function that never blocks its caller
// (recorder callbacks run inside HTTP calls, and program.Send blocks until
// the event loop takes the message) and delivers messages to deliver in the
// order they were sent, from one goroutine that ends with ctx.
func orderedSend(ctx context.Context, deliver func(tea.Msg)) func(tea.Msg) {
	var (
		mu      sync.Mutex
		queue   []tea.Msg
		pending = make(chan struct{}, 1)
	)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-pending:
			}
			for {
				mu.Lock()
				if len(queue) == 0 {
					mu.Unlock()
					break
				}
				msg := queue[0]
				queue[0] = nil
				queue = queue[1:]
				mu.Unlock()
				deliver(msg)
			}
		}
	}()
	return func(msg tea.Msg) {
		mu.Lock()
		queue = append(queue, msg)
		mu.Unlock()
		select {
		case pending <- struct{}{}:
		default:
		}
	}
}
