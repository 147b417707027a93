package openai

import (
	"strings"

	"github.com/deepgo/deepgo/core/tokenizer"
)

// Special tokens — the tokenizer's added tokens: <｜end▁of▁sentence｜>, <｜User｜>,
// <｜fim▁hole｜> and the like — are markup, not text: a reply leaves their text out of
// content (they are still generated, counted and, with logprobs, reported), as vLLM does
// with skip_special_tokens. A chat reply keeps those its reply parser reads, the tool-call
// markup and the think tags, which become tool_calls and reasoning_content rather than
// content. A request may send "skip_special_tokens": false to see them all.

// hideSpecial returns the predicate of the special tokens a reply leaves out, for the
// chat form (chat) or the text form.
func hideSpecial(tok *tokenizer.Tokenizer, chat bool) func(id int) bool {
	return func(id int) bool {
		if !tok.IsSpecial(id) {
			return false
		}
		if !chat {
			return true
		}
		s, _ := tok.Token(id)
		return !strings.HasPrefix(s, "<｜tool") && s != "<think>" && s != "</think>"
	}
}
