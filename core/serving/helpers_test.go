package serving_test

import (
	"path/filepath"
	"testing"

	"github.com/deepgo/deepgo/core"
	"github.com/deepgo/deepgo/core/synth"
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
