package tokenizer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/deepgo/deepgo/core/mmap"
)

// Bounds on the files Load reads whole.
const (
	// maxTokenizerJSONBytes bounds tokenizer.json: DeepSeek-V3's is 7.8 MB, the largest
	// published ones (vocabularies of 256k tokens and their merges) about 35 MB.
	maxTokenizerJSONBytes = 256 << 20
	// maxTokenizerConfigBytes bounds tokenizer_config.json: DeepSeek-V3's is 3 KB; with a
	// long chat template and many added tokens a few MB at most.
	maxTokenizerConfigBytes = 32 << 20
)

// Load reads a Hugging Face tokenizer.json, given as the file or as a directory holding it.
// tokenizer_config.json beside it, if there is one, gives add_bos_token, bos_token, eos_token
// and chat_template; without it BOS and EOS are -1 and AddBOS is false. Where the config has
// no add_bos_token, AddBOS is whether tokenizer.json's post-processor starts a sequence with
// the BOS token, as it does for Llama 3.
//
// Only the pipelines of DeepSeek-V3, Qwen2 and Llama 3 are accepted: a byte-level BPE model
// and exactly one of their pre-tokenizers, with its normalizer (none, NFC for Qwen2) and merge
// rule (ignore_merges for Llama 3). Anything else is an error rather than a tokenizer that
// silently gives other ids than Hugging Face.
func Load(path string) (*Tokenizer, error) {
	isDir, err := mmap.CheckPath(path, true)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	file, dir := path, filepath.Dir(path)
	if isDir {
		file, dir = filepath.Join(path, "tokenizer.json"), path
	}
	data, err := mmap.ReadFile(file, maxTokenizerJSONBytes)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	sp, err := parseTokenizerJSON(data)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %s: %w", file, err)
	}
	sp.bos, sp.eos = -1, -1
	cfgFile := filepath.Join(dir, "tokenizer_config.json")
	switch cfg, err := mmap.ReadFile(cfgFile, maxTokenizerConfigBytes); {
	case err == nil:
		if err := parseTokenizerConfig(cfg, &sp); err != nil {
			return nil, fmt.Errorf("tokenizer: %s: %w", cfgFile, err)
		}
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	t, err := build(sp)
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, file)
	}
	return t, nil
}

// tokenizerJSON is the part of tokenizer.json that matters here.
type tokenizerJSON struct {
	AddedTokens []struct {
		ID         int    `json:"id"`
		Content    string `json:"content"`
		SingleWord bool   `json:"single_word"`
		LStrip     bool   `json:"lstrip"`
		RStrip     bool   `json:"rstrip"`
		Normalized bool   `json:"normalized"`
		Special    bool   `json:"special"`
	} `json:"added_tokens"`
	Normalizer    json.RawMessage `json:"normalizer"`
	PreTokenizer  json.RawMessage `json:"pre_tokenizer"`
	PostProcessor json.RawMessage `json:"post_processor"`
	Decoder       json.RawMessage `json:"decoder"`
	Model         struct {
		Type                    string          `json:"type"`
		Dropout                 *float64        `json:"dropout"`
		ContinuingSubwordPrefix *string         `json:"continuing_subword_prefix"`
		EndOfWordSuffix         *string         `json:"end_of_word_suffix"`
		ByteFallback            bool            `json:"byte_fallback"`
		IgnoreMerges            bool            `json:"ignore_merges"`
		Vocab                   map[string]int  `json:"vocab"`
		Merges                  json.RawMessage `json:"merges"`
	} `json:"model"`
}

// component is a normalizer, pre-tokenizer or decoder of tokenizer.json.
type component struct {
	Type           string      `json:"type"`
	Normalizers    []component `json:"normalizers"`
	Pretokenizers  []component `json:"pretokenizers"`
	Pattern        struct{ Regex, String *string }
	Behavior       string `json:"behavior"`
	Invert         bool   `json:"invert"`
	AddPrefixSpace bool   `json:"add_prefix_space"`
	UseRegex       *bool  `json:"use_regex"`
}

