// Package load drives an OpenAI-compatible server with concurrent streaming chat
// completions and summarizes what the clients saw: requests, errors, tokens, time to first
// token and request latency. The loadtest command and the edge package's load test share it.
//
//	load.go  Config, Run (the clients), One (one request, its server-sent events read to
//	         [DONE]), Result, Summarize and Summary (percentiles, JSON, the printed form)
package load
