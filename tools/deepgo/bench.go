package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/deepgo/deepgo/adapters/openai"
	"github.com/deepgo/deepgo/core"
	"github.com/deepgo/deepgo/core/serving"
)

// runBench measures a model's speed:
//
//	deepgo bench --model FILE [-p 512] [-n 128] [-t N] [-r 3] [-s 1] [--expert-budget BYTES] [--batch-variant] [--no-warmup] [--json]
//
// Each run opens the model (load time), then, as llama-bench does, runs the prompt and one
// generation step once untimed (the warm-up: the weights' pages get mapped and the buffers
// allocated; --no-warmup skips it), prefills -p tokens (prompt tokens/s; time to first token
// = the prefill and the first sampled token), then, in a fresh sequence as llama-bench does,
// generates -n tokens one at a time (generation tokens/s). Time to the first token from a
// cold start is `deepgo run --timings`'s. Figures are the median of
// -r runs, with the spread. The machine's memory read bandwidth is measured in the same
// process, so generation speed can be set against its bound: bandwidth ÷ the weight bytes
// one token reads. With --expert-budget the routed experts are kept under that many bytes of
// memory; the expert figures (hit rate, bytes paged in, stall per token) are those of the
// generation phase.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	model := fs.String("model", "", "model: a GGUF file or Hugging Face checkpoint directory")
	p := fs.Int("p", 512, "prompt tokens to prefill")
	n := fs.Int("n", 128, "tokens to generate")
	threads := fs.Int("t", 0, "threads (0 = one per CPU)")
	runs := fs.Int("r", 3, "runs; figures are their median")
	batch := fs.Int("b", 0, "prompt tokens per forward chunk (0 = the engine's default)")
	seqs := fs.Int("s", 1, "sequences generating together (continuous batching); generation tok/s is their sum")
	asJSON := fs.Bool("json", false, "print one JSON object")
	noBW := fs.Bool("no-bandwidth", false, "skip the memory bandwidth measurement")
	noWarmup := fs.Bool("no-warmup", false, "time the first prompt after opening (weights not yet mapped) instead of a warmed-up one")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the runs to `FILE` (go tool pprof)")
	specMode := fs.String("speculative", "off", "also time generation with speculative decoding, beside the same generation without it: mtp, ngram, replay (drafts the model's own greedy reply: the ceiling at full acceptance) or off")
	draft := fs.Int("draft", serving.DefaultDraft, "most tokens drafted per pass with --speculative")
	fixed := fs.Bool("fixed-draft", false, "with --speculative, draft --draft tokens every pass instead of as many as pay (acceptance at every position)")
	mapped := fs.Bool("mmap", false, "read a dense model's weights in place from the mapped file instead of copying them into memory at open (MoE models always map theirs)")
	variant := fs.Bool("batch-variant", false, "run the kernels and attention path whose rounding depends on the batch (faster prefill; see deepgo serve --batch-variant)")
	var budget sizeFlag
	fs.Var(&budget, "expert-budget", "keep the routed experts' weights under `BYTES` of memory (512M, 2G; 0 = no limit)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: deepgo bench --model FILE [-p 512] [-n 128] [-t N] [-r 3] [-s 1] [--expert-budget BYTES] [--batch-variant] [--mmap] [--no-warmup] [--json]\n\n")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *model == "" {
		return fmt.Errorf("--model is required")
	}
	if *p < 1 || *n < 1 || *runs < 1 || *seqs < 1 {
		return fmt.Errorf("-p, -n, -r and -s must be at least 1")
	}
	mode, err := serving.ParseSpecMode(*specMode)
	if err != nil {
		return fmt.Errorf("--speculative: %w", err)
	}
	spec := serving.Speculation{Mode: mode, Draft: *draft, Fixed: *fixed}
	if err := spec.Validate(true); err != nil {
		return fmt.Errorf("--speculative: %w", err)
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	var load, ttft, pp, tg, hitRate, pagedIn, stall []float64
	var fp core.Footprint
	var nthreads int
	var kernels string
	var stats core.ModelStats
	for r := range *runs {
		if err := ctx.Err(); err != nil {
			return err
		}
		res, err := benchOnce(ctx, *model, core.Options{Threads: *threads, MaxBatch: *batch, ExpertBudget: budget.n, BatchVariant: *variant, Mapped: *mapped}, *p, *n, *seqs, !*noWarmup, uint64(r))
		if err != nil {
			return err
		}
		load, ttft, pp, tg = append(load, res.load), append(ttft, res.ttft), append(pp, res.pp), append(tg, res.tg)
		fp, nthreads, kernels, stats = res.fp, res.threads, res.kernels, res.stats
		hitRate, pagedIn = append(hitRate, res.gen.ExpertHitRate()), append(pagedIn, float64(res.gen.ExpertBytesPagedIn))
		stall = append(stall, ms(res.gen.ExpertStall)/float64(*n))
		if !*asJSON {
			fmt.Fprintf(stderr, "run %d: load %.0f ms, pp %.1f tok/s, ttft %.0f ms, tg %.2f tok/s\n", r+1, res.load, res.pp, res.ttft, res.tg)
		}
	}
	var sr specResult
	if spec.Mode != serving.SpecOff {
		if sr, err = benchSpec(ctx, *model, core.Options{Threads: *threads, MaxBatch: *batch, ExpertBudget: budget.n, BatchVariant: *variant, Mapped: *mapped}, spec, *n, *runs); err != nil {
			return err
		}
	}
	_, _, peak, _ := memStat()
	var bw float64
	if !*noBW {
		bw = readBandwidth(nthreads)
	}
	out := benchResult{
		Model: filepath.Base(*model), Threads: nthreads, Kernels: kernels, Runs: *runs,
		PromptTokens: *p, GenTokens: *n, Sequences: *seqs,
		LoadMS: median(load), TTFTMS: median(ttft), PPTokS: median(pp), TGTokS: median(tg),
		PeakRSSMB:   float64(peak) / 1024,
		Spread:      map[string][2]float64{"load_ms": span(load), "ttft_ms": span(ttft), "pp_tok_s": span(pp), "tg_tok_s": span(tg)},
		WeightBytes: fp.Total, DecodeBytes: fp.DecodeBytes, BandwidthGBs: bw / 1e9,
		ExpertActivations: stats.ExpertActivations,
		ExpertBudget:      budget.n, ExpertsResident: stats.ExpertsResident, ExpertBytesResident: stats.ExpertBytesResident,
		ExpertHitRate: median(hitRate), ExpertBytesPagedIn: int64(median(pagedIn)), ExpertStallMSPerToken: median(stall),
	}
	out.specResult = sr
	if bw > 0 && fp.DecodeBytes > 0 {
		out.BoundTokS = bw / float64(fp.DecodeBytes)
		out.BoundPct = 100 * out.TGTokS / out.BoundTokS
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		return enc.Encode(out)
	}
	fmt.Fprintf(stdout, "model %s, %d threads, kernels %s, %d runs (median [min, max])\n", out.Model, out.Threads, out.Kernels, out.Runs)
	fmt.Fprintf(stdout, "  load        %8.0f ms     [%.0f, %.0f]\n", out.LoadMS, out.Spread["load_ms"][0], out.Spread["load_ms"][1])
	fmt.Fprintf(stdout, "  prompt      %8.1f tok/s  [%.1f, %.1f]  (pp%d)\n", out.PPTokS, out.Spread["pp_tok_s"][0], out.Spread["pp_tok_s"][1], *p)
	fmt.Fprintf(stdout, "  first token %8.0f ms     [%.0f, %.0f]\n", out.TTFTMS, out.Spread["ttft_ms"][0], out.Spread["ttft_ms"][1])
	fmt.Fprintf(stdout, "  generation  %8.2f tok/s  [%.2f, %.2f]  (tg%d", out.TGTokS, out.Spread["tg_tok_s"][0], out.Spread["tg_tok_s"][1], *n)
	if *seqs > 1 {
		fmt.Fprintf(stdout, ", %d sequences together", *seqs)
	}
	fmt.Fprintln(stdout, ")")
	fmt.Fprintf(stdout, "  peak RSS    %8.0f MB\n", out.PeakRSSMB)
	fmt.Fprintf(stdout, "  weights     %8.1f MB, %.1f MB read per generated token\n", float64(fp.Total)/1e6, float64(fp.DecodeBytes)/1e6)
	if out.BoundTokS > 0 {
		fmt.Fprintf(stdout, "  bandwidth   %8.1f GB/s → bound %.1f tok/s; generation at %.0f%% of it\n", out.BandwidthGBs, out.BoundTokS, out.BoundPct)
	}
	if sr.Mode != "" {
		fmt.Fprintf(stdout, "  speculative %8.2f tok/s  (%s, draft ≤ %d) vs %.2f tok/s without: ×%.2f\n", sr.SpecTokS, sr.Mode, sr.Draft, sr.PlainTokS, sr.Speedup)
		fmt.Fprintf(stdout, "              %.2f drafts accepted per pass, by position %.2f\n", sr.AcceptedPerPass, sr.AcceptByPos)
		if sr.CheckCost > 0 {
			fmt.Fprintf(stdout, "              a check of %d rows costs %.2f one-token passes\n", sr.Draft+1, sr.CheckCost)
		}
	}
	if fp.Experts > 0 {
		limit := "no budget"
		if budget.n > 0 {
			limit = fmt.Sprintf("budget %.1f MB", float64(budget.n)/1e6)
		}
		fmt.Fprintf(stdout, "  experts     %8d resident, %.1f MB of %.1f MB (%s)\n", out.ExpertsResident,
			float64(out.ExpertBytesResident)/1e6, float64(fp.Experts)/1e6, limit)
		fmt.Fprintf(stdout, "              generation: hit rate %.1f%%, %.1f MB paged in, stall %.3f ms/token\n",
			100*out.ExpertHitRate, float64(out.ExpertBytesPagedIn)/1e6, out.ExpertStallMSPerToken)
	}
	return nil
}

