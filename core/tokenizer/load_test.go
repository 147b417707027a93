package tokenizer

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deepgo/deepgo/core/mmap"
)

// TestLoadFileErrors: Load refuses a tokenizer.json or tokenizer_config.json that is not
// a regular file or is over its bound, before reading it, and names the file.
func TestLoadFileErrors(t *testing.T) {
	sparse := func(t *testing.T, path string, size int64) {
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := f.Truncate(size); err != nil { // takes no room
			t.Fatal(err)
		}
	}
	// A tokenizer.json that parses (Load reads tokenizer_config.json after it).
	split := func(re string) map[string]any {
		return map[string]any{"type": "Split", "pattern": map[string]string{"Regex": re}, "behavior": "Isolated"}
	}
	minimal, _ := json.Marshal(map[string]any{
		"pre_tokenizer": map[string]any{"type": "Sequence", "pretokenizers": []any{split(digitsPattern), split(cjkPattern), split(wordPattern),
			map[string]any{"type": "ByteLevel", "add_prefix_space": false, "use_regex": false}}},
		"model": map[string]any{"type": "BPE", "vocab": map[string]int{}, "merges": []string{}},
	})
	cases := []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  string // after the directory
		is    error
	}{
		{"no tokenizer.json", func(*testing.T, string) {}, "/tokenizer.json: no such file", os.ErrNotExist},
		{"tokenizer.json a directory", func(t *testing.T, dir string) { os.Mkdir(filepath.Join(dir, "tokenizer.json"), 0o755) },
			"/tokenizer.json is a directory, not a regular file", mmap.ErrNotRegular},
		{"tokenizer.json over its bound", func(t *testing.T, dir string) {
			sparse(t, filepath.Join(dir, "tokenizer.json"), maxTokenizerJSONBytes+1)
		},
			"/tokenizer.json is 268435457 bytes, more than the 268435456 allowed", mmap.ErrTooLarge},
		{"tokenizer_config.json a directory", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "tokenizer.json"), minimal, 0o644)
			os.Mkdir(filepath.Join(dir, "tokenizer_config.json"), 0o755)
		}, "/tokenizer_config.json is a directory, not a regular file", mmap.ErrNotRegular},
		{"tokenizer_config.json over its bound", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "tokenizer.json"), minimal, 0o644)
			sparse(t, filepath.Join(dir, "tokenizer_config.json"), maxTokenizerConfigBytes+1)
		}, "/tokenizer_config.json is 33554433 bytes, more than the 33554432 allowed", mmap.ErrTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			c.setup(t, dir)
			_, err := Load(dir)
			if err == nil || !strings.Contains(err.Error(), "tokenizer: ") || !strings.Contains(err.Error(), dir+c.want) || !errors.Is(err, c.is) {
				t.Errorf("error %v, want %v containing %q", err, c.is, dir+c.want)
			}
		})
	}
}
