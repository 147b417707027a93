package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/deepgo/deepgo/core"
	"github.com/deepgo/deepgo/core/chat"
	"github.com/deepgo/deepgo/core/sample"
	"github.com/deepgo/deepgo/core/serving"
	"github.com/deepgo/deepgo/core/tokenizer"
)

// runRun generates text:
//
//	deepgo run --model PATH [--prompt TEXT | --chat] [-n N] [--temp T] [--seed S]
//
// With --prompt the text is one user message rendered with the chat template (--raw feeds it
// as is); the reply streams to stdout as it is produced. With --chat every line of stdin is a
// user turn of one conversation (an interactive prompt when stdin is a terminal).
func runRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runWith(ctx, os.Stdin, args, stdout, stderr)
}

type runFlags struct {
	model, tokenizer, prompt, system string
	chat, raw, timings               bool
	n, ctxLen, threads               int
	p                                sample.Params
	stops                            stringList
	spec                             serving.Speculation
}

type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

func runWith(ctx context.Context, stdin io.Reader, args []string, stdout, stderr io.Writer) error {
	var f runFlags
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.model, "model", "", "model: a Hugging Face checkpoint directory or a GGUF file")
	fs.StringVar(&f.tokenizer, "tokenizer", "", "tokenizer.json, a directory holding it, or a GGUF file (default: the model's)")
	fs.StringVar(&f.prompt, "prompt", "", "the prompt (a user message, or raw text with --raw)")
	fs.StringVar(&f.system, "system", "", "a system message to start the conversation with")
	fs.BoolVar(&f.chat, "chat", false, "chat: each line of stdin is a user turn")
	fs.BoolVar(&f.raw, "raw", false, "feed --prompt as raw text (BOS + text), without the chat template")
	fs.IntVar(&f.n, "n", 256, "most tokens to generate per reply")
	fs.IntVar(&f.ctxLen, "ctx", 4096, "context length in tokens (capped by the model's)")
	fs.IntVar(&f.threads, "t", 0, "threads (0 = one per CPU)")
	temp := fs.Float64("temp", 0.6, "temperature (0 = greedy)")
	topP := fs.Float64("top-p", 0.95, "nucleus sampling: keep the smallest set of tokens with this much probability (1 = off)")
	topK := fs.Int("top-k", 0, "keep the k most likely tokens (0 = off)")
	minP := fs.Float64("min-p", 0, "drop tokens less likely than min-p × the most likely one (0 = off)")
	rep := fs.Float64("repeat-penalty", 1, "repetition penalty (1 = off)")
	seed := fs.Uint64("seed", 0, "random seed (0 = a random one)")
	fs.Var(&f.stops, "stop", "stop string (repeatable)")
	specMode := fs.String("speculative", "off", "speculative decoding: mtp (the model's multi-token-prediction module; each chat turn then feeds the whole conversation again), ngram (prompt lookup) or off")
	fs.IntVar(&f.spec.Draft, "draft", serving.DefaultDraft, "most tokens drafted per pass with --speculative")
	fs.BoolVar(&f.timings, "timings", false, "print where the time went to stderr: opening, the prompt, the first token, generation")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: deepgo run --model PATH [--prompt TEXT | --chat] [-n N] [--temp T] [--seed S]\n\n")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if f.model == "" {
		return fmt.Errorf("--model is required")
	}
	if (f.prompt == "") == !f.chat {
		return fmt.Errorf("give exactly one of --prompt TEXT or --chat")
	}
	if *seed == 0 {
		*seed = randomSeed()
	}
	f.p = sample.Params{Temperature: float32(*temp), TopP: float32(*topP), TopK: *topK, MinP: float32(*minP),
		RepetitionPenalty: float32(*rep), Seed: *seed}
	if err := f.p.Validate(); err != nil {
		return err
	}
	var err error
	if f.spec.Mode, err = serving.ParseSpecMode(*specMode); err != nil || f.spec.Mode == serving.SpecReplay {
		return fmt.Errorf("--speculative %s: want mtp, ngram or off", *specMode)
	}
	start := time.Now()
	m, tok, err := serving.OpenWithTokenizer(f.model, f.tokenizer, core.Options{Threads: f.threads})
	if err != nil {
		return err
	}
	defer m.Close()
	if err := f.spec.Validate(m.HasMTP()); err != nil {
		return fmt.Errorf("--speculative: %w", err)
	}
	if f.timings {
		fmt.Fprintf(stderr, "[timings] open (model and tokenizer): %.1f ms\n", ms(time.Since(start)))
	}
	capacity := f.ctxLen
	if mp := m.Config.MaxPositions; mp > 0 {
		capacity = min(capacity, mp)
	}
	seq, err := m.NewSequence(capacity)
	if err != nil {
		return err
	}
	c := &conversation{f: &f, tok: tok, seq: seq, out: stdout, stderr: stderr}
	if f.system != "" {
		c.msgs = append(c.msgs, chat.Message{Role: "system", Content: &f.system})
	}
	if !f.chat {
		if f.raw {
			ids := tok.Encode(f.prompt)
			if tok.AddBOS() {
				ids = append([]int{tok.BOS()}, ids...)
			}
			_, err := c.generate(ctx, ids)
			return err
		}
		return c.turn(ctx, f.prompt)
	}
	return c.loop(ctx, stdin, stderr)
}