// benchResult is what bench --json prints.
type benchResult struct {
	Model             string                `json:"model"`
	Threads           int                   `json:"threads"`
	Kernels           string                `json:"kernels"`
	Runs              int                   `json:"runs"`
	PromptTokens      int                   `json:"pp_tokens"`
	Sequences         int                   `json:"sequences"`
	GenTokens         int                   `json:"tg_tokens"`
	PPTokS            float64               `json:"pp_tok_s"`
	TGTokS            float64               `json:"tg_tok_s"`
	TTFTMS            float64               `json:"ttft_ms"`
	LoadMS            float64               `json:"load_ms"`
	PeakRSSMB         float64               `json:"peak_rss_mb"`
	Spread            map[string][2]float64 `json:"spread"`
	WeightBytes       int64                 `json:"weight_bytes"`
	DecodeBytes       int64                 `json:"decode_bytes_per_token"`
	BandwidthGBs      float64               `json:"bandwidth_gb_s,omitempty"`
	BoundTokS         float64               `json:"bound_tok_s,omitempty"`
	BoundPct          float64               `json:"bound_pct,omitempty"`
	ExpertActivations int64                 `json:"expert_activations"`
	// Routed-expert residency: the budget, the experts resident after the last run, and the
	// generation phase's hit rate, bytes paged in and stall per generated token.
	ExpertBudget          int64   `json:"expert_budget,omitempty"`
	ExpertsResident       int64   `json:"experts_resident"`
	ExpertBytesResident   int64   `json:"expert_bytes_resident"`
	ExpertHitRate         float64 `json:"expert_hit_rate"`
	ExpertBytesPagedIn    int64   `json:"expert_bytes_paged_in"`
	ExpertStallMSPerToken float64 `json:"expert_stall_ms_per_token"`
	specResult
}

