// Package edge is deepgo's HTTP server for edge gateways and small boxes, on fasthttp: the
// OpenAI routes of the protocol layer (adapters/openai) with server-sent-event streaming,
// WebSocket streaming on /ws, a web playground on /, request-size and time limits, and a
// graceful shutdown that lets running streams finish.
//
// Every route but / and /ws goes through openai.Handler, the same code the serverless
// adapters call, so the answers are the same.
package edge
