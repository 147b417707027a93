package lambda

import (
	"bytes"
	"context"
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdaurl"
	"github.com/deepgo/deepgo/adapters/openai"
)

// Streaming returns the handler of a Function URL with InvokeMode RESPONSE_STREAM.
func Streaming(h *openai.Handler, maxBody int) func(context.Context, *events.LambdaFunctionURLRequest) (*events.LambdaFunctionURLStreamingResponse, error) {
	return lambdaurl.Wrap(h.HTTPHandler(maxBody))
}

// Buffered returns the handler of an API Gateway HTTP API or a Function URL in BUFFERED
// mode (both send payload format 2.0 events).
func Buffered(h *openai.Handler, maxBody int) func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	if maxBody <= 0 {
		maxBody = openai.DefaultMaxBody
	}
	return func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		resp := serve(ctx, h, maxBody, &ev)
		out := events.APIGatewayV2HTTPResponse{StatusCode: resp.Status,
			Headers: map[string]string{"Content-Type": resp.ContentType}}
		if resp.RetryAfter > 0 {
			out.Headers["Retry-After"] = strconv.Itoa(resp.RetryAfter)
		}
		for k, v := range resp.Header {
			out.Headers[k] = v
		}
		body := resp.Body
		if resp.Stream != nil {
			var buf bytes.Buffer
			resp.Stream(bufferStream{&buf})
			body = buf.Bytes()
			out.Headers["Cache-Control"] = "no-cache"
		}
		out.Body = string(body)
		return out, nil
	}
}

// serve turns a payload 2.0 event into a protocol request and answers it.
func serve(ctx context.Context, h *openai.Handler, maxBody int, ev *events.APIGatewayV2HTTPRequest) *openai.Response {
	header := func(name string) string {
		for k, v := range ev.Headers {
			if strings.EqualFold(k, name) {
				return v
			}
		}
		return ""
	}
	reqID := header(openai.HeaderRequestID)
	body := []byte(ev.Body)
	if ev.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(ev.Body)
		if err != nil {
			return openai.ErrorResponse(openai.ErrBadRequest("the request body is not valid base64: " + err.Error())).WithRequestID(reqID)
		}
		body = b
	}
	if len(body) > maxBody {
		return openai.ErrorResponse(openai.ErrBodyTooLarge(maxBody)).WithRequestID(reqID)
	}
	path := ev.RawPath
	if path == "" {
		path = ev.RequestContext.HTTP.Path
	}
	// API Gateway puts a named stage in front of the path: /prod/v1/models.
	if st := ev.RequestContext.Stage; st != "" && st != "$default" {
		path = strings.TrimPrefix(path, "/"+st)
	}
	return h.Handle(ctx, &openai.Request{Method: ev.RequestContext.HTTP.Method, Path: path,
		Authorization: header("Authorization"), Body: body, Client: ev.RequestContext.HTTP.SourceIP, RequestID: reqID})
}

// bufferStream collects a stream whole.
type bufferStream struct{ b *bytes.Buffer }

func (s bufferStream) Write(p []byte) (int, error) { return s.b.Write(p) }
func (s bufferStream) Flush() error                { return nil }
