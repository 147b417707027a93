//go:build unix

package main

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMalformedModelPaths runs the commands that open a model (inspect, run, eval,
// convert) on malformed model paths: each exits 1 at once with a message that says what
// is wrong with which file — never a hang (a FIFO once blocked inspect and run for good,
// even against SIGTERM) or a read without end (/dev/zero). The whole malformed-model
// corpus runs against core.Open in core/malformed_test.go; this checks the commands
// reach it.
func TestMalformedModelPaths(t *testing.T) {
	hf, err := tinyModel()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	fifo := filepath.Join(dir, "x.gguf")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("no named pipes: %v", err)
	}
	badMagic := filepath.Join(dir, "bad.gguf")
	writeFile(t, badMagic, []byte("XXXX\x03\x00\x00\x00 not a GGUF file"))
	empty := filepath.Join(dir, "empty.gguf")
	writeFile(t, empty, nil)
	loop := filepath.Join(dir, "loop.gguf")
	if err := os.Symlink(loop, loop); err != nil {
		t.Fatal(err)
	}
	// Checkpoints that share the tiny model's weights and tokenizer, with one thing wrong.
	withConfig := func(name, key, value string) string {
		d := linkCheckpoint(t, hf, filepath.Join(dir, name))
		var cfg map[string]json.RawMessage
		if err := json.Unmarshal(readFile(t, filepath.Join(hf, "config.json")), &cfg); err != nil {
			t.Fatal(err)
		}
		cfg[key] = json.RawMessage(value)
		b, _ := json.Marshal(cfg)
		writeFile(t, filepath.Join(d, "config.json"), b)
		return d
	}
	ctx0 := withConfig("ctx0", "max_position_embeddings", "0")
	ctxBig := withConfig("ctxbig", "max_position_embeddings", "1000000000000000")
	scale := withConfig("scale", "routed_scaling_factor", "1e308")
	tokFIFO := linkCheckpoint(t, hf, filepath.Join(dir, "tokfifo"))
	os.Remove(filepath.Join(tokFIFO, "tokenizer.json"))
	if err := syscall.Mkfifo(filepath.Join(tokFIFO, "tokenizer.json"), 0o644); err != nil {
		t.Fatal(err)
	}

	notRegular := " is a named pipe (FIFO), not a regular file or a directory"
	cases := []struct {
		name string
		args []string // the command and its flags
		want string   // in stderr, after "deepgo COMMAND: "
	}{
		{"inspect fifo", []string{"inspect", fifo}, fifo + notRegular},
		{"inspect dev zero", []string{"inspect", "/dev/zero"}, "/dev/zero is a character device, not a regular file or a directory"},
		{"inspect bad magic", []string{"inspect", badMagic}, `gguf: ` + badMagic + ` (offset 0): bad magic "XXXX", want "GGUF" (not a GGUF file)`},
		{"inspect empty", []string{"inspect", empty}, "gguf: " + empty + " (offset 0): truncated file"},
		{"inspect symlink loop", []string{"inspect", loop}, "too many levels of symbolic links"},
		{"inspect missing", []string{"inspect", filepath.Join(dir, "absent.gguf")}, "absent.gguf: no such file or directory"},
		{"inspect directory without a config", []string{"inspect", dir}, "config: open " + filepath.Join(dir, "config.json") + ": no such file"},
		{"inspect max_position_embeddings 0", []string{"inspect", ctx0}, "config.json: max_position_embeddings = 0 is out of range [1, 16777216]"},
		{"run fifo", []string{"run", "--model", fifo, "--prompt", "hi"}, "open model: " + fifo + notRegular},
		{"run dev zero", []string{"run", "--model", "/dev/zero", "--prompt", "hi"}, "open model: /dev/zero is a character device, not a regular file or a directory"},
		{"run bad magic", []string{"run", "--model", badMagic, "--prompt", "hi"}, `bad magic "XXXX", want "GGUF" (not a GGUF file)`},
		{"run empty", []string{"run", "--model", empty, "--prompt", "hi"}, "truncated file"},
		{"run symlink loop", []string{"run", "--model", loop, "--prompt", "hi"}, "too many levels of symbolic links"},
		{"run max_position_embeddings 0", []string{"run", "--model", ctx0, "--prompt", "hi"}, "config.json: max_position_embeddings = 0 is out of range [1, 16777216]"},
		{"run max_position_embeddings 1e15", []string{"run", "--model", ctxBig, "--prompt", "hi"}, "config.json: max_position_embeddings = 1000000000000000 is out of range [1, 16777216]"},
		{"run routed_scaling_factor 1e308", []string{"run", "--model", scale, "--prompt", "hi"}, "config.json: routed_scaling_factor = 1e+308 is out of range (0, 1000]"},
		{"run tokenizer.json a fifo", []string{"run", "--model", tokFIFO, "--prompt", "hi"}, "tokenizer: " + filepath.Join(tokFIFO, "tokenizer.json") + " is a named pipe (FIFO), not a regular file"},
		{"run --tokenizer fifo", []string{"run", "--model", hf, "--tokenizer", fifo, "--prompt", "hi"}, "tokenizer: " + fifo + notRegular},
		{"run --tokenizer dev zero", []string{"run", "--model", hf, "--tokenizer", "/dev/zero", "--prompt", "hi"}, "tokenizer: /dev/zero is a character device"},
		{"tokenize fifo", []string{"tokenize", "--tokenizer", fifo}, "tokenizer: " + fifo + notRegular},
		{"eval fifo", []string{"eval", "--model", fifo, "--tokens", "0", "--out", filepath.Join(dir, "o.npy")}, "open model: " + fifo + notRegular},
		{"eval dev zero", []string{"eval", "--model", "/dev/zero", "--tokens", "0", "--out", filepath.Join(dir, "o.npy")}, "open model: /dev/zero is a character device"},
		{"convert fifo", []string{"convert", "--in", fifo, "--out", filepath.Join(dir, "o.gguf"), "--type", "f32"}, "open model: " + fifo + notRegular},
		{"quantize fifo", []string{"quantize", fifo, filepath.Join(dir, "o.gguf"), "q8_0"}, "open model: " + fifo + notRegular},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			type result struct {
				code           int
				stdout, stderr string
			}
			done := make(chan result, 1)
			go func() {
				var r result
				r.code, r.stdout, r.stderr = deepgo(t, c.args...)
				done <- r
			}()
			var r result
			select {
			case r = <-done:
			case <-time.After(time.Minute):
				t.Fatalf("deepgo %s still running after a minute", c.args[0])
			}
			if r.code != 1 {
				t.Errorf("exit %d, want 1; stderr %q", r.code, r.stderr)
			}
			want := "deepgo " + c.args[0] + ": "
			if !strings.HasPrefix(r.stderr, want) || !strings.Contains(r.stderr, c.want) {
				t.Errorf("stderr %q, want %q then %q", r.stderr, want, c.want)
			}
		})
	}
}

// linkCheckpoint makes dir a checkpoint whose files are symbolic links to those of src.
func linkCheckpoint(t *testing.T, src, dir string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		abs, err := filepath.Abs(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(abs, filepath.Join(dir, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	os.Remove(path) // a symbolic link is replaced, not written through
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestServeKeysFIFO checks that serve refuses an API keys file that is a named pipe at
// once instead of waiting for a writer.
func TestServeKeysFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "keys")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no named pipes: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		done <- runServe(t.Context(), []string{"--model", ".", "--api-keys", fifo}, io.Discard, io.Discard)
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "--api-keys: "+fifo+" is a named pipe (FIFO), not a regular file") {
			t.Errorf("serve --api-keys FIFO: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve waited on an API keys file that is a named pipe")
	}
}
