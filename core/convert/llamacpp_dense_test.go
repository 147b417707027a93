package convert

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"

	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/deepgo/deepgo/core"
	"github.com/deepgo/deepgo/core/tokenizer"
)

// llamaCppDenseFile holds llama.cpp's logits on deepgo's conversions of the dense reference
// checkpoints (testdata/llamacpp-dense.json, written by TestLlamaCppDense with
// DEEPGO_LLAMA_CPP and DEEPGO_RECORD=1).
const llamaCppDenseFile = "llamacpp-dense.json"

// llamaCppDense is that file: per "checkpoint/type", the prompts llama-debug ran and the
// logits of each prompt's last position; and the greedy continuations llama-simple printed.
type llamaCppDense struct {
	What     string                        `json:"what"`
	LlamaCpp string                        `json:"llama_cpp"`
	Command  string                        `json:"command"`
	Runs     map[string][]llamaCppDenseRun `json:"runs"`
	// Continuations are llama-simple's greedy continuations of llamaCppPrompts[0] on the F32
	// files, by checkpoint (bytes: byteVocab's text).
	Continuations map[string][]byte `json:"continuations"`
}

type llamaCppDenseRun struct {
	Tokens []int `json:"tokens"`
	// Logits are the float32 logits as llama-debug wrote them (little-endian; base64 in the
	// file).
	Logits []byte `json:"logits_f32le"`
}

// logits decodes the run's logits.
func (r llamaCppDenseRun) logits(t *testing.T) []float32 {
	t.Helper()
	out := make([]float32, len(r.Logits)/4)
	if err := binary.Read(bytes.NewReader(r.Logits), binary.LittleEndian, out); err != nil {
		t.Fatal(err)
	}
	return out
}

// llamaCppLimit bounds how far deepgo's logits may be from llama.cpp's on the same file.
type llamaCppLimit struct {
	maxDiff float64 // largest |diff| of a logit
	kl      float64 // mean KL(llama.cpp ‖ deepgo) of a row, nats
}

// denseLlamaCppTypes are the deepgo conversions compared with llama.cpp, and how close the
// last-position logits must be on the same file: F32 computes alike (float32 sums in other
// orders); on quantized files both quantize the activations to 8 bits, llama.cpp per block
// of 32 (Q8_0) or 256 (Q8_K) values, so rows move by a few hundredths.
var denseLlamaCppTypes = []struct {
	typ   string
	limit llamaCppLimit
}{{"f32", llamaCppLimit{1e-4, 1e-9}}, {"q8_0", llamaCppLimit{0.15, 1e-3}}}

// llamaCppPrompts are the prompts given to llama.cpp: one token per byte with the byte
// vocabulary (byteVocab), of 6, 23 and 80 tokens (past llama3-gqa's original 64 positions).
var llamaCppPrompts = []string{
	"Hello!",
	"The quick brown fox ju.",
	"In the beginning God created the heaven and the earth. And the earth was without form",
}

