package serving_test

import (
	"path/filepath"
	"testing"

	"github.com/deepgo/deepgo/core"
	"github.com/deepgo/deepgo/core/synth"
	"github.com/deepgo/deepgo/core/tokenizer"
)

// writeModel writes a random-weight checkpoint of cfg in a temporary directory.
func writeModel(t testing.TB, cfg *core.Config, opts synth.Options) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "model")
	if err := synth.WriteHF(dir, cfg, opts); err != nil {
		t.Fatal(err)
	}
	return dir
}

// tinyModel opens a one-layer tiny model of random weights (seed) and its tokenizer; the
// model is closed when the test ends.
func tinyModel(t *testing.T, seed uint64) (*core.Model, *tokenizer.Tokenizer) {
	t.Helper()
	return shapeModel(t, "tiny", seed)
}

// shapeModel is tinyModel of another synth shape (one layer).
func shapeModel(t *testing.T, shape string, seed uint64) (*core.Model, *tokenizer.Tokenizer) {
	t.Helper()
	cfg, err := synth.Shape(shape, 1)
	if err != nil {
		t.Fatal(err)
	}
	dir := writeModel(t, cfg, synth.Options{Seed: seed})
	tok, err := tokenizer.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	m, err := core.Open(dir, core.Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m, tok
}
