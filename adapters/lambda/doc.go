// Package lambda serves the OpenAI routes from an AWS Lambda function, through the one
// protocol layer (adapters/openai) the edge server uses too.
//
// Two shapes of function are supported:
//
//   - Streaming: a Function URL with InvokeMode RESPONSE_STREAM. Tokens reach the client as
//     they are produced (server-sent events); the handler is aws-lambda-go's lambdaurl
//     wrapping the protocol layer's net/http handler (openai.Handler.HTTPHandler).
//   - Buffered: API Gateway HTTP APIs (payload format 2.0) and Function URLs in BUFFERED mode.
//     The event becomes an openai.Request (a base64 body decoded, a named stage taken off
//     the path); a streamed request is answered whole: the same SSE body, all at once.
//
// The package opens no model: the bootstrap command (targets/lambda) opens it once per
// execution environment, during init, from wherever DEEPGO_MODEL points (the deployment
// package, a layer under /opt, an EFS mount), and picks the shape by DEEPGO_LAMBDA_MODE.
//
//	lambda.go  Streaming and Buffered, the two handlers
package lambda
