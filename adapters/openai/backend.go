package openai

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/deepgo/deepgo/core"
)

// BackendOptions say how OpenBackend opens a model.
type BackendOptions struct {
	Tokenizer string // tokenizer.json, a directory holding it, or a GGUF file; "" = the model's own
	Threads   int    // worker threads; 0 = one per CPU
	Slots     int    // generations at once; 0 = 4
	Queue     int    // requests waiting for a slot; 0 = 64
	Context   int    // tokens per slot; 0 = the model's maximum, at most 4096
}

// OpenBackend opens the model at path (a GGUF file or a Hugging Face checkpoint
// directory) with its tokenizer and a scheduler, ready for Handler.SetBackend. The
// weights are memory-mapped, not read.
func OpenBackend(path string, o BackendOptions) (*Backend, error) {
	tokPath := o.Tokenizer
	if tokPath == "" {
		tokPath = path
		if st, err := os.Stat(path); err == nil && st.IsDir() {
			if _, err := os.Stat(filepath.Join(path, "tokenizer.json")); err != nil {
				return nil, fmt.Errorf("no tokenizer.json in %s: name the tokenizer too", path)
			}
		}
	}
	tok, err := core.LoadTokenizer(tokPath)
	if err != nil {
		return nil, err
	}
	m, err := core.Open(path, core.Options{Threads: o.Threads})
	if err != nil {
		return nil, err
	}
	if tok.Len() > m.Config.VocabSize {
		m.Close()
		return nil, fmt.Errorf("%s: the tokenizer has %d ids but the model's vocab_size is %d: not this model's tokenizer", tokPath, tok.Len(), m.Config.VocabSize)
	}
	s := core.NewScheduler(m, tok, core.SchedulerOptions{Slots: o.Slots, Queue: o.Queue, Context: o.Context})
	b, err := NewBackend(s)
	if err != nil {
		m.Close()
		return nil, err
	}
	return b, nil
}

// Close stops the scheduler taking requests and closes the model. Requests must have
// finished.
func (b *Backend) Close() error {
	b.sched.Close()
	return b.sched.Model().Close()
}

// ModelName is the name a model file is served under by default: its file or directory
// name without the .gguf extension and split suffix.
func ModelName(path string) string {
	name := filepath.Base(filepath.Clean(path))
	if ext := filepath.Ext(name); ext == ".gguf" {
		name = name[:len(name)-len(ext)]
	}
	// model-00001-of-00003 → model
	if n := len(name); n > 15 && name[n-15] == '-' && name[n-9:n-6] == "-of" {
		name = name[:n-15]
	}
	return name
}
