package serving_test

import (
	"context"
	"strings"
	"testing"

	"github.com/deepgo/deepgo/core/sample"
	"github.com/deepgo/deepgo/core/serving"
)

// TestGenerateHide: tokens Hide names are generated and reported but leave no text; the
// others' text is untouched. The reply is steered with a logit bias: a special token
// first and last, ordinary text between.
func TestGenerateHide(t *testing.T) {
	m, tok := tinyModel(t, 9)
	user, ok := tok.ID("<｜User｜>")
	if !ok || !tok.IsSpecial(user) {
		t.Fatal("no <｜User｜> special token")
	}
	prompt := append([]int{tok.BOS()}, tok.Encode("The quick brown fox")...)
	run := func(hide func(int) bool, stops ...string) (string, []int, serving.Generation) {
		s, err := m.NewSequence(64)
		if err != nil {
			t.Fatal(err)
		}
		var text strings.Builder
		var ids []int
		o := serving.GenerateOptions{MaxTokens: 3, Hide: hide, Stops: stops, Sampling: sample.Params{LogitBias: []sample.Bias{{ID: user, Value: 100}}}}
		g, err := serving.Generate(context.Background(), s, tok, prompt, o, func(c serving.Chunk) error {
			text.WriteString(c.Text)
			if c.ID >= 0 {
				ids = append(ids, c.ID)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return text.String(), ids, g
	}
	shown, ids, g := run(nil)
	if shown != strings.Repeat("<｜User｜>", 3) || len(ids) != 3 || g.CompletionTokens != 3 {
		t.Fatalf("without Hide: %q %v %+v", shown, ids, g)
	}
	hidden, ids2, g2 := run(tok.IsSpecial)
	if hidden != "" || len(ids2) != 3 || ids2[0] != user || g2.CompletionTokens != 3 {
		t.Errorf("with Hide: %q %v %+v", hidden, ids2, g2)
	}
	// A hidden token that is a stop string still stops the reply.
	for _, hide := range []func(int) bool{nil, tok.IsSpecial} {
		text, ids, g := run(hide, "<｜User｜>")
		if text != "" || len(ids) != 1 || g.Finish != serving.FinishStop {
			t.Errorf("stop <｜User｜>, hidden %v: %q %v %+v", hide != nil, text, ids, g)
		}
	}
	// Hiding tokens that are not generated changes nothing.
	other, _, _ := run(func(id int) bool { return id == tok.BOS() })
	if other != shown {
		t.Errorf("hiding BOS changed the text: %q", other)
	}
}
