package openai

import (
	"strings"
	"testing"
)

func TestParseSize(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
	}{
		{"0", 0}, {"4096", 4096}, {"512B", 512}, {"1K", 1 << 10}, {"1k", 1 << 10}, {"1KB", 1 << 10}, {"1KiB", 1 << 10},
		{"512M", 512 << 20}, {"512mb", 512 << 20}, {"2G", 2 << 30}, {"2GiB", 2 << 30}, {" 3 G ", 3 << 30},
		{"1.5G", 3 << 29}, {"1T", 1 << 40},
	} {
		got, err := ParseSize(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
	for _, in := range []string{"", "G", "-1", "-1G", "1X", "1e9", "inf", "NaN", "1.2.3M", "1GG", "9999999T", "0x10"} {
		if got, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) = %d, want an error", in, got)
		}
	}
}

func TestReadEnvExpertBudget(t *testing.T) {
	env := map[string]string{"DEEPGO_MODEL": "/models/m.gguf", "DEEPGO_EXPERT_BUDGET": "2G", "DEEPGO_KV_BUDGET": "256M", "DEEPGO_THREADS": "3"}
	getenv := func(k string) string { return env[k] }
	c, err := ReadEnv(getenv, EnvConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Backend.ExpertBudget != 2<<30 || c.Backend.KVBudget != 256<<20 || c.Backend.Threads != 3 {
		t.Errorf("backend options %+v, want an expert budget of 2 GiB, a KV budget of 256 MiB and 3 threads", c.Backend)
	}
	delete(env, "DEEPGO_EXPERT_BUDGET")
	c, err = ReadEnv(getenv, EnvConfig{Backend: BackendOptions{ExpertBudget: 123}})
	if err != nil || c.Backend.ExpertBudget != 123 {
		t.Errorf("unset DEEPGO_EXPERT_BUDGET: budget %d, %v; want the default 123", c.Backend.ExpertBudget, err)
	}
	env["DEEPGO_EXPERT_BUDGET"] = "lots"
	if _, err := ReadEnv(getenv, EnvConfig{}); err == nil || !strings.Contains(err.Error(), "DEEPGO_EXPERT_BUDGET") {
		t.Errorf("DEEPGO_EXPERT_BUDGET=lots: %v, want an error naming the variable", err)
	}
	env["DEEPGO_EXPERT_BUDGET"] = "1G"
	env["DEEPGO_KV_BUDGET"] = "-5"
	if _, err := ReadEnv(getenv, EnvConfig{}); err == nil || !strings.Contains(err.Error(), "DEEPGO_KV_BUDGET") {
		t.Errorf("DEEPGO_KV_BUDGET=-5: %v, want an error naming the variable", err)
	}
}
