package edge_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/deepgo/deepgo/adapters/openai"
	"github.com/deepgo/deepgo/core/fixture"
)

// TestNodeClients runs the Node end-to-end tests of edge/e2e against servers on the
// loopback interface (the trained model, and one of random weights): the official openai
// package (edge/e2e/openai.test.mjs), the playground page in a headless Chromium
// (edge/e2e/playground.test.mjs), the Responses API through the openai package, the AI
// SDK and LangChain, and the openai package in Chromium on another origin
// (edge/e2e/responses.test.mjs), and structured outputs through the AI SDK and LangChain
// (edge/e2e/structured.test.mjs). It needs node, the packages of edge/e2e (make e2e-deps:
// npm ci) and a Chromium (DEEPGO_CHROMIUM, else
// /usr/bin/chromium or chromium on PATH). Without them it is skipped, unless DEEPGO_E2E=1
// asks for it, when it fails instead. The playground's screenshot is written to
// DEEPGO_SCREENSHOT if set, else to the test's artifact directory (go test -artifacts).
func TestNodeClients(t *testing.T) {
	required := os.Getenv("DEEPGO_E2E") == "1"
	missing := func(what string) {
		t.Helper()
		if required {
			t.Fatalf("DEEPGO_E2E=1 but %s: run make e2e-deps (cd edge/e2e && npm ci) and install node 20+ and chromium", what)
		}
		t.Skipf("%s; set DEEPGO_E2E=1 to require this test, after make e2e-deps (cd edge/e2e && npm ci) with node 20+ and chromium installed", what)
	}
	if testing.Short() && !required {
		t.Skip("-short; set DEEPGO_E2E=1 to run the Node end-to-end tests")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node is not on PATH")
	}
	dir, err := filepath.Abs("e2e")
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range []string{"openai", "playwright-core", "ai", "@ai-sdk/openai", "@langchain/openai", "zod"} {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", pkg, "package.json")); err != nil {
			missing("edge/e2e/node_modules/" + pkg + " is missing")
		}
	}
	browser := os.Getenv("DEEPGO_CHROMIUM")
	if browser == "" {
		browser = "/usr/bin/chromium"
		if _, err := os.Stat(browser); err != nil {
			if p, err := exec.LookPath("chromium"); err == nil {
				browser = p
			}
		}
	}
	if _, err := os.Stat(browser); err != nil {
		missing("no chromium at " + browser + " (set DEEPGO_CHROMIUM)")
	}
	tests, err := filepath.Glob(filepath.Join(dir, "*.test.mjs"))
	if err != nil || len(tests) == 0 {
		t.Fatalf("no edge/e2e/*.test.mjs (%v)", err)
	}
	for i := range tests {
		tests[i] = filepath.Base(tests[i])
	}

	// The models: the trained one (models/deepseek-v3-kjv, tools/train), served as "tiny-e2e",
	// and one of random weights (endlessModelDir), for the tests that run on both.
	modelDir := filepath.Join(t.TempDir(), "tiny-e2e")
	if err := fixture.CopyTrained(modelDir); err != nil {
		t.Fatal(err)
	}
	randomDir, err := endlessModelDir()
	if err != nil {
		t.Fatal(err)
	}
	const key = "sk-test-1"
	model := openai.ModelName(modelDir)
	// Four slots and room to queue: the clients send n > 1 and concurrent requests.
	serve := func(dir string) string {
		return start(t, setup{dir: dir, name: openai.ModelName(dir), keys: key + "\n", slots: 4, queue: 16}).base
	}
	origin, randomOrigin := serve(modelDir), serve(randomDir)
	shot := os.Getenv("DEEPGO_SCREENSHOT")
	if shot == "" {
		shot = filepath.Join(t.ArtifactDir(), "playground.png")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	args := append([]string{"--test", "--test-concurrency=1"}, tests...)
	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"DEEPGO_URL="+origin+"/v1",
		"DEEPGO_ORIGIN="+origin+"/",
		"DEEPGO_KEY="+key,
		"DEEPGO_MODEL="+model,
		"DEEPGO_RANDOM_URL="+randomOrigin+"/v1",
		"DEEPGO_RANDOM_MODEL="+openai.ModelName(randomDir),
		"DEEPGO_CHROMIUM="+browser,
		"DEEPGO_SCREENSHOT="+shot,
		"NO_COLOR=1",
	)
	cmd.WaitDelay = 10 * time.Second // the browser, if node leaves it behind, must not hold the pipes
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err = cmd.Run()
	took := time.Since(start).Round(time.Millisecond)
	if ctx.Err() != nil {
		t.Fatalf("node --test %s timed out after %v:\n%s", strings.Join(tests, " "), took, out.String())
	}
	if err != nil {
		t.Fatalf("node --test %s: %v (after %v):\n%s", strings.Join(tests, " "), err, took, out.String())
	}
	if testing.Verbose() {
		t.Logf("node --test %s passed in %v:\n%s", strings.Join(tests, " "), took, out.String())
	}
	if _, err := os.Stat(shot); err == nil {
		t.Logf("playground screenshot: %s (kept if DEEPGO_SCREENSHOT is set or with go test -artifacts)", shot)
	}
}
