package serving_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/deepgo/deepgo/core/sample"
	"github.com/deepgo/deepgo/core/serving"
)

func TestGenerate(t *testing.T) {
	m, tok := tinyModel(t, 9)
	prompt := append([]int{tok.BOS()}, tok.Encode("The quick brown fox")...)
	gen := func(capacity int, o serving.GenerateOptions) (string, []int, serving.Generation, error) {
		s, err := m.NewSequence(capacity)
		if err != nil {
			t.Fatal(err)
		}
		var text strings.Builder
		var ids []int
		g, err := serving.Generate(context.Background(), s, tok, prompt, o, func(c serving.Chunk) error {
			text.WriteString(c.Text)
			if c.ID >= 0 {
				ids = append(ids, c.ID)
			}
			return nil
		})
		return text.String(), ids, g, err
	}

	// Greedy: reproducible, stops at MaxTokens with "length", text = decode(ids).
	text, ids, g, err := gen(64, serving.GenerateOptions{MaxTokens: 10})
	if err != nil {
		t.Fatal(err)
	}
	if g.Finish != serving.FinishLength || g.CompletionTokens != 10 || len(ids) != 10 || g.PromptTokens != len(prompt) {
		t.Fatalf("greedy: %+v, %d ids", g, len(ids))
	}
	// The stream never emits broken UTF-8: each invalid run becomes one U+FFFD.
	if want := strings.ToValidUTF8(tok.Decode(ids), "\uFFFD"); text != want {
		t.Errorf("streamed text %q != decode(ids) %q", text, want)
	}
	text2, _, _, _ := gen(64, serving.GenerateOptions{MaxTokens: 10})
	if text2 != text {
		t.Errorf("greedy not reproducible: %q vs %q", text, text2)
	}

	// A stop string cut from the middle of the greedy text ends generation before it.
	if len(ids) >= 4 {
		stop := tok.Decode(ids[2:4])
		cut, _, g, err := gen(64, serving.GenerateOptions{MaxTokens: 10, Stops: []string{stop}})
		if err != nil {
			t.Fatal(err)
		}
		if g.Finish != serving.FinishStop || strings.Contains(cut, stop) || !strings.HasPrefix(text, cut) {
			t.Errorf("stop %q: got %q (%s) from %q", stop, cut, g.Finish, text)
		}
	}

	// A stop id ends generation without emitting it.
	_, sids, g, err := gen(64, serving.GenerateOptions{MaxTokens: 10, StopIDs: []int{ids[3]}})
	if err != nil {
		t.Fatal(err)
	}
	if g.Finish != serving.FinishStop || len(sids) != 3 {
		t.Errorf("stop id: %+v, ids %v (greedy %v)", g, sids, ids)
	}

	// The context bounds generation.
	_, cids, g, err := gen(len(prompt)+4, serving.GenerateOptions{})
	if err != nil || g.Finish != serving.FinishLength || len(cids) != 4 {
		t.Errorf("full context: %+v, %d ids, %v", g, len(cids), err)
	}

	// Seeded sampling is reproducible.
	p := sample.Params{Temperature: 1, TopP: 0.9, Seed: 1234}
	a, _, _, _ := gen(64, serving.GenerateOptions{MaxTokens: 12, Sampling: p})
	b, _, _, _ := gen(64, serving.GenerateOptions{MaxTokens: 12, Sampling: p})
	if a != b {
		t.Errorf("seeded sampling differs: %q vs %q", a, b)
	}

	// Errors: a prompt that fills the context, a cancelled context, an emit error.
	if _, _, _, err := gen(len(prompt), serving.GenerateOptions{}); err == nil {
		t.Error("prompt filling the context: no error")
	}
	s, _ := m.NewSequence(64)
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	_, err = serving.Generate(ctx, s, tok, prompt, serving.GenerateOptions{MaxTokens: 20}, func(serving.Chunk) error {
		if n++; n == 3 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || n != 3 {
		t.Errorf("cancel: err %v after %d chunks", err, n)
	}
	boom := errors.New("client gone")
	s.Reset()
	if _, err := serving.Generate(context.Background(), s, tok, prompt, serving.GenerateOptions{MaxTokens: 5}, func(serving.Chunk) error { return boom }); !errors.Is(err, boom) {
		t.Errorf("emit error: got %v", err)
	}
}

// TestGenerateWithoutTokenizer: a model without a tokenizer generates ids (no text) when
// the stop ids are given, with and without speculation; without them it is an error.
func TestGenerateWithoutTokenizer(t *testing.T) {
	m, _ := tinyModel(t, 9)
	for _, sp := range []serving.Speculation{{}, {Mode: serving.SpecNgram}} {
		s, err := m.NewSequence(64)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int
		g, err := serving.Generate(context.Background(), s, nil, []int{1, 2, 3}, serving.GenerateOptions{MaxTokens: 6, StopIDs: []int{}, Speculation: sp},
			func(c serving.Chunk) error {
				if c.Text != "" {
					t.Errorf("text %q without a tokenizer", c.Text)
				}
				ids = append(ids, c.ID)
				return nil
			})
		if err != nil || len(ids) != 6 || g.Finish != serving.FinishLength {
			t.Errorf("%s: %v ids, %+v, %v", sp.Mode, ids, g, err)
		}
	}
	s, _ := m.NewSequence(64)
	if _, err := serving.Generate(context.Background(), s, nil, []int{1}, serving.GenerateOptions{MaxTokens: 2}, func(serving.Chunk) error { return nil }); err == nil {
		t.Errorf("no tokenizer and no stop ids: no error")
	}
}