// specResult is bench's measure of speculative decoding: one sequence generating -n tokens
// greedily from a short text prompt, through the same generation loop with and without
// drafts (medians of the runs).
type specResult struct {
	Mode            serving.SpecMode `json:"spec_mode,omitempty"`
	Draft           int              `json:"spec_draft,omitempty"`
	PlainTokS       float64          `json:"tg_plain_tok_s,omitempty"` // the loop without drafts
	SpecTokS        float64          `json:"tg_spec_tok_s,omitempty"`
	Speedup         float64          `json:"spec_speedup,omitempty"`
	AcceptedPerPass float64          `json:"spec_accepted_per_pass,omitempty"`
	AcceptByPos     []float64        `json:"spec_accept_by_pos,omitempty"`
	// CheckCost is, with replay, what a pass checking Draft+1 rows costs in one-token
	// passes: (Draft+1) × tg_plain_tok_s / tg_spec_tok_s.
	CheckCost float64 `json:"check_cost,omitempty"`
}

// specPrompt starts the generations bench --speculative times.
const specPrompt = "In the beginning God created the heaven and the earth."

// benchSpec times greedy generation of n tokens with and without speculation, alternating,
// runs times each, on one opened model; replay drafts the reply without speculation.
func benchSpec(ctx context.Context, path string, opts core.Options, spec serving.Speculation, n, runs int) (specResult, error) {
	r := specResult{Mode: spec.Mode, Draft: spec.Draft}
	m, err := core.Open(path, opts)
	if err != nil {
		return r, err
	}
	defer m.Close()
	if err := spec.Validate(m.HasMTP()); err != nil {
		return r, err
	}
	// A model without a tokenizer (a synthesized bench shape) starts from token ids.
	prompt := []int{1, 2, 3, 4, 5, 6, 7, 8}
	tok, err := serving.LoadTokenizer(path)
	if err == nil {
		prompt = append([]int{tok.BOS()}, tok.Encode(specPrompt)...)
	}
	gen := func(sp serving.Speculation) ([]int, serving.Generation, float64, error) {
		s, err := m.NewSequence(len(prompt) + n + 1)
		if err != nil {
			return nil, serving.Generation{}, 0, err
		}
		var ids []int
		var first time.Time
		g, err := serving.Generate(ctx, s, tok, prompt, serving.GenerateOptions{MaxTokens: n, StopIDs: []int{}, Speculation: sp},
			func(c serving.Chunk) error {
				if first.IsZero() {
					first = time.Now()
				}
				ids = append(ids, c.ID)
				return nil
			})
		// Tokens after the first (the prompt's) over the time since it.
		return ids, g, float64(len(ids)-1) / time.Since(first).Seconds(), err
	}
	var plain, fast, perPass []float64
	var stats serving.SpecStats
	for i := range runs + 1 { // the first pair warms up
		ids, _, tp, err := gen(serving.Speculation{})
		if err != nil {
			return r, err
		}
		sp := spec
		sp.Replay = ids
		_, g, ts, err := gen(sp)
		if err != nil {
			return r, err
		}
		if i == 0 {
			continue
		}
		plain, fast = append(plain, tp), append(fast, ts)
		perPass = append(perPass, g.Spec.AcceptedPerPass())
		stats.Add(g.Spec)
	}
	r.PlainTokS, r.SpecTokS, r.AcceptedPerPass = median(plain), median(fast), median(perPass)
	r.Speedup = r.SpecTokS / r.PlainTokS
	r.AcceptByPos = stats.AcceptByPos()
	if spec.Mode == serving.SpecReplay {
		r.CheckCost = float64(spec.Draft+1) / r.Speedup
	}
	return r, nil
}

