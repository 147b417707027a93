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

// EvalMTP is the reference protocol for the multi-token-prediction module. With T the
// sequence prompt followed by decode (L tokens), it runs the main model as Eval does,
// keeping its final-normed hidden state h[i] at every position, then the module: row i
// (i = 0..L-2) takes h[i] and T[i+1] at position i and gives the logits of T[i+2]. Rows
// 0..len(prompt)-2 run as one prefill, the rest one decode step each. It returns float32
// logits, row-major [L-1, vocab].
func EvalMTP(ctx context.Context, m *Model, prompt, decode []int) ([]float32, error) {
	if !m.HasMTP() {
		return nil, fmt.Errorf("eval: the model has no multi-token-prediction module (num_nextn_predict_layers 0, or its tensors absent)")
	}
	if len(prompt) == 0 {
		return nil, fmt.Errorf("eval: empty prompt")
	}
	P, L := len(prompt), len(prompt)+len(decode)
	if L < 2 {
		return nil, fmt.Errorf("eval: the multi-token-prediction module needs at least 2 tokens, have %d", L)
	}
	seq := append(append(make([]int, 0, L), prompt...), decode...)
	v, d := m.Config.VocabSize, m.Config.HiddenSize
	s, err := m.NewSequence(L)
	if err != nil {
		return nil, fmt.Errorf("eval: %w", err)
	}
	logits := make([]float32, L*v)
	hidden := make([]float32, L*d)
	if err := s.ForwardHidden(ctx, prompt, logits, hidden, true); err != nil {
		return nil, fmt.Errorf("eval: prefill: %w", err)
	}
	for i, tok := range decode {
		r := P + i
		if err := s.ForwardHidden(ctx, []int{tok}, logits[r*v:(r+1)*v], hidden[r*d:(r+1)*d], false); err != nil {
			return nil, fmt.Errorf("eval: decode step %d: %w", i, err)
		}
	}
	ms, err := m.NewMTPSequence(L - 1)
	if err != nil {
		return nil, fmt.Errorf("eval: %w", err)
	}
	out := make([]float32, (L-1)*v)
	if P > 1 {
		if err := ms.Forward(ctx, hidden[:(P-1)*d], seq[1:P], out[:(P-1)*v], true); err != nil {
			return nil, fmt.Errorf("eval: mtp prefill: %w", err)
		}
	}
	for i := max(P-1, 0); i < L-1; i++ {
		if err := ms.Forward(ctx, hidden[i*d:(i+1)*d], seq[i+1:i+2], out[i*v:(i+1)*v], false); err != nil {
			return nil, fmt.Errorf("eval: mtp step %d: %w", i, err)
		}
	}
	return out, nil
}
