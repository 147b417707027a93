// Package serving is the policy that turns the engine into a service: opening a model
// together with its tokenizer, the generation loop (feed the prompt, sample, decode text,
// stop), and the Scheduler that shares one model among many requests (slots, a bounded
// queue, a KV memory budget, prefix reuse). core computes; serving decides what to compute
// and when, which is why it, and not core, imports the text packages.
//
//	open.go       OpenWithTokenizer, LoadTokenizer: a model and its tokenizer, opened at once
//	generate.go   Generate: one reply on one core.Sequence (GenerateOptions, Chunk, Generation)
//	scheduler.go  Scheduler and Admission: slots, the queue, the KV budget, prefix reuse
//	share.go      AdmitCopies: the copies of one prompt, which read it once and copy its KV cache
//	speculation.go  Speculation, SpecMode, SpecStats: speculative decoding's options and counters
//	speculate.go  the generation loop with drafts: MTP drafting, the check, acceptance, rollback
//	speccontrol.go  how many tokens each pass drafts, from the acceptance so far
//	lookup.go     prompt lookup (n-gram) drafts
package serving
