package edge

import (
	_ "embed"

	"github.com/valyala/fasthttp"
)

// playgroundPage is the web playground: one self-contained page (no build step, no CDN)
// that chats with the model through /v1/chat/completions, streaming.
//
//go:embed playground/index.html
var playgroundPage []byte

func (s *Server) playground(ctx *fasthttp.RequestCtx) {
	if !ctx.IsGet() && !ctx.IsHead() {
		ctx.SetStatusCode(fasthttp.StatusMethodNotAllowed)
		return
	}
	ctx.SetContentType("text/html; charset=utf-8")
	ctx.Response.Header.Set("Cache-Control", "no-cache")
	ctx.Response.Header.Set("Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'")
	ctx.SetBody(playgroundPage)
}