func parseTokenizerJSON(data []byte) (spec, error) {
	var f tokenizerJSON
	if err := json.Unmarshal(data, &f); err != nil {
		return spec{}, err
	}
	m := &f.Model
	switch {
	case m.Type != "BPE" && m.Type != "":
		return spec{}, fmt.Errorf("unsupported model type %q (want BPE)", m.Type)
	case m.Dropout != nil && *m.Dropout != 0:
		return spec{}, errors.New("unsupported: BPE dropout")
	case m.ContinuingSubwordPrefix != nil && *m.ContinuingSubwordPrefix != "",
		m.EndOfWordSuffix != nil && *m.EndOfWordSuffix != "":
		return spec{}, errors.New("unsupported: BPE continuing_subword_prefix or end_of_word_suffix")
	case m.ByteFallback:
		return spec{}, errors.New("unsupported: BPE byte_fallback")
	}
	nfc, err := checkNormalizer(f.Normalizer)
	if err != nil {
		return spec{}, err
	}
	pre, err := checkPreTokenizer(f.PreTokenizer)
	if err != nil {
		return spec{}, err
	}
	pipe := pipeline{pre: pre, nfc: nfc, ignoreMerges: m.IgnoreMerges}
	if pipe.ggufName() == "" {
		return spec{}, fmt.Errorf("unsupported combination of pre-tokenizer, normalizer (NFC %v) and BPE ignore_merges (%v): "+
			"implemented are DeepSeek-V3's (no normalizer), Qwen2's (NFC) and Llama 3's (no normalizer, ignore_merges)",
			nfc, m.IgnoreMerges)
	}
	if err := checkDecoder(f.Decoder); err != nil {
		return spec{}, err
	}

	n := 0
	for s, id := range m.Vocab {
		if id < 0 {
			return spec{}, fmt.Errorf("vocab token %q has negative id %d", s, id)
		}
		n = max(n, id+1)
	}
	for _, a := range f.AddedTokens {
		if a.ID < 0 {
			return spec{}, fmt.Errorf("added token %q has negative id %d", a.Content, a.ID)
		}
		n = max(n, a.ID+1)
	}
	sp := spec{tokens: make([]string, n), types: make([]int32, n), pipe: pipe, postBOS: postProcessorLead(f.PostProcessor)}
	for i := range sp.types {
		sp.types[i] = typeUnused
	}
	for s, id := range m.Vocab {
		if sp.types[id] != typeUnused {
			return spec{}, fmt.Errorf("vocab tokens %q and %q share id %d", sp.tokens[id], s, id)
		}
		sp.tokens[id], sp.types[id] = s, typeNormal
	}
	for _, a := range f.AddedTokens {
		if sp.types[a.ID] == typeNormal && sp.tokens[a.ID] != a.Content {
			return spec{}, fmt.Errorf("added token %q has the id %d of vocab token %q", a.Content, a.ID, sp.tokens[a.ID])
		}
		typ := int32(typeUserDefined)
		if a.Special {
			typ = typeControl
		}
		sp.tokens[a.ID], sp.types[a.ID] = a.Content, typ
		sp.added = append(sp.added, addedToken{
			id: a.ID, content: a.Content, special: a.Special, normalized: a.Normalized,
			lstrip: a.LStrip, rstrip: a.RStrip, singleWord: a.SingleWord,
		})
	}

	// Merges are "a b" strings, or [a, b] pairs in newer files.
	var merges []json.RawMessage
	if err := json.Unmarshal(m.Merges, &merges); err != nil {
		return spec{}, fmt.Errorf("model.merges: %w", err)
	}
	sp.merges = make([][2]string, len(merges))
	for i, raw := range merges {
		var s string
		var pair []string
		switch {
		case json.Unmarshal(raw, &s) == nil:
			a, b, ok := strings.Cut(s, " ")
			if !ok || strings.Contains(b, " ") {
				return spec{}, fmt.Errorf("merge %d %q is not two tokens", i, s)
			}
			sp.merges[i] = [2]string{a, b}
		case json.Unmarshal(raw, &pair) == nil && len(pair) == 2:
			sp.merges[i] = [2]string{pair[0], pair[1]}
		default:
			return spec{}, fmt.Errorf("merge %d is neither \"a b\" nor [a, b]: %s", i, raw)
		}
	}
	return sp, nil
}

