// Package perplexity measures a model on held-out text the way llama.cpp's llama-perplexity
// does, so the numbers of the two sit side by side: perplexity with its uncertainty, and, against
// the saved log-probabilities of a base model, the KL divergence and the other statistics of
// llama-perplexity --kl-divergence.
//
// The protocol: the text is tokenized whole (with BOS first when the tokenizer adds one; that
// is the caller's, as core knows no tokenizer) and cut into chunks of Ctx tokens, the rest
// dropped; a text of fewer than 2×Ctx tokens is refused, as llama-perplexity refuses it. Each
// chunk runs on an empty KV cache with its first token replaced by BOS (when there is one), and
// only its second half is scored: the logits at positions Ctx/2 … Ctx−2 predict the tokens at
// Ctx/2+1 … Ctx−1, each with the first half as context at least. A row's log-probabilities
// are a log-softmax in float64, kept as float32 (the numbers a logits file stores), so a model
// measured against its own logits file has a KL divergence of exactly 0.
//
// The estimates: PPL = exp(mean NLL) with the uncertainty exp(mean)·σ/√(n−1) of the mean NLL;
// against a base, the mean KL divergence ± its standard error, its quantiles, PPL(base),
// ln(PPL/PPL(base)) with the covariance of the two NLLs taken into account, the mean and RMS of
// Δp (the probability of the right token, minus the base's), and the share of rows whose most
// likely token is the base's ("same top"). The KL divergence sums over the whole vocabulary in
// float64 from float32 log-probabilities; llama-perplexity stores them in 16 bits and skips base
// log-probabilities below −16 (on the reference fixture its way gives a mean KL divergence
// 2e−6 higher; a large vocabulary's tail may move it more).
//
//	run.go     Options, Run: chunks, the forward passes, the scoring of each chunk's second half
//	score.go   one row: log-softmax, NLL, argmax, and against a base row KL and Δp
//	stats.go   Result and KL: the accumulated sums and the estimates made from them
//	logits.go  the logits file (--save-logits, --kl-base): tokens and log-probabilities in a
//	           NumPy .npz; Base reads one back a row at a time
package perplexity
