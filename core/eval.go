package core

import (
	"context"
	"fmt"
)

// Eval runs the reference protocol on a fresh sequence: one prefill of prompt at position 0,
// then one decode call per id in decode. It returns float32 logits, row-major
// [len(prompt)+len(decode), vocab]: a row for every prompt position, then one after each decode token.
func Eval(ctx context.Context, m *Model, prompt, decode []int) ([]float32, error) {
	if len(prompt) == 0 {
		return nil, fmt.Errorf("eval: empty prompt")
	}
	v := m.Config.VocabSize
	s, err := m.NewSequence(len(prompt) + len(decode))
	if err != nil {
		return nil, fmt.Errorf("eval: %w", err)
	}
	out := make([]float32, (len(prompt)+len(decode))*v)
	if err := s.Forward(ctx, prompt, out, true); err != nil {
		return nil, fmt.Errorf("eval: prefill: %w", err)
	}
	for i, tok := range decode {
		row := out[(len(prompt)+i)*v : (len(prompt)+i+1)*v]
		if err := s.Forward(ctx, []int{tok}, row, false); err != nil {
			return nil, fmt.Errorf("eval: decode step %d: %w", i, err)
		}
	}
	return out, nil
}
