package edge_test

import (
	"fmt"
	"os"
	"testing"
)

// report logs a line of the robustness suite's numbers and, when DEEPGO_REPORT names a
// file, appends it there too: go test shows a passing test's log only with -v, and CI
// prints the file at the end of its run.
func report(t *testing.T, format string, args ...any) {
	t.Helper()
	line := fmt.Sprintf(format, args...)
	t.Log(line)
	path := os.Getenv("DEEPGO_REPORT")
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Errorf("DEEPGO_REPORT: %v", err)
		return
	}
	defer f.Close()
	fmt.Fprintf(f, "%s: %s\n", t.Name(), line)
}
