package ui

import (
	"context"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// Messages from outside the event loop arrive in the order they were sent,
// and sending never waits for a slow receiver.
func TestOrderedSendKeepsOrderWithoutBlocking(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan int, 1000)
	release := make(chan struct{})
	send := orderedSend(ctx, func(msg tea.Msg) {
		<-release // the event loop is busy
		got <- msg.(int)
	})
	sent := make(chan struct{})
	go func() {
		for i := range 1000 {
			send(i)
		}
		close(sent)
	}()
	select {
	case <-sent:
	case <-time.After(10 * time.Second):
		t.Fatal("send blocked on a busy receiver")
	}
	close(release)
	for want := range 1000 {
		if n := <-got; n != want {
			t.Fatalf("message %d arrived as number %d", n, want)
		}
	}
}
