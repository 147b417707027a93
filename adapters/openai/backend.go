package openai

import (
	"fmt"
	"path/filepath"

	"github.com/deepgo/deepgo/core"
	"github.com/deepgo/deepgo/core/serving"
)

// BackendOptions say how OpenBackend opens a model.
type BackendOptions struct {
	Tokenizer string // tokenizer.json, a directory holding it, or a GGUF file; "" = the model's own
	Threads   int    // worker threads; 0 = one per CPU
	Slots     int    // generations at once; 0 = serving.DefaultSlots
	Queue     int    // requests waiting for a slot; 0 = serving.DefaultQueue, negative = none
	Context   int    // tokens per slot; 0 = serving.DefaultContext, at most the model's maximum
	// BatchVariant trades the independence of a reply from the load for faster prefill
	// (core.Options.BatchVariant); false, the zero value, keeps replies independent of it.
	BatchVariant bool
	// Mapped reads a dense model's weights in place from its mapped files instead of
	// copying them into memory at open (core.Options.Mapped); false, the zero value, copies.
	Mapped bool
	// ExpertBudget caps the memory of the routed experts' weights in bytes (0 = no cap):
	// beyond it the least recently used are released (core.Options.ExpertBudget).
	ExpertBudget int64
	// KVBudget caps the memory of all slots' KV caches together in bytes (0 = no cap):
	// requests wait for room, and one that can never fit gets a 400
	// (serving.SchedulerOptions.KVBudget).
	KVBudget int64
	// Speculation is how replies draft tokens for the model to check several at a time
	// (serving.SchedulerOptions.Speculation); the zero value is off.
	Speculation serving.Speculation
}

// OpenBackend opens the model at path (a GGUF file or a Hugging Face checkpoint
// directory) with its tokenizer and a scheduler, ready for Handler.SetBackend. The
// weights are memory-mapped, not read.
func OpenBackend(path string, o BackendOptions) (*Backend, error) {
	m, tok, err := serving.OpenWithTokenizer(path, o.Tokenizer, core.Options{Threads: o.Threads, ExpertBudget: o.ExpertBudget, BatchVariant: o.BatchVariant, Mapped: o.Mapped})
	if err != nil {
		return nil, err
	}
	if err := o.Speculation.Validate(m.HasMTP()); err != nil {
		m.Close()
		return nil, err
	}
	if o.Speculation.Mode == serving.SpecReplay {
		m.Close()
		return nil, fmt.Errorf("speculative mode replay is for deepgo bench, not for serving")
	}
	s := serving.NewScheduler(m, tok, serving.SchedulerOptions{Slots: o.Slots, Queue: o.Queue, Context: o.Context, KVBudget: o.KVBudget, Speculation: o.Speculation})
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
