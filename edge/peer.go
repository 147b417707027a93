package edge

import (
	"context"
	"net"
	"time"

	"github.com/deepgo/deepgo/adapters/openai"
)

// peerPoll is how often a connection waiting for its reply is checked for a client that
// went away.
const peerPoll = 100 * time.Millisecond

// watchPeer cancels a request's context with openai.ErrClientGone once the client closes
// c, so that a request waiting in the queue gives up its place and a generation nobody
// will read stops at its next token. HTTP/1.1 gives no notice of a closed connection
// while a reply is computed: the socket is looked at every peerPoll without reading from
// it (peerGone). stop ends the watch; it must be called.
func watchPeer(c net.Conn, cancel context.CancelCauseFunc) (stop func()) {
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(peerPoll)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if peerGone(c) {
					cancel(openai.ErrClientGone)
					return
				}
			}
		}
	}()
	return func() { close(done) }
}