// conversation is a chat kept in one sequence: each turn feeds only the tokens that are new.
type conversation struct {
	f      *runFlags
	tok    *tokenizer.Tokenizer
	seq    *core.Sequence
	out    io.Writer
	stderr io.Writer // --timings
	msgs   []chat.Message
	fed    []int // tokens in the sequence
}

func (c *conversation) loop(ctx context.Context, stdin io.Reader, stderr io.Writer) error {
	interactive := isTerminal(stdin)
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for {
		if interactive {
			fmt.Fprint(stderr, "> ")
		}
		if !sc.Scan() {
			return sc.Err()
		}
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if err := c.turn(ctx, line); err != nil {
			return err
		}
	}
}

// turn adds a user message, generates the assistant's reply and keeps it in the conversation.
func (c *conversation) turn(ctx context.Context, user string) error {
	c.msgs = append(c.msgs, chat.Message{Role: "user", Content: &user})
	text, err := renderChat(c.tok, c.msgs, true)
	if err != nil {
		return err
	}
	ids := c.tok.Encode(text)
	// Reuse what the sequence already holds when the new prompt extends it.
	n := commonPrefix(c.fed, ids)
	// The MTP module needs every position's hidden state: with it each turn starts afresh.
	if n < len(c.fed) || n == len(ids) || c.f.spec.Mode == serving.SpecMTP {
		c.seq.Reset()
		c.fed, n = c.fed[:0], 0
	}
	reply, err := c.generate(ctx, ids[n:])
	if err != nil {
		return err
	}
	c.fed = append(c.fed[:0], ids...)
	_, answer, _ := chat.SplitReply(text, reply, false)
	c.msgs = append(c.msgs, chat.Message{Role: "assistant", Content: &answer})
	// The reply's tokens are in the sequence but a re-render may tokenize them differently:
	// keep only the prompt as the reusable prefix.
	c.seq.Truncate(len(c.fed))
	return nil
}

// generate feeds ids and streams the reply to the output.
func (c *conversation) generate(ctx context.Context, ids []int) (string, error) {
	var reply strings.Builder
	w := bufio.NewWriter(c.out)
	start := time.Now()
	var first time.Duration
	n := 0
	g, err := serving.Generate(ctx, c.seq, c.tok, ids, serving.GenerateOptions{MaxTokens: c.f.n, Stops: c.f.stops, Sampling: c.f.p, Speculation: c.f.spec},
		func(ch serving.Chunk) error {
			if n++; n == 1 {
				first = time.Since(start)
			}
			reply.WriteString(ch.Text)
			w.WriteString(ch.Text)
			return w.Flush()
		})
	w.WriteString("\n")
	w.Flush()
	if c.f.timings {
		total := time.Since(start)
		fmt.Fprintf(c.stderr, "[timings] prompt of %d tokens to the first token: %.1f ms (%.1f tok/s)\n", len(ids), ms(first), float64(len(ids))/first.Seconds())
		if g.CompletionTokens > 1 {
			fmt.Fprintf(c.stderr, "[timings] %d more tokens: %.1f ms (%.2f tok/s)\n", g.CompletionTokens-1, ms(total-first), float64(g.CompletionTokens-1)/(total-first).Seconds())
		}
		if st := g.Spec; st.Passes > 0 {
			fmt.Fprintf(c.stderr, "[timings] speculative: %d checking passes, %d of %d drafts accepted (%.2f a pass, by position %.2f)\n",
				st.Passes, st.Accepted, st.Drafted, st.AcceptedPerPass(), st.AcceptByPos())
		}
	}
	if errors.Is(err, context.Canceled) {
		return reply.String(), nil
	}
	return reply.String(), err
}

func commonPrefix(a, b []int) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

func isTerminal(r any) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
