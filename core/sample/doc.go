// Package sample turns a row of logits into the next token.
//
// A [Sampler] is made once per sequence with [New], which allocates all of its scratch
// memory; [Sampler.Sample] then allocates nothing, whatever the [Params].
//
// # Order of processing
//
// Sample follows the conventions of llama.cpp and Hugging Face transformers:
//
//  0. Logit bias. Each [Bias] of LogitBias adds its value to its token's logit.
//  1. Penalties. For each token that occurs c > 0 times in the last PenaltyWindow ids of
//     the history (all of it when PenaltyWindow is 0), the repetition penalty r divides a
//     positive logit by r and multiplies a logit ≤ 0 by r (CTRL, Hugging Face); then the
//     OpenAI penalties subtract FrequencyPenalty·c + PresencePenalty. History ids outside
//     [0, vocab) are ignored.
//  2. Cleaning. A NaN logit is treated as −Inf, and a −Inf logit is an impossible token.
//     If any logit is +Inf, the +Inf tokens share all the probability equally and every
//     other token becomes impossible. If every token is impossible, Sample returns token 0
//     (the fallback, for greedy and sampling alike), [Sampler.LogProb] reports −Inf and
//     [Sampler.TopLogProbs] is empty.
//  3. Greedy. With Temperature 0 Sample returns the token of highest logit, the lowest id
//     among equals, and draws nothing from the random source.
//  4. Top-k. Only the TopK highest logits stay candidates (the lower id wins a tie at the
//     boundary). They are found by partial selection with a k-element heap, O(V log k);
//     the vocabulary is never sorted.
//  5. Temperature. The logits are divided by Temperature.
//  6. Softmax over the candidates.
//  7. Top-p. Candidates sorted by decreasing probability are kept up to and including the
//     first at which the cumulative probability reaches TopP (so at least one is kept).
//     Only the candidates that can survive are sorted: after top-k those are at most k;
//     without top-k a histogram of the log-probabilities finds the cut, and only the
//     tokens above it (plus the histogram bucket that straddles it) are sorted.
//  8. Min-p. Candidates with probability below MinP times that of the most likely token
//     are dropped; the most likely token always stays. The threshold is applied to the
//     distribution of step 6, as in llama.cpp, and does not depend on step 7.
//  9. Renormalisation and draw. One uniform number u in [0, 1) is drawn from a PCG
//     generator (math/rand/v2) seeded with Seed, and the first candidate at which the
//     cumulative weight exceeds u times the total is chosen. Candidates are walked in
//     decreasing probability when top-k or top-p sorted them, in id order otherwise.
//
// So that a probability sitting exactly on a threshold is not lost to float32 rounding,
// the top-p test accepts a cumulative probability within 1e-6 of TopP and the min-p test a
// log-probability within 1e-6 of ln(MinP).
//
// Every non-greedy Sample draws exactly one number, so the n-th token of a sequence uses the
// n-th draw after [New] or [Sampler.Reset], and the same seed, parameters, logits and
// history give the same tokens.
//
// # Masks
//
// [Sampler.SampleMasked] takes a mask, one bit per token (a grammar's, see core/grammar):
// every token it does not allow gets a logit of −Inf before step 1, so that every stage,
// greedy included, and the log-probabilities see only the allowed tokens.
//
// # Log-probabilities
//
// [Sampler.LogProb] and [Sampler.TopLogProbs] report log softmax(l/T) over the whole
// vocabulary, where l are the logits after steps 0 to 2 (logit bias, penalties and
// cleaning) and T is the temperature (T = 1 when greedy): the distribution after bias,
// penalties and temperature, before top-k, top-p and min-p truncate it. These are the
// processed logprobs that
// OpenAI-style servers report (vLLM's V0 sampler did the same; its V1 sampler reports the raw
// logits' by default). They are computed when first asked for, from a copy of the processed
// logits the Sampler keeps, and stay valid until the next Sample.
//
// # Files
//
//	params.go     Params, their ranges (Validate) and MaxLogProbs
//	bias.go       step 0: LogitBias, OpenAI's logit_bias, and its range
//	sampler.go    Sampler: New, Reset, Sample; the stages in order and the draw
//	penalty.go    step 1: the repetition, presence and frequency penalties
//	clean.go      steps 1 and 2: the processed logits, NaN and ±Inf handled
//	candidate.go  the candidates' order, and top-k's partial selection with a k-element heap
//	softmax.go    step 6: a fast exponential and the softmax, over all tokens (with min-p
//	              folded in when there is no top-p) or over the candidates
//	topp.go       step 7: the top-p cut, and the histogram that avoids sorting the vocabulary
//	minp.go       step 8: the min-p cut of sorted candidates
//	logprob.go    LogProb and TopLogProbs
//	mask.go       SampleMasked: a grammar's mask applied before every stage
package sample
