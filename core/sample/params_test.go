package sample

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	nan := float32(math.NaN())
	inf := float32(math.Inf(1))
	tests := []struct {
		name string
		p    Params
		want string // substring of the error; "" for none
	}{
		{"zero value", Params{}, ""},
		{"typical", Params{Temperature: 0.7, TopK: 40, TopP: 0.9, MinP: 0.05, RepetitionPenalty: 1.1,
			PresencePenalty: -2, FrequencyPenalty: 2, PenaltyWindow: 64, LogProbs: 20}, ""},
		{"top_p 1 and min_p 1", Params{Temperature: 1, TopP: 1, MinP: 1}, ""},
		{"negative temperature", Params{Temperature: -0.1}, "temperature -0.1 is negative"},
		{"NaN temperature", Params{Temperature: nan}, "temperature is NaN"},
		{"infinite temperature", Params{Temperature: inf}, "temperature is +Inf"},
		{"negative top_k", Params{TopK: -1}, "top_k -1"},
		{"top_p above 1", Params{TopP: 1.5}, "top_p 1.5 is outside [0, 1]"},
		{"top_p negative", Params{TopP: -0.5}, "top_p -0.5"},
		{"top_p NaN", Params{TopP: nan}, "top_p NaN"},
		{"min_p above 1", Params{MinP: 2}, "min_p 2 is outside [0, 1]"},
		{"min_p NaN", Params{MinP: nan}, "min_p NaN"},
		{"presence NaN", Params{PresencePenalty: nan}, "presence_penalty NaN"},
		{"frequency Inf", Params{FrequencyPenalty: -inf}, "frequency_penalty -Inf"},
		{"repetition negative", Params{RepetitionPenalty: -1}, "repetition_penalty -1"},
		{"repetition NaN", Params{RepetitionPenalty: nan}, "repetition_penalty NaN"},
		{"negative window", Params{PenaltyWindow: -3}, "penalty window -3"},
		{"logprobs above 20", Params{LogProbs: 21}, "logprobs 21 is outside [0, 20]"},
		{"negative logprobs", Params{LogProbs: -1}, "logprobs -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("Validate() = %v, want nil", err)
			case tt.want != "" && err == nil:
				t.Fatalf("Validate() = nil, want an error containing %q", tt.want)
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Fatalf("Validate() = %q, want it to contain %q", err, tt.want)
			}
			if _, nerr := New(tt.p, 8); (nerr == nil) != (err == nil) {
				t.Fatalf("New error %v, Validate error %v", nerr, err)
			}
		})
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	err := Params{Temperature: -1, TopP: 2, LogProbs: 30}.Validate()
	if err == nil {
		t.Fatal("Validate() = nil")
	}
	for _, want := range []string{"temperature", "top_p", "logprobs"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %q, missing %q", err, want)
		}
	}
}

func TestNewVocab(t *testing.T) {
	for _, v := range []int{0, -1} {
		t.Run(fmt.Sprintf("vocab %d", v), func(t *testing.T) {
			if _, err := New(Params{}, v); err == nil {
				t.Errorf("New(vocab %d) succeeded", v)
			}
		})
	}
}
