package core

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/deepgo/deepgo/core/mmap"
	"github.com/deepgo/deepgo/quant"
)

// Model is an opened model (DeepSeek-V2/V3, or a dense R1 distill): its config and weights. Weight matrices are views
// into the memory-mapped files; only norms, biases and block scales are copied to the heap.
// A Model is read-only after Open and may serve many Sequences; Forward calls made at the
// same time from several goroutines are joined into shared forward passes (see batcher).
type Model struct {
	Config *Config

	embed  quant.Matrix // [vocab, hidden]
	layers []layer
	norm   []float32    // final RMSNorm
	head   quant.Matrix // lm_head [vocab, hidden]
	// headTied: head is embed (tie_word_embeddings, and the files hold no head of their own)
	headTied bool
	mtp      *mtpLayer // the multi-token-prediction module; nil without one (mtp.go)

	rope *rope
	// ropeHalf and ropeFreqs are what the files say of the rotary embedding (newRope):
	// the rotate-half layout, and llama.cpp's rope_freqs factors (nil for none).
	ropeHalf  bool
	ropeFreqs []float32
	scale     float32 // attention softmax scale
	pool      *pool
	files     io.Closer
	opts      Options

	mu        sync.Mutex // one forward pass at a time: the pool, the batch and the mapping are shared
	closed    bool
	queue     batcher // Forward calls waiting to be batched
	batch     *batch  // the activations of a forward pass; allocated on first use
	stats     modelStats
	residency *expertResidency // which routed experts are in memory (see experts.go)
}

// modelStats count the model's work, for Stats.
type modelStats struct {
	tokens, passes, expertActivations, expertLoads atomic.Int64
}

// ModelStats are counters of the work a Model has done.
type ModelStats struct {
	Tokens            int64 // tokens through the forward pass
	Passes            int64 // forward passes; Tokens/Passes is the mean batch
	ExpertActivations int64 // (token, routed expert) pairs computed, over all layers
	ExpertLoads       int64 // routed experts computed, once per expert per forward chunk

	// Routed-expert residency (Options.ExpertBudget): an expert is resident from the
	// first forward chunk routed to it until it is released to keep under the budget.
	ExpertsResident     int64         // routed experts resident now, over all layers
	ExpertBytesResident int64         // their weight bytes
	ExpertHits          int64         // experts a forward chunk needed that were resident
	ExpertMisses        int64         // experts a forward chunk needed that were not: paged in
	ExpertBytesPagedIn  int64         // weight bytes of the misses
	ExpertReleases      int64         // experts released to keep under the budget
	ExpertBytesReleased int64         // their weight bytes
	ExpertStall         time.Duration // time spent waiting for the pages of missed experts
}

// ExpertHitRate is the fraction of the routed experts forward chunks needed that were
// resident: hits ÷ (hits + misses), or 0 before any.
func (s ModelStats) ExpertHitRate() float64 {
	if n := s.ExpertHits + s.ExpertMisses; n > 0 {
		return float64(s.ExpertHits) / float64(n)
	}
	return 0
}

// Stats returns the model's counters.
func (m *Model) Stats() ModelStats {
	s := ModelStats{Tokens: m.stats.tokens.Load(), Passes: m.stats.passes.Load(), ExpertActivations: m.stats.expertActivations.Load(),
		ExpertLoads: m.stats.expertLoads.Load()}
	m.residency.stats(&s)
	return s
}

// layer is one transformer block: attention (MLA, or grouped-query in a dense model) and
// either a dense MLP or DeepSeekMoE.
type layer struct {
	attnNorm []float32
	attn     mla
	gqa      *gqa // a dense model's attention, instead of attn (gqa.go)
	ffnNorm  []float32
	mlp      *mlp // dense layers (the first first_k_dense_replace)
	moe      *moe // the rest
}

// Attention selects how attention is computed over the latent KV cache.
type Attention int

const (
	// AttentionAuto uses the absorbed path for every row, so that a row's result does not
	// depend on how its prompt is chunked or what shares its pass; with
	// Options.BatchVariant, the naive path for a sequence's chunks of several prompt
	// tokens (faster on long prompts) and the absorbed one for decoding, as the reference
	// does.
	AttentionAuto Attention = iota
	// AttentionNaive expands keys and values from the latent cache with kv_b_proj.
	AttentionNaive
	// AttentionAbsorbed folds kv_b_proj into the query and output (reference attn_impl "absorb").
	AttentionAbsorbed
)

