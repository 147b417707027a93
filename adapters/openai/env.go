package openai

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// EnvConfig is a handler's configuration as the serverless adapters read it from their
// environment, the same variables for every adapter:
//
//	DEEPGO_MODEL              the model: a GGUF file or checkpoint directory (required)
//	DEEPGO_TOKENIZER          its tokenizer, if not inside the model
//	DEEPGO_MODEL_NAME         the model id clients use (default: the file name without .gguf)
//	DEEPGO_API_KEYS           API keys: "KEY [rpm=N] [tpm=N]" entries separated by commas or newlines
//	DEEPGO_RPM, DEEPGO_TPM    default requests and tokens per minute per key
//	DEEPGO_THREADS            worker threads (default: one per CPU)
//	DEEPGO_SLOTS, DEEPGO_QUEUE  generations at once, and waiting requests
//	DEEPGO_CTX                context per slot in tokens
//	DEEPGO_MAX_TOKENS, DEEPGO_MAX_PROMPT_TOKENS  limits, as the server's --max-tokens and --max-prompt-tokens
//	DEEPGO_MAX_BODY           largest request body in bytes
//	DEEPGO_EXPERT_BUDGET      memory for routed experts' weights, in bytes or with a suffix (512M, 2G); 0 or unset = no limit
//	DEEPGO_KV_BUDGET          memory for all slots' KV caches together, the same way
type EnvConfig struct {
	Model   string
	Backend BackendOptions
	Handler Options
	MaxBody int
}

// ReadEnv reads an EnvConfig with getenv (os.Getenv); def supplies the values of variables
// that are not set (its Model and Handler.ModelName are ignored).
func ReadEnv(getenv func(string) string, def EnvConfig) (EnvConfig, error) {
	c := def
	c.Model = getenv("DEEPGO_MODEL")
	if c.Model == "" {
		return c, fmt.Errorf("DEEPGO_MODEL is not set: it names the model file (GGUF) or checkpoint directory")
	}
	if v := getenv("DEEPGO_TOKENIZER"); v != "" {
		c.Backend.Tokenizer = v
	}
	c.Handler.ModelName = getenv("DEEPGO_MODEL_NAME")
	if c.Handler.ModelName == "" {
		c.Handler.ModelName = ModelName(c.Model)
	}
	if v := getenv("DEEPGO_API_KEYS"); v != "" {
		keys, err := ParseKeys(strings.NewReader(v), "DEEPGO_API_KEYS")
		if err != nil {
			return c, err
		}
		c.Handler.Keys = keys
	}
	for _, n := range []struct {
		name string
		dst  *int
	}{
		{"DEEPGO_RPM", &c.Handler.RPM},
		{"DEEPGO_TPM", &c.Handler.TPM},
		{"DEEPGO_THREADS", &c.Backend.Threads},
		{"DEEPGO_SLOTS", &c.Backend.Slots},
		{"DEEPGO_QUEUE", &c.Backend.Queue},
		{"DEEPGO_CTX", &c.Backend.Context},
		{"DEEPGO_MAX_TOKENS", &c.Handler.MaxTokens},
		{"DEEPGO_MAX_PROMPT_TOKENS", &c.Handler.MaxPromptTokens},
		{"DEEPGO_MAX_BODY", &c.MaxBody},
	} {
		v := getenv(n.name)
		if v == "" {
			continue
		}
		x, err := strconv.Atoi(v)
		if err != nil || x < 0 {
			return c, fmt.Errorf("%s=%q: want a whole number ≥ 0", n.name, v)
		}
		*n.dst = x
	}
	for _, n := range []struct {
		name string
		dst  *int64
	}{
		{"DEEPGO_EXPERT_BUDGET", &c.Backend.ExpertBudget},
		{"DEEPGO_KV_BUDGET", &c.Backend.KVBudget},
	} {
		if v := getenv(n.name); v != "" {
			b, err := ParseSize(v)
			if err != nil {
				return c, fmt.Errorf("%s: %w", n.name, err)
			}
			*n.dst = b
		}
	}
	return c, nil
}

// Open opens the configured model and returns a handler serving it.
func (c EnvConfig) Open() (*Handler, *Backend, error) {
	b, err := OpenBackend(c.Model, c.Backend)
	if err != nil {
		return nil, nil, err
	}
	h := NewHandler(c.Handler)
	h.SetBackend(b)
	return h, b, nil
}

// ParseSize reads a size in bytes: a number, optionally followed by K, M, G or T, powers of
// 1024 ("KB", "KiB" and lower case mean the same), or B. "1.5G" is 1.5·2³⁰ bytes.
func ParseSize(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	mult := 1.0
	for i, unit := range []string{"K", "M", "G", "T"} {
		if n, ok := cutAnySuffix(t, unit+"IB", unit+"B", unit); ok {
			t, mult = n, math.Pow(1024, float64(i+1))
			break
		}
	}
	if mult == 1 {
		t = strings.TrimSuffix(t, "B")
	}
	t = strings.TrimSpace(t)
	x, err := strconv.ParseFloat(t, 64)
	if err != nil || t == "" || strings.Trim(t, "0123456789.") != "" {
		return 0, fmt.Errorf("size %q: want a number of bytes, optionally with a suffix K, M, G or T (512M, 2G)", s)
	}
	v := math.Round(x * mult)
	if v >= math.MaxInt64 {
		return 0, fmt.Errorf("size %q is too large", s)
	}
	return int64(v), nil
}

// cutAnySuffix removes the first of suffixes that s ends with.
func cutAnySuffix(s string, suffixes ...string) (string, bool) {
	for _, x := range suffixes {
		if t, ok := strings.CutSuffix(s, x); ok {
			return t, true
		}
	}
	return s, false
}
