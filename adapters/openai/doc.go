// Package openai is deepgo's OpenAI-compatible protocol layer: the request and response
// types of the chat completions, completions and models APIs, their validation, the
// server-sent-events framing of streamed responses, OpenAI-shaped errors, API keys and
// per-key rate limits, and Prometheus metrics.
//
// It knows no transport. A transport turns its request into a Request, calls
// Handler.Handle, and writes the Response it gets back: a whole body, or a stream whose
// chunks it flushes as they come. The edge server (fasthttp), the AWS Lambda adapter and
// the Google Cloud Functions adapter (both through ServeHTTP, a net/http handler) are such
// transports, so one request gets the same answer through each of them.
//
// Generation goes through a serving.Scheduler: Handle tokenizes the prompt, checks it against
// the context, asks the scheduler for a slot and turns the chunks it emits into OpenAI
// objects, splitting <think> reasoning into reasoning_content and DeepSeek tool-call
// markup into tool_calls.
package openai