type benchRun struct {
	load, ttft, pp, tg float64
	fp                 core.Footprint
	threads            int
	kernels            string // the kernels the model ran
	stats              core.ModelStats
	gen                core.ModelStats // the expert counters of the generation phase alone
}

func benchOnce(ctx context.Context, path string, opts core.Options, p, n, seqs int, warmup bool, seed uint64) (benchRun, error) {
	var r benchRun
	start := time.Now()
	m, err := core.Open(path, opts)
	if err != nil {
		return r, err
	}
	defer m.Close()
	r.load = ms(time.Since(start))
	r.fp, r.threads, r.kernels = m.Footprint(), m.Threads(), m.Kernels().String()
	vocab := m.Config.VocabSize
	rng := rand.New(rand.NewPCG(seed, 42))
	prompt := make([]int, p)
	for i := range prompt {
		prompt[i] = rng.IntN(vocab)
	}
	logits := make([]float32, vocab)

	seq, err := m.NewSequence(max(p, n) + 1)
	if err != nil {
		return r, err
	}
	if warmup {
		if err := seq.Forward(ctx, prompt, logits, false); err != nil {
			return r, err
		}
		if err := seq.Forward(ctx, []int{argmaxTok(logits)}, logits, false); err != nil {
			return r, err
		}
		seq.Reset()
	}
	t0 := time.Now()
	if err := seq.Forward(ctx, prompt, logits, false); err != nil {
		return r, err
	}
	prefill := time.Since(t0)
	argmaxTok(logits)
	r.ttft, r.pp = ms(time.Since(t0)), float64(p)/prefill.Seconds()

	// Generation from an empty context, as llama-bench's tg test; with several sequences,
	// each starts from its own token and all advance together, one batched step at a time.
	seq.Reset()
	steps := make([]core.Step, seqs)
	for i := range steps {
		s := seq
		if i > 0 {
			if s, err = m.NewSequence(n + 1); err != nil {
				return r, err
			}
		}
		steps[i] = core.Step{Seq: s, Tokens: []int{prompt[i%p]}, Logits: make([]float32, vocab)}
	}
	before := m.Stats()
	t1 := time.Now()
	for range n {
		if err := m.ForwardBatch(ctx, steps); err != nil {
			return r, err
		}
		for i := range steps {
			steps[i].Tokens[0] = argmaxTok(steps[i].Logits)
		}
	}
	r.tg = float64(n*seqs) / time.Since(t1).Seconds()
	r.stats = m.Stats()
	r.gen = core.ModelStats{ExpertHits: r.stats.ExpertHits - before.ExpertHits, ExpertMisses: r.stats.ExpertMisses - before.ExpertMisses,
		ExpertBytesPagedIn: r.stats.ExpertBytesPagedIn - before.ExpertBytesPagedIn, ExpertStall: r.stats.ExpertStall - before.ExpertStall}
	return r, nil
}

