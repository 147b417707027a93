package openai

import (
	"fmt"
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
