// Package openai is deepgo's OpenAI-compatible protocol layer: the request and response
// types of the chat completions, completions, responses and models APIs, their
// validation, the server-sent-events framing of streamed responses, OpenAI-shaped errors,
// API keys and per-key rate limits, and Prometheus metrics.
//
// It knows no transport. A transport turns its request into a Request, calls
// Handler.Handle, and writes the Response it gets back: a whole body, or a stream whose
// chunks it flushes as they come. The edge server (fasthttp), the AWS Lambda adapter and
// the Google Cloud Functions adapter (both through HTTPHandler, a net/http handler) are
// such transports, so one request gets the same answer through each of them.
//
// The files, one concept each:
//
//	handler.go    Handler, Request, Response: routing, /health, /ready, /models, API keys
//	config.go     Config: what a server or function serves, each setting registered once
//	              with its default, flag and environment variable; shared by deepgo serve,
//	              Lambda and Cloud Functions
//	settings.go   Settings: the mechanism — flags over the environment over defaults
//	backend.go    Backend: a model, its tokenizer and chat template behind a serving.Scheduler
//	jsonbody.go   reading request bodies as OpenAI does (exact names, no duplicates, UTF-8)
//	decode.go     the request fields' validation into a generation
//	logitbias.go  logit_bias: token ids to biases, checked
//	types.go      the request and response objects
//	admit.go      a request's way to its slots: limits, decoding, tokenizing, token budget,
//	              admission of each choice (prompts × n), each copy's seed
//	fim.go        suffix: DeepSeek's fill-in-the-middle prompt
//	special.go    special tokens left out of replies (skip_special_tokens)
//	generate.go   a job's run: its choices generated at once, the reply through emitters
//	emit_chat.go  the chat form: reasoning, content and tool calls (core/chat's ReplyParser)
//	emit_text.go  the legacy text form, with echo and its log-probabilities
//	responses.go  the Responses API's request: decoding, validation, translation into a chat
//	              request, and its route (POST /v1/responses, GET /v1/responses/{id})
//	emit_responses.go  the Responses API's reply: output items, the response object, typed
//	              SSE events with sequence numbers
//	response_store.go  recent responses kept for previous_response_id and item_reference:
//	              an LRU bounded in count and bytes, per caller
//	logprobs.go   log-probabilities in OpenAI's shape, floored at −9999
//	sink.go       where a reply goes: SSE events, one body, or a transport's messages
//	headers.go    response headers: x-request-id, x-ratelimit-*
//	tools.go      tool definitions for templates that do not render them
//	structured.go structured outputs: response_format json_object/json_schema, a forced
//	              tool_choice and the grammar field compiled to a grammar (core/grammar)
//	              that the reply is constrained to
//	ratelimit.go  per-caller request and token buckets, reserved ahead and settled after
//	keys.go       API keys and their limits
//	errors.go     OpenAI-shaped errors
//	metrics.go    the Prometheus text of /metrics
//	http.go       the net/http handler of the serverless transports
package openai