func argmaxTok(x []float32) int {
	best := 0
	for i, v := range x {
		if v > x[best] {
			best = i
		}
	}
	return best
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func median(x []float64) float64 {
	s := slices.Clone(x)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func span(x []float64) [2]float64 { return [2]float64{slices.Min(x), slices.Max(x)} }

// readBandwidth measures how fast threads goroutines read a 512 MiB buffer (bytes/s, the
// best of three passes): the memory bandwidth decode is bound by.
func readBandwidth(threads int) float64 {
	if threads < 1 {
		threads = runtime.NumCPU()
	}
	buf := make([]uint64, 64<<20) // 512 MiB
	for i := range buf {
		buf[i] = uint64(i)
	}
	var best float64
	var sink uint64
	for range 3 {
		var wg sync.WaitGroup
		sums := make([]uint64, threads)
		per := len(buf) / threads
		start := time.Now()
		for t := range threads {
			wg.Go(func() {
				part := buf[t*per : (t+1)*per]
				var a, b, c, d uint64
				for i := 0; i+4 <= len(part); i += 4 {
					a += part[i]
					b += part[i+1]
					c += part[i+2]
					d += part[i+3]
				}
				sums[t] = a + b + c + d
			})
		}
		wg.Wait()
		bw := float64(per*threads*8) / time.Since(start).Seconds()
		best = max(best, bw)
		for _, s := range sums {
			sink += s
		}
	}
	if sink == 42 {
		fmt.Fprint(os.Stderr, "")
	}
	return best
}

// sizeFlag is a flag of a size in bytes, with an optional suffix K, M, G or T (512M, 2G).
type sizeFlag struct {
	n   int64
	set bool
}

func (f *sizeFlag) String() string {
	if f == nil || f.n == 0 {
		return "0"
	}
	return strconv.FormatInt(f.n, 10)
}

func (f *sizeFlag) Set(s string) error {
	n, err := openai.ParseSize(s)
	if err != nil {
		return err
	}
	f.n, f.set = n, true
	return nil
}
