package chat

import "testing"

func TestSplitReasoning(t *testing.T) {
	tests := []struct{ name, in, reasoning, answer string }{
		{"full", "<think>\nLet me add.\n</think>\n\n4", "Let me add.", "4"},
		{"think in prompt", "\nLet me add.\n</think>\n\nThe sum is 4.\n", "Let me add.", "The sum is 4.\n"},
		{"no think", "Just an answer.", "", "Just an answer."},
		{"no think keeps text", "  spaced answer \n", "", "  spaced answer \n"},
		{"unfinished thinking", "<think>\nstill going", "still going", ""},
		{"leading space before think", " \n<think>r</think>a", "r", "a"},
		{"empty reasoning", "<think>\n\n</think>\n\nHi", "", "Hi"},
		{"first close ends reasoning", "<think>r</think>a</think>b", "r", "a</think>b"},
		{"think later is answer", "Answer <think>not reasoning", "", "Answer <think>not reasoning"},
		{"empty", "", "", ""},
		{"close only", "</think>", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, a := SplitReasoning(tt.in)
			if r != tt.reasoning || a != tt.answer {
				t.Errorf("SplitReasoning(%q) = %q, %q; want %q, %q", tt.in, r, a, tt.reasoning, tt.answer)
			}
		})
	}
}
