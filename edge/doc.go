// Package edge is deepgo's HTTP server for edge gateways and small boxes, on fasthttp: the
// OpenAI routes of the protocol layer (adapters/openai) with server-sent-event streaming,
// WebSocket streaming on /ws, a web playground on /, a limit on open connections, request-size
// and time limits, and a graceful shutdown that lets running streams finish.
//
// Every request but the playground page (/ and /playground), /favicon.ico and CORS
// preflights goes through openai.Handler, the same code the serverless adapters call, so
// the answers are the same: Handle for the HTTP routes; on /ws, Authorize at the upgrade,
// then PrepareStream for each request sent. The server reads requests and writes replies;
// the protocol decides what the replies are.
//
// The files:
//
//	server.go       Server: New, Listen, Serve, Shutdown; routing, CORS, streamed replies,
//	                OpenAI-shaped answers to requests fasthttp could not read (handleError)
//	config.go       Config and its defaults; Register adds the server's settings (address,
//	                connection limit, timeouts, playground) to an openai.Settings
//	listener.go     the connection limit (a 503 with Retry-After beyond it) and the
//	                first-byte timeout of new connections
//	peer.go         watchPeer: cancels a request's context with openai.ErrClientGone when
//	                the client closes its connection while the reply is computed
//	peer_unix.go    peerGone on Unix: a non-blocking peek at the socket
//	peer_other.go   peerGone elsewhere: never (a gone client is noticed when its reply is written)
//	inflight.go     the count of running replies that Shutdown waits for
//	ws.go           the /ws WebSocket protocol: requests, streamed chunks, cancel
//	playground.go   the playground page on / (embedded from playground/index.html)
//
// playground/index.html is the page itself, one self-contained file; e2e/ holds the Node
// end-to-end tests (the official openai client, and the page in a headless Chromium) that
// TestNodeClients runs.
package edge