func isNull(raw json.RawMessage) bool {
	return len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null"
}

// checkNormalizer accepts the normalizers that change nothing (none, or an empty Sequence) and
// NFC (alone, or as the only member of a Sequence); it reports whether it is NFC.
func checkNormalizer(raw json.RawMessage) (nfc bool, err error) {
	if isNull(raw) {
		return false, nil
	}
	var c component
	if err := json.Unmarshal(raw, &c); err != nil {
		return false, fmt.Errorf("normalizer: %w", err)
	}
	if c.Type == "Sequence" && len(c.Normalizers) == 1 {
		c = c.Normalizers[0]
	}
	switch {
	case c.Type == "Sequence" && len(c.Normalizers) == 0:
		return false, nil
	case c.Type == "NFC":
		return true, nil
	}
	return false, fmt.Errorf("unsupported normalizer %s (implemented: none and NFC)", raw)
}

// checkPreTokenizer recognizes the pre-tokenizers this package implements: DeepSeek-V3's
// (pretokenize.go) and Qwen2's and Llama 3's (qwen2split.go), each a Sequence of its Split
// regexes, behavior Isolated, and a ByteLevel step without a regex.
func checkPreTokenizer(raw json.RawMessage) (preTokenizer, error) {
	var c component
	if err := json.Unmarshal(raw, &c); err != nil {
		return 0, fmt.Errorf("pre_tokenizer: %w", err)
	}
	for _, k := range []struct {
		pre      preTokenizer
		patterns []string
	}{
		{preDeepSeekV3, []string{digitsPattern, cjkPattern, wordPattern}},
		{preQwen2, []string{qwen2Pattern}},
		{preLlama3, []string{llama3Pattern}},
	} {
		if isSplitsThenByteLevel(c, k.patterns) {
			return k.pre, nil
		}
	}
	return 0, errors.New("unsupported pre_tokenizer: implemented are DeepSeek-V3's (three Split regexes and ByteLevel), " +
		"Qwen2's and Llama 3's (one Split regex and ByteLevel), with exactly their regexes")
}

// isSplitsThenByteLevel reports whether c is a Sequence of Split(Isolated) pre-tokenizers with
// the given regexes, in order, and a ByteLevel without prefix space or regex.
func isSplitsThenByteLevel(c component, patterns []string) bool {
	if c.Type != "Sequence" || len(c.Pretokenizers) != len(patterns)+1 {
		return false
	}
	for i, want := range patterns {
		p := c.Pretokenizers[i]
		if p.Type != "Split" || p.Behavior != "Isolated" || p.Invert || p.Pattern.Regex == nil || *p.Pattern.Regex != want {
			return false
		}
	}
	b := c.Pretokenizers[len(patterns)]
	return b.Type == "ByteLevel" && !b.AddPrefixSpace && b.UseRegex != nil && !*b.UseRegex
}

// checkDecoder accepts the ByteLevel decoder (or none, decoding the same way).
func checkDecoder(raw json.RawMessage) error {
	if isNull(raw) {
		return nil
	}
	var c component
	if err := json.Unmarshal(raw, &c); err != nil {
		return fmt.Errorf("decoder: %w", err)
	}
	if c.Type != "ByteLevel" {
		return fmt.Errorf("unsupported decoder %q (want ByteLevel)", c.Type)
	}
	return nil
}

