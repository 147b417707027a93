package chat

import "strings"

// Reasoning markers of DeepSeek-R1 style output.
const (
	thinkOpen  = "<think>"
	thinkClose = "</think>"
)

// SplitReasoning splits R1-style output "<think>reasoning</think>answer" into the
// reasoning and the answer. The leading "<think>" is optional, since R1 templates put
// it in the prompt. Text with no "</think>" is all answer, unless it starts with
// "<think>": then it is all reasoning (the model stopped while thinking).
//
// The reasoning ends at the first "</think>". Whitespace around the reasoning and
// at the start of the answer (R1 writes "</think>\n\n") is dropped.
func SplitReasoning(text string) (reasoning, answer string) {
	rest := strings.TrimLeft(text, " \t\r\n")
	opened := strings.HasPrefix(rest, thinkOpen)
	if opened {
		rest = rest[len(thinkOpen):]
	}
	before, after, closed := strings.Cut(rest, thinkClose)
	switch {
	case closed:
		return strings.TrimSpace(before), strings.TrimLeft(after, " \t\r\n")
	case opened:
		return strings.TrimSpace(rest), ""
	}
	return "", text
}