// byteVocab is a byte-level BPE vocabulary of n tokens for a model of random weights, which
// llama.cpp can tokenize text with and whose every token prints distinctly: byte b is token
// b (no merges), and ids 256 and up are user-defined tokens "<tID>". Token 1 is the end of
// text (as the reference configs' eos_token_id).
func byteVocab(t *testing.T, n int) *tokenizer.Tokenizer {
	t.Helper()
	v := tokenizer.Vocab{Model: "gpt2", Pre: "deepseek-v3", BOS: -1, EOS: 1}
	for id := range n {
		if id < 256 {
			v.Tokens = append(v.Tokens, string(byteRune(id)))
			v.Types = append(v.Types, 1)
			continue
		}
		v.Tokens = append(v.Tokens, fmt.Sprintf("<t%d>", id))
		v.Types = append(v.Types, 4)
	}
	tok, err := tokenizer.FromVocab(v)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// byteText is the text of tokens in byteVocab: llama.cpp prints each byte token as its byte.
func byteText(tokens []int) string {
	var b strings.Builder
	for _, id := range tokens {
		if id < 256 {
			b.WriteByte(byte(id))
		} else {
			fmt.Fprintf(&b, "<t%d>", id)
		}
	}
	return b.String()
}

// byteRune is GPT-2's printable stand-in for byte b in byte-level BPE: printable Latin-1
// bytes stand for themselves, the others are 256 + their rank among them.
func byteRune(b int) rune {
	printable := func(c int) bool { return c >= '!' && c <= '~' || c >= 0xA1 && c <= 0xAC || c >= 0xAE && c <= 0xFF }
	if printable(b) {
		return rune(b)
	}
	n := 0
	for c := range b {
		if !printable(c) {
			n++
		}
	}
	return rune(256 + n)
}

// TestDenseMatchesLlamaCpp: deepgo's F32 and Q8_0 conversions of every dense reference
// checkpoint, evaluated by deepgo, give the last-position logits llama.cpp computed on the
// same files (testdata/llamacpp-dense.json) within denseLlamaCppTypes' limits, and on the
// F32 files the greedy continuation llama.cpp generated.
func TestDenseMatchesLlamaCpp(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", llamaCppDenseFile))
	if err != nil {
		t.Fatal(err)
	}
	var rec llamaCppDense
	if err := json.Unmarshal(b, &rec); err != nil {
		t.Fatal(err)
	}
	tok := byteVocab(t, 1000)
	for _, ref := range denseRefs {
		for _, c := range denseLlamaCppTypes {
			if testing.Short() && c.typ != "f32" {
				continue
			}
			t.Run(ref.name+"/"+c.typ, func(t *testing.T) {
				runs := rec.Runs[ref.name+"/"+c.typ]
				if len(runs) != len(llamaCppPrompts) {
					t.Fatalf("%d recorded runs, want %d", len(runs), len(llamaCppPrompts))
				}
				path := convertWith(t, filepath.Join("..", "testdata", "ref", ref.name), c.typ, tok)
				c.limit.check(t, c.typ, lastLogits(t, path, runs))
				if c.typ != "f32" {
					return
				}
				want, ok := rec.Continuations[ref.name]
				if got := byteText(greedy(t, path, runs[0].Tokens, 16)); !ok || got != string(want) {
					t.Errorf("greedy continuation %q, llama.cpp's %q", got, want)
				}
			})
		}
	}
}

// convertWith converts a checkpoint to a GGUF file of type typ with tokenizer tok.
func convertWith(t *testing.T, dir, typ string, tok *tokenizer.Tokenizer) string {
	t.Helper()
	m, err := core.Open(dir, core.Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	out := filepath.Join(t.TempDir(), filepath.Base(dir)+"-"+typ+".gguf")
	if _, err := Write(context.Background(), m, out, Options{Type: typ, Tokenizer: tok, Name: filepath.Base(dir)}); err != nil {
		t.Fatal(err)
	}
	return out
}

// lastLogits evaluates each run's tokens with deepgo on the file at path and compares the
// last position's logits with the run's.
func lastLogits(t *testing.T, path string, runs []llamaCppDenseRun) logitStats {
	t.Helper()
	m, err := core.Open(path, core.Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	v := m.Config.VocabSize
	var s logitStats
	for _, r := range runs {
		got, err := core.Eval(context.Background(), m, r.Tokens, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := r.logits(t)
		if len(want) != v {
			t.Fatalf("%d recorded logits, vocabulary %d", len(want), v)
		}
		s.add(got[len(got)-v:], want, v)
	}
	return s
}

// check applies a limit to the comparison of deepgo's logits with llama.cpp's.
func (c llamaCppLimit) check(t *testing.T, label string, s logitStats) {
	t.Helper()
	t.Logf("%s: deepgo vs llama.cpp on the same file: max |diff| %.3g, mean %.3g, mean KL %.3g, top-1 %d/%d",
		label, s.maxDiff, s.meanDiff, s.kl/float64(s.rows), s.same, s.rows)
	if !(s.maxDiff <= c.maxDiff) || !(s.kl/float64(s.rows) <= c.kl) {
		t.Errorf("%s: max |diff| %.3g (limit %.3g), mean KL %.3g (limit %.3g)", label, s.maxDiff, c.maxDiff, s.kl/float64(s.rows), c.kl)
	}
}

// TestLlamaCppDense runs llama.cpp itself (DEEPGO_LLAMA_CPP = its build/bin; skipped
// without it, as CI has no llama.cpp) on deepgo's conversions of the dense reference
// checkpoints: llama-simple loads each F32 and Q8_0 file and generates (on F32, deepgo's
// greedy continuation); llama-debug's last-position logits match deepgo's on the same file;
// and llama-quantize's Q8_0 and Q4_K_M of deepgo's F32 file load in deepgo, match
// llama.cpp's logits on them, and hold the same tensors, byte for byte, as deepgo's own
// conversion to that type. With
// DEEPGO_RECORD=1 it writes testdata/llamacpp-dense.json for TestDenseMatchesLlamaCpp.
func TestLlamaCppDense(t *testing.T) {
	bin := os.Getenv("DEEPGO_LLAMA_CPP")
	if bin == "" {
		t.Skip("DEEPGO_LLAMA_CPP (llama.cpp's build/bin) is not set")
	}
	tok := byteVocab(t, 1000)
	rec := llamaCppDense{
		What:          "llama.cpp's logits at the last prompt position on deepgo's conversions (F32, Q8_0) of the dense reference checkpoints core/testdata/ref/*, with a byte vocabulary (byte b = token b, ids 256+ printed as <tID>: byteVocab) so llama.cpp can tokenize; continuations: llama-simple -m FILE -n 16 Hello! on the F32 files",
		LlamaCpp:      llamaCppVersion(t, bin),
		Command:       "llama-debug -m FILE -p PROMPT --save-logits -ctk f32 -ctv f32 -fa off -t 2 -c 256 (TestLlamaCppDense)",
		Runs:          map[string][]llamaCppDenseRun{},
		Continuations: map[string][]byte{},
	}
	for _, ref := range denseRefs {
		dir := filepath.Join("..", "testdata", "ref", ref.name)
		for _, c := range denseLlamaCppTypes {
			t.Run(ref.name+"/"+c.typ, func(t *testing.T) {
				path := convertWith(t, dir, c.typ, tok)
				text := llamaCppGenerates(t, bin, path)
				runs := llamaCppLogits(t, bin, path)
				want := byteText(greedy(t, path, runs[0].Tokens, 16))
				t.Logf("llama-simple continued %q with %q; deepgo: %q", llamaCppPrompts[0], text, want)
				if c.typ == "f32" {
					rec.Continuations[ref.name] = []byte(text)
					if text != want {
						t.Errorf("llama.cpp's greedy continuation %q is not deepgo's %q", text, want)
					}
				}
				rec.Runs[ref.name+"/"+c.typ] = runs
				c.limit.check(t, c.typ, lastLogits(t, path, runs))
			})
		}
		for _, q := range []struct {
			typ   string
			limit llamaCppLimit
		}{{"Q8_0", llamaCppLimit{0.15, 1e-3}}, {"Q4_K_M", llamaCppLimit{0.15, 1e-3}}} {
			t.Run(ref.name+"/llama-quantize-"+q.typ, func(t *testing.T) {
				src := convertWith(t, dir, "f32", tok)
				out := filepath.Join(t.TempDir(), ref.name+"-"+q.typ+".gguf")
				runTool(t, filepath.Join(bin, "llama-quantize"), src, out, q.typ)
				runs := llamaCppLogits(t, bin, out)
				q.limit.check(t, "llama-quantize "+q.typ, lastLogits(t, out, runs))
				sameTensors(t, out, convertWith(t, dir, strings.ToLower(q.typ), tok))
			})
		}
	}
	if os.Getenv("DEEPGO_RECORD") == "1" {
		b, err := json.MarshalIndent(rec, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join("testdata", llamaCppDenseFile), append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// runTool runs a llama.cpp program (at most two minutes) and returns its output.
func runTool(t *testing.T, prog string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, prog, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", filepath.Base(prog), args, err, out)
	}
	return out
}

// llamaCppVersion is the build line llama.cpp prints.
func llamaCppVersion(t *testing.T, bin string) string {
	out := runTool(t, filepath.Join(bin, "llama-completion"), "--version")
	return string(bytes.TrimSpace(regexp.MustCompile(`version: [^\n]*`).Find(out)))
}

// llamaCppGenerates has llama-simple load the file and continue llamaCppPrompts[0] with up
// to 16 greedy tokens (it stops at the end of text), and returns what it printed after the
// prompt. (llama-completion prints through an asynchronous log that a run this short
// sometimes exits before flushing.)
func llamaCppGenerates(t *testing.T, bin, path string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	p := llamaCppPrompts[0]
	cmd := exec.CommandContext(ctx, filepath.Join(bin, "llama-simple"), "-m", path, "-n", "16", p)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("llama-simple: %v\n%s", err, stderr.Bytes())
	}
	if !bytes.HasPrefix(out, []byte(p)) || !bytes.HasSuffix(out, []byte("\n")) {
		t.Fatalf("llama-simple printed %q, want the prompt, its continuation and a newline", out)
	}
	return string(out[len(p) : len(out)-1])
}

// greedy is deepgo's greedy continuation of tokens by up to n tokens on the file at path,
// up to the end of text (token 1 in byteVocab).
func greedy(t *testing.T, path string, tokens []int, n int) []int {
	t.Helper()
	m, err := core.Open(path, core.Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	v := m.Config.VocabSize
	var out []int
	for range n {
		logits, err := core.Eval(context.Background(), m, tokens, out)
		if err != nil {
			t.Fatal(err)
		}
		next := argmax(logits[len(logits)-v:])
		if next == 1 {
			break
		}
		out = append(out, next)
	}
	return out
}

// llamaCppLogits runs llama-debug on each prompt and reads the tokens it used and the logits
// of the last position.
func llamaCppLogits(t *testing.T, bin, path string) []llamaCppDenseRun {
	t.Helper()
	var runs []llamaCppDenseRun
	for _, p := range llamaCppPrompts {
		dir := t.TempDir()
		runTool(t, filepath.Join(bin, "llama-debug"), "-m", path, "-p", p, "--save-logits", "--logits-output-dir", dir,
			"-ctk", "f32", "-ctv", "f32", "-fa", "off", "-t", "2", "-c", "256")
		stem := filepath.Join(dir, "llamacpp-"+filepath.Base(path[:len(path)-len(filepath.Ext(path))]))
		lb, err := os.ReadFile(stem + ".bin")
		if err != nil {
			t.Fatal(err)
		}
		tb, err := os.ReadFile(stem + "-tokens.bin")
		if err != nil {
			t.Fatal(err)
		}
		r := llamaCppDenseRun{Logits: lb}
		toks := make([]int32, len(tb)/4)
		if err := binary.Read(bytes.NewReader(tb), binary.LittleEndian, toks); err != nil {
			t.Fatal(err)
		}
		for _, id := range toks {
			r.Tokens = append(r.Tokens, int(id))
		}
		if len(r.Tokens) != len(p) {
			t.Fatalf("llama.cpp made %d tokens of %d bytes: %v", len(r.Tokens), len(p), r.Tokens)
		}
		runs = append(runs, r)
	}
	return runs
}
