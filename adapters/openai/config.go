package openai

import (
	"bytes"
	"fmt"

	"github.com/deepgo/deepgo/core/mmap"
	"github.com/deepgo/deepgo/core/serving"
)

// Config is what a deepgo server or function serves and how: the model, its serving
// options and the protocol's. deepgo serve, the Lambda function and the Cloud Function
// all fill it through the same Settings (Register): the same environment variables,
// and for serve the flags that override them. Every default is written here once, or
// taken from the package that owns it.
type Config struct {
	Model    string // a GGUF file or a checkpoint directory (required)
	KeysFile string // a file of API keys, one a line, each optionally followed by rpm=N tpm=N
	Keys     string // API keys themselves, entries separated by commas or newlines
	MaxBody  int    // largest request body in bytes (413 beyond)
	Backend  BackendOptions
	Handler  Options // its Keys and ModelName are filled by Open
}

// The defaults of the protocol's own settings.
const (
	// DefaultMaxBody is the default limit on a request body: 8 MiB.
	DefaultMaxBody = 8 << 20
	// maxKeysFile bounds an API keys file: a million keys with their limits.
	maxKeysFile = 64 << 20
)

// Register adds the configuration's settings to s, each at its default.
func (c *Config) Register(s *Settings) {
	s.String(&c.Model, "model", "DEEPGO_MODEL", "", "model: a GGUF file or a Hugging Face checkpoint directory")
	s.String(&c.Backend.Tokenizer, "tokenizer", "DEEPGO_TOKENIZER", "", "tokenizer.json, a directory holding it, or a GGUF file (default: the model's)")
	s.String(&c.Handler.ModelName, "name", "DEEPGO_MODEL_NAME", "", "model id clients use (default: the file name without .gguf)")
	s.String(&c.KeysFile, "api-keys", "DEEPGO_API_KEYS_FILE", "", "file of API keys, one a line, each optionally followed by rpm=N tpm=N")
	s.String(&c.Keys, "", "DEEPGO_API_KEYS", "", "API keys, entries \"KEY [rpm=N] [tpm=N]\" separated by commas or newlines")
	s.Int(&c.Handler.RPM, "rpm", "DEEPGO_RPM", 0, 0, "requests per minute per key, or per client address without keys (0 = no limit)")
	s.Int(&c.Handler.TPM, "tpm", "DEEPGO_TPM", 0, 0, "tokens per minute per key, or per client address without keys (0 = no limit)")
	s.Int(&c.Backend.Threads, "t", "DEEPGO_THREADS", 0, 0, "threads (0 = one per CPU)")
	s.Bool(&c.Backend.BatchVariant, "batch-variant", "DEEPGO_BATCH_VARIANT", false, "faster prefill (sixteen-vector Q5_0 and Q8_0 kernels that add in their own order, naive prompt attention on checkpoint models), but a reply may then change in its last bits with the load: the same request need not give the same tokens (default off: answers are independent of batching, chunking, the prefix cache and threads)")
	s.Bool(&c.Backend.Mapped, "mmap", "DEEPGO_MMAP", false, "read a dense model's weights in place from the mapped file (page cache) instead of copying them into the process's memory at open: less start-up work and pages the kernel may drop, slower decoding (MoE models always map theirs)")
	s.Int(&c.Backend.Slots, "slots", "DEEPGO_SLOTS", serving.DefaultSlots, 1, "generations at once, each with its own KV cache")
	s.Int(&c.Backend.Queue, "queue", "DEEPGO_QUEUE", serving.DefaultQueue, -1, "requests that may wait for a slot; more get 503 (-1 = none)")
	s.Int(&c.Backend.Context, "ctx", "DEEPGO_CTX", serving.DefaultContext, 1, "context per slot in tokens, prompt and reply (capped by the model's)")
	s.Int(&c.Handler.MaxTokens, "max-tokens", "DEEPGO_MAX_TOKENS", 0, 0, "cap on max_tokens, and the default when a chat request gives none (0 = the rest of the context)")
	s.Int(&c.Handler.MaxPromptTokens, "max-prompt-tokens", "DEEPGO_MAX_PROMPT_TOKENS", 0, 0, "refuse longer prompts with 400 (0 = the context less one)")
	s.Int(&c.MaxBody, "max-body", "DEEPGO_MAX_BODY", DefaultMaxBody, 1, "largest request body in bytes (413 beyond)")
	s.Size(&c.Backend.ExpertBudget, "expert-budget", "DEEPGO_EXPERT_BUDGET", 0, "keep the routed experts' weights under `BYTES` of memory, releasing the least recently used (512M, 2G; 0 = no limit)")
	s.Size(&c.Backend.KVBudget, "kv-budget", "DEEPGO_KV_BUDGET", 0, "keep all slots' KV caches under `BYTES` together: requests wait for room (256M, 1G; 0 = no limit)")
	s.String((*string)(&c.Backend.Speculation.Mode), "speculative", "DEEPGO_SPECULATIVE", "", "speculative decoding: mtp (the model's multi-token-prediction module), ngram (prompt lookup) or off (default off: on small models that fit the CPU's caches a check of several rows costs nearly as many passes; see docs/benchmarks.md)")
	s.Int(&c.Backend.Speculation.Draft, "draft", "DEEPGO_DRAFT", serving.DefaultDraft, 1, "most tokens drafted per pass of speculative decoding (fewer while they are seldom accepted)")
	s.Int(&c.Handler.StoredResponses, "stored-responses", "DEEPGO_STORED_RESPONSES", defaultStoredResponses, -1,
		"Responses API responses kept in memory for previous_response_id, the least recently used dropped first (-1 = none)")
	s.Size(&c.Handler.StoredResponseBytes, "stored-response-bytes", "DEEPGO_STORED_RESPONSE_BYTES", defaultStoredResponseBytes,
		"keep the stored responses under `BYTES` together (64M, 1G)")
	d := defaultSampling()
	s.Float(&c.Handler.Defaults.Temperature, "temp", "DEEPGO_TEMP", d.Temperature, 0, 2, "temperature when a request gives none (OpenAI's default is 1)")
	s.Float(&c.Handler.Defaults.TopP, "top-p", "DEEPGO_TOP_P", d.TopP, 0, 1, "top_p when a request gives none")
}

