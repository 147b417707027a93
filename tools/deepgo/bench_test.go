package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// TestBenchExpertBudget: bench takes --expert-budget with a suffix and reports the expert
// figures in its JSON and its text.
func TestBenchExpertBudget(t *testing.T) {
	dir, err := tinyModel()
	if err != nil {
		t.Fatal(err)
	}
	var o, e bytes.Buffer
	args := []string{"--model", dir, "-p", "4", "-n", "3", "-r", "1", "-t", "2", "--no-bandwidth", "--expert-budget", "1K", "--json"}
	if err := runBench(context.Background(), args, &o, &e); err != nil {
		t.Fatalf("bench: %v\n%s", err, e.String())
	}
	var res map[string]any
	if err := json.Unmarshal(o.Bytes(), &res); err != nil {
		t.Fatalf("bench --json: %v\n%s", err, o.String())
	}
	if res["expert_budget"] != float64(1024) {
		t.Errorf("expert_budget %v, want 1024", res["expert_budget"])
	}
	for _, k := range []string{"experts_resident", "expert_hit_rate", "expert_bytes_paged_in", "expert_stall_ms_per_token"} {
		if _, ok := res[k]; !ok {
			t.Errorf("bench --json has no %s: %s", k, o.String())
		}
	}
	o.Reset()
	args = []string{"--model", dir, "-p", "4", "-n", "3", "-r", "1", "-t", "2", "--no-bandwidth", "--expert-budget", "2M"}
	if err := runBench(context.Background(), args, &o, &e); err != nil {
		t.Fatalf("bench: %v", err)
	}
	if !strings.Contains(o.String(), "experts") || !strings.Contains(o.String(), "budget 2.1 MB") {
		t.Errorf("bench text output without the expert lines:\n%s", o.String())
	}
	e.Reset()
	if err := runBench(context.Background(), []string{"--model", dir, "--expert-budget", "lots"}, &o, &e); err == nil ||
		!strings.Contains(e.String(), "expert-budget") {
		t.Errorf("--expert-budget lots: %v, stderr %q; want a usage error naming the flag", err, e.String())
	}
}

// TestBenchSpeculative: bench --speculative replay times generation with and without
// drafts and reports the acceptance (all of the replayed drafts) in its JSON; a bad mode,
// and mtp on a model without the module, are errors.
func TestBenchSpeculative(t *testing.T) {
	dir, err := tinyModel()
	if err != nil {
		t.Fatal(err)
	}
	var o, e bytes.Buffer
	args := []string{"--model", dir, "-p", "4", "-n", "12", "-r", "1", "-t", "2", "--no-bandwidth", "--speculative", "replay", "--draft", "2", "--json"}
	if err := runBench(context.Background(), args, &o, &e); err != nil {
		t.Fatalf("bench: %v\n%s", err, e.String())
	}
	var res map[string]any
	if err := json.Unmarshal(o.Bytes(), &res); err != nil {
		t.Fatalf("bench --json: %v\n%s", err, o.String())
	}
	if res["spec_mode"] != "replay" || res["spec_draft"] != float64(2) {
		t.Errorf("spec_mode %v, spec_draft %v", res["spec_mode"], res["spec_draft"])
	}
	for _, k := range []string{"tg_plain_tok_s", "tg_spec_tok_s", "spec_speedup"} {
		if v, ok := res[k].(float64); !ok || v <= 0 {
			t.Errorf("%s = %v: %s", k, res[k], o.String())
		}
	}
	if pos, ok := res["spec_accept_by_pos"].([]any); !ok || len(pos) == 0 || pos[0] != float64(1) {
		t.Errorf("spec_accept_by_pos %v: replayed drafts are all accepted", res["spec_accept_by_pos"])
	}
	for _, bad := range [][]string{{"--speculative", "eagle"}, {"--speculative", "mtp"}, {"--speculative", "ngram", "--draft", "9"}} {
		err := runBench(context.Background(), append([]string{"--model", dir, "-p", "4", "-n", "3", "-r", "1", "--no-bandwidth"}, bad...), &o, &e)
		if err == nil {
			t.Errorf("bench %v: no error", bad)
		}
	}
}
