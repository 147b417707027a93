package serving_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/deepgo/deepgo/core/grammar"
	"github.com/deepgo/deepgo/core/sample"
	"github.com/deepgo/deepgo/core/serving"
)

// TestGenerateConstraint: a random model under a grammar writes only what the grammar
// allows, and stops when the grammar is done, whatever the sampling and speculation.
func TestGenerateConstraint(t *testing.T) {
	m, tok := tinyModel(t, 5)
	v, err := grammar.VocabOf(tok, m.Config.VocabSize)
	if err != nil {
		t.Fatal(err)
	}
	schema, err := grammar.JSONSchema([]byte(`{"type":"object","properties":{"answer":{"enum":["yes","no"]},"n":{"type":"integer"}},"required":["answer","n"],"additionalProperties":false}`))
	if err != nil {
		t.Fatal(err)
	}
	yesNo, err := grammar.ParseGBNF(`root ::= "yes" | "no"`)
	if err != nil {
		t.Fatal(err)
	}
	prompt := append([]int{tok.BOS()}, tok.Encode("Answer in JSON:")...)
	cases := []struct {
		name  string
		g     *grammar.Grammar
		o     serving.GenerateOptions
		check func(t *testing.T, text string)
	}{
		{"schema greedy", schema, serving.GenerateOptions{MaxTokens: 300}, checkAnswer},
		{"schema sampled", schema, serving.GenerateOptions{MaxTokens: 300, Sampling: sample.Params{Temperature: 1, TopP: 0.95, Seed: 3}}, checkAnswer},
		{"schema with speculation asked for", schema, serving.GenerateOptions{MaxTokens: 300, Speculation: serving.Speculation{Mode: serving.SpecNgram, Draft: 3}}, checkAnswer},
		{"gbnf", yesNo, serving.GenerateOptions{MaxTokens: 50, Sampling: sample.Params{Temperature: 2, Seed: 1}}, func(t *testing.T, text string) {
			if text != "yes" && text != "no" {
				t.Errorf("%q, want yes or no", text)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := m.NewSequence(512)
			if err != nil {
				t.Fatal(err)
			}
			c.o.Constraint = grammar.NewMatcher(c.g, v)
			var text []byte
			g, err := serving.Generate(context.Background(), s, tok, prompt, c.o, func(ch serving.Chunk) error {
				text = append(text, ch.Text...)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if g.Finish != serving.FinishStop || g.Spec.Passes != 0 {
				t.Errorf("%+v after %q: want a stop without speculation", g, text)
			}
			c.check(t, string(text))
		})
	}
	t.Run("vocabulary size mismatch", func(t *testing.T) {
		small, err := grammar.NewVocab(10, func(int) []byte { return []byte("a") }, func(int) bool { return false }, nil)
		if err != nil {
			t.Fatal(err)
		}
		s, _ := m.NewSequence(64)
		_, err = serving.Generate(context.Background(), s, tok, prompt, serving.GenerateOptions{Constraint: grammar.NewMatcher(yesNo, small)}, func(serving.Chunk) error { return nil })
		if err == nil {
			t.Error("no error")
		}
	})
}

func checkAnswer(t *testing.T, text string) {
	t.Helper()
	var r struct {
		Answer *string `json:"answer"`
		N      *int64  `json:"n"`
	}
	d := json.NewDecoder(strings.NewReader(text))
	d.DisallowUnknownFields()
	if err := d.Decode(&r); err != nil || r.Answer == nil || r.N == nil || (*r.Answer != "yes" && *r.Answer != "no") {
		t.Errorf("%q: %v, %+v", text, err, r)
	}
}

// TestConstraintAllocs: with the masks of its states known, a constrained loop allocates
// nothing per token beyond what the plain loop does: from a reply of 16 tokens to one of
// 48, its allocations grow no more than the plain loop's.
func TestConstraintAllocs(t *testing.T) {
	m, tok := tinyModel(t, 5)
	v, err := grammar.VocabOf(tok, m.Config.VocabSize)
	if err != nil {
		t.Fatal(err)
	}
	g, err := grammar.ParseGBNF(`root ::= [a-z ]*`) // one state, whatever is written
	if err != nil {
		t.Fatal(err)
	}
	b := grammar.Bind(g, v)
	s, err := m.NewSequence(256)
	if err != nil {
		t.Fatal(err)
	}
	prompt := append([]int{tok.BOS()}, tok.Encode("Write:")...)
	growth := func(constrained bool) float64 {
		allocs := func(n int) float64 {
			return testing.AllocsPerRun(5, func() {
				s.Reset()
				o := serving.GenerateOptions{MaxTokens: n, StopIDs: []int{}}
				if constrained {
					o.Constraint = b.NewMatcher()
				}
				if _, err := serving.Generate(context.Background(), s, tok, prompt, o, func(serving.Chunk) error { return nil }); err != nil {
					t.Fatal(err)
				}
			})
		}
		return allocs(48) - allocs(16)
	}
	plain := growth(false)
	if c := growth(true); c > plain {
		t.Errorf("32 more tokens allocate %v more times constrained; plain %v", c, plain)
	}
}