// Check reports a configuration that cannot be served: no model.
func (c *Config) Check() error {
	if c.Model == "" {
		return fmt.Errorf("no model: set --model or DEEPGO_MODEL to a GGUF file or a checkpoint directory")
	}
	return nil
}

// LoadKeys reads the API keys, from the keys file or else the keys text, into
// c.Handler.Keys (nil when neither is set), and names the model after its file when no
// name is set.
func (c *Config) LoadKeys() error {
	switch {
	case c.KeysFile != "":
		b, err := mmap.ReadFile(c.KeysFile, maxKeysFile)
		if err != nil {
			return fmt.Errorf("--api-keys: %w", err)
		}
		keys, err := ParseKeys(bytes.NewReader(b), c.KeysFile)
		if err != nil {
			return err
		}
		c.Handler.Keys = keys
	case c.Keys != "":
		keys, err := ParseKeys(bytes.NewReader([]byte(c.Keys)), "DEEPGO_API_KEYS")
		if err != nil {
			return err
		}
		c.Handler.Keys = keys
	}
	if c.Handler.ModelName == "" {
		c.Handler.ModelName = ModelName(c.Model)
	}
	return nil
}

// Open checks the configuration, reads the keys, opens the model and returns a handler
// serving it.
func (c *Config) Open() (*Handler, *Backend, error) {
	if err := c.Check(); err != nil {
		return nil, nil, err
	}
	if err := c.LoadKeys(); err != nil {
		return nil, nil, err
	}
	b, err := OpenBackend(c.Model, c.Backend)
	if err != nil {
		return nil, nil, err
	}
	h := NewHandler(c.Handler)
	h.SetBackend(b)
	return h, b, nil
}