// tokenizerConfig is the part of tokenizer_config.json that matters here.
type tokenizerConfig struct {
	AddBOSToken  *bool           `json:"add_bos_token"`
	BOSToken     json.RawMessage `json:"bos_token"`
	EOSToken     json.RawMessage `json:"eos_token"`
	ChatTemplate json.RawMessage `json:"chat_template"`
}

func parseTokenizerConfig(data []byte, sp *spec) error {
	var c tokenizerConfig
	if err := json.Unmarshal(data, &c); err != nil {
		return err
	}
	var err error
	if sp.bos, err = configTokenID(c.BOSToken, sp); err != nil {
		return fmt.Errorf("bos_token: %w", err)
	}
	if c.AddBOSToken != nil {
		sp.addBOS = *c.AddBOSToken
	} else {
		// Without add_bos_token, transformers' fast tokenizer adds what the post-processor
		// puts first (Llama 3: <|begin_of_text|>).
		sp.addBOS = sp.bos >= 0 && sp.postBOS == sp.bos
	}
	if sp.eos, err = configTokenID(c.EOSToken, sp); err != nil {
		return fmt.Errorf("eos_token: %w", err)
	}
	if sp.chatTemplate, err = configChatTemplate(c.ChatTemplate); err != nil {
		return fmt.Errorf("chat_template: %w", err)
	}
	return nil
}

// configTokenID resolves a bos_token or eos_token, a string or an AddedToken object, to an id;
// -1 if it is absent or null.
func configTokenID(raw json.RawMessage, sp *spec) (int, error) {
	if isNull(raw) {
		return -1, nil
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		var obj struct {
			Content string `json:"content"`
		}
		if err := json.Unmarshal(raw, &obj); err != nil {
			return 0, err
		}
		s = obj.Content
	}
	// Added tokens take precedence, as in Hugging Face's token_to_id.
	for _, a := range sp.added {
		if a.content == s {
			return a.id, nil
		}
	}
	for id, tok := range sp.tokens {
		if sp.types[id] != typeUnused && tok == s {
			return id, nil
		}
	}
	return 0, fmt.Errorf("%q is not in the vocabulary", s)
}

// configChatTemplate reads chat_template: a string, or a list of {name, template} of which the
// one named "default" is taken.
func configChatTemplate(raw json.RawMessage) (string, error) {
	if isNull(raw) {
		return "", nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, nil
	}
	var list []struct {
		Name     string `json:"name"`
		Template string `json:"template"`
	}
	if err := json.Unmarshal(raw, &list); err != nil {
		return "", err
	}
	for _, e := range list {
		if e.Name == "default" {
			return e.Template, nil
		}
	}
	return "", errors.New("no template named \"default\"")
}

// postProcessorLead returns the id of the special token that tokenizer.json's post-processor
// puts before a single sequence — a TemplateProcessing whose "single" template starts with a
// SpecialToken of one id, alone or in a Sequence of processors — or -1 if there is none.
func postProcessorLead(raw json.RawMessage) int {
	if isNull(raw) {
		return -1
	}
	var p struct {
		Type       string            `json:"type"`
		Processors []json.RawMessage `json:"processors"`
		Single     []struct {
			SpecialToken *struct {
				ID string `json:"id"`
			} `json:"SpecialToken"`
		} `json:"single"`
		SpecialTokens map[string]struct {
			IDs []int `json:"ids"`
		} `json:"special_tokens"`
	}
	if json.Unmarshal(raw, &p) != nil {
		return -1
	}
	switch p.Type {
	case "Sequence":
		for _, q := range p.Processors {
			if id := postProcessorLead(q); id >= 0 {
				return id
			}
		}
	case "TemplateProcessing":
		if len(p.Single) > 0 && p.Single[0].SpecialToken != nil {
			if ids := p.SpecialTokens[p.Single[0].SpecialToken.ID].IDs; len(ids) == 1 {
				return ids[0]
			}
		}
	}
	return -1
}