// Options tune how a model runs; the zero value is good.
type Options struct {
	Threads   int       // worker threads, at most MaxThreads; 0 (or less) = one per CPU
	Attention Attention // attention path
	// MaxBatch is the most rows (tokens) one forward pass computes: a prompt alone runs in
	// chunks of this many; 0 = 256. While other sequences are decoding, a pass takes at
	// most 64 rows (or one per waiting step, if more; see sharedBatch), so a long prompt
	// delays them by a short pass, not a whole chunk.
	MaxBatch int
	// FloatActivations multiplies block-format weights by float32 activations, as a
	// float32 engine that dequantizes would, instead of quantizing the activations to 8
	// bits for the integer kernels (as llama.cpp does). Slower; for accuracy checks.
	FloatActivations bool
	// ExpertBudget caps the memory the routed experts' weights occupy, in bytes; 0 = no
	// cap. Experts are read from the mapped files only when tokens are routed to them;
	// beyond the budget the least recently used are released, their pages dropped from the
	// process (and read again from the page cache or the disk when next routed to), so a
	// model whose experts exceed RAM still runs. The experts of the layer being computed
	// are always kept, so a budget below one layer's chunk of experts is exceeded by them.
	ExpertBudget int64
	// BatchVariant lets a row's arithmetic depend on what it is computed with, for speed:
	// the kernels that add a batch's products in their own order (quant.Kernels.
	// BatchVariant: the sixteen-vector kernels of Q5_0, and of Q8_0 without AVX-512 VNNI,
	// for prompts) and the naive attention path for prompt chunks (AttentionAuto). The logits of a token then differ in their
	// last bits with the batch, the prompt's chunking and the prefix cache, and near-ties
	// between tokens can flip. false (the zero value): every row is computed bit for bit
	// as when it is alone, whatever the batch, the chunking or the thread count, so the
	// same request gives the same tokens under any load.
	BatchVariant bool
	// Mapped keeps a dense model's weights in the memory mappings of its files, read in place
	// from the page cache, as a MoE model's always are. false (the zero value): a dense model,
	// which reads every weight for every token, has its files read into memory of the
	// process's own when it opens (mmap.Load: 2 MiB-aligned, advised to be huge pages),
	// which decodes faster (R1-Distill-Qwen-1.5B Q4_K_M, one thread: ~18 against ~15 tok/s
	// on the benchmark VM; docs/benchmarks.md) for a read of the files at open; the kernel
	// cannot then drop those pages under memory pressure as it can a mapping's. Tools that
	// read each weight once (convert, inspect) set it.
	Mapped bool
	// Kernels narrows the kernels the model runs from all this CPU has (see
	// quant.Kernels.Narrow): "generic" for the portable Go kernels only, "avx2" for no
	// AVX-512; "" takes the DEEPGO_KERNELS environment variable's choice (kernels.go).
	Kernels string
}

// MaxThreads is the most threads Options.Threads may ask for.
const MaxThreads = 1024

// Open loads the model at path: a Hugging Face checkpoint directory (config.json +
// safetensors) or a llama.cpp GGUF file (deepseek2, qwen2, llama or qwen3; the first part, if split). A MoE
// model's weights are memory-mapped, not read; a dense model's are read into memory unless
// opts.Mapped.
func Open(path string, opts Options) (*Model, error) {
	if opts.ExpertBudget < 0 {
		return nil, fmt.Errorf("open model %s: expert budget %d bytes is negative", path, opts.ExpertBudget)
	}
	if opts.Threads > MaxThreads {
		return nil, fmt.Errorf("open model %s: %d threads; at most %d", path, opts.Threads, MaxThreads)
	}
	kernels, err := opts.kernels()
	if err != nil {
		return nil, fmt.Errorf("open model %s: %w", path, err)
	}
	isDir, err := CheckModelPath(path)
	if err != nil {
		return nil, err
	}
	var m *Model
	if isDir {
		m, err = openHF(path, opts.Mapped)
	} else {
		m, err = openGGUF(path, opts.Mapped)
	}
	if err != nil {
		return nil, err
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = defaultMaxBatch
	}
	m.opts = opts
	// Both formats bind their weights as views into memory mappings, or into the copies a
	// dense model's files are loaded into (Options.Mapped; on systems without mmap the
	// files are read into memory, and advice is a no-op there).
	m.residency.configure(opts.ExpertBudget, true)
	m.rope = newRope(m.Config, m.ropeHalf, m.ropeFreqs)
	m.scale = float32(m.Config.SoftmaxScale())
	m.pool = newPool(opts.Threads)
	m.pool.floatActivations = opts.FloatActivations
	m.pool.kernels = kernels
	return m, nil
}

// CheckModelPath is the check a model path gets before anything opens it: a Hugging Face
// checkpoint directory or a regular file, never a named pipe or a device, which would block
// or never end (mmap.CheckPath). It reports whether path is a directory.
func CheckModelPath(path string) (isDir bool, err error) {
	isDir, err = mmap.CheckPath(path, true)
	if err != nil {
		return false, fmt.Errorf("open model: %w", err)
	}
	return isDir, nil
}

// Threads is the number of threads the model computes with.
func (m *Model) Threads() int { return m.pool.Threads() }

// Close releases the mapping and the worker threads. Sequences of the model must not be used after.
func (m *Model) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil
	}
	m.closed = true
	if m.pool != nil {
		m.pool.Close()
	}
	if m.files != nil {
		return m.files.Close()
	}
	return nil
}

var errClosed = errors.New("forward: model closed")
