package openai

import (
	"flag"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/deepgo/deepgo/core/serving"
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
		t.Run(strconv.Quote(c.in), func(t *testing.T) {
			got, err := ParseSize(c.in)
			if err != nil || got != c.want {
				t.Errorf("ParseSize(%q) = %d, %v; want %d", c.in, got, err, c.want)
			}
		})
	}
	for _, in := range []string{"", "G", "-1", "-1G", "1X", "1e9", "inf", "NaN", "1.2.3M", "1GG", "9999999T", "0x10"} {
		t.Run(strconv.Quote(in), func(t *testing.T) {
			if got, err := ParseSize(in); err == nil {
				t.Errorf("ParseSize(%q) = %d, want an error", in, got)
			}
		})
	}
}

// readConfig registers a Config's settings and applies env to them.
func readConfig(env map[string]string, args ...string) (Config, error) {
	var c Config
	var s Settings
	c.Register(&s)
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	s.Flags(fs)
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	err := s.ApplyEnv(fs, func(k string) string { return env[k] })
	return c, err
}

func TestConfigEnv(t *testing.T) {
	env := map[string]string{"DEEPGO_MODEL": "/models/m.gguf", "DEEPGO_EXPERT_BUDGET": "2G", "DEEPGO_KV_BUDGET": "256M",
		"DEEPGO_THREADS": "3", "DEEPGO_SLOTS": "2", "DEEPGO_QUEUE": "-1", "DEEPGO_TEMP": "0.6", "DEEPGO_API_KEYS": "sk-a rpm=5"}
	c, err := readConfig(env)
	if err != nil {
		t.Fatal(err)
	}
	if c.Model != "/models/m.gguf" || c.Backend.ExpertBudget != 2<<30 || c.Backend.KVBudget != 256<<20 || c.Backend.Threads != 3 ||
		c.Backend.Slots != 2 || c.Backend.Queue != -1 || c.Handler.Defaults.Temperature != 0.6 || c.Keys != "sk-a rpm=5" {
		t.Errorf("config %+v", c)
	}
	if err := c.LoadKeys(); err != nil || c.Handler.Keys == nil || c.Handler.Keys.Len() != 1 || c.Handler.ModelName != "m" {
		t.Errorf("keys %v, name %q: %v", c.Handler.Keys, c.Handler.ModelName, err)
	}
	// Unset variables leave the defaults, which come from the packages that own them.
	c, err = readConfig(map[string]string{})
	if err != nil || c.Backend.Slots != serving.DefaultSlots || c.Backend.Queue != serving.DefaultQueue ||
		c.Backend.Context != serving.DefaultContext || c.MaxBody != DefaultMaxBody || c.Handler.Defaults != defaultSampling() {
		t.Errorf("defaults %+v: %v", c, err)
	}
	if err := c.Check(); err == nil || !strings.Contains(err.Error(), "DEEPGO_MODEL") {
		t.Errorf("no model: %v, want an error naming DEEPGO_MODEL", err)
	}
	// A flag wins over the environment.
	c, err = readConfig(map[string]string{"DEEPGO_SLOTS": "7", "DEEPGO_CTX": "99"}, "--slots", "3")
	if err != nil || c.Backend.Slots != 3 || c.Backend.Context != 99 {
		t.Errorf("--slots 3 over DEEPGO_SLOTS=7: slots %d, ctx %d, %v", c.Backend.Slots, c.Backend.Context, err)
	}
	// Bad values name their variable.
	for _, bad := range []map[string]string{
		{"DEEPGO_EXPERT_BUDGET": "lots"}, {"DEEPGO_KV_BUDGET": "-5"}, {"DEEPGO_SLOTS": "0"}, {"DEEPGO_THREADS": "-2"},
		{"DEEPGO_QUEUE": "-2"}, {"DEEPGO_TEMP": "3"}, {"DEEPGO_TOP_P": "NaN"}, {"DEEPGO_RPM": "1.5"},
	} {
		var name string
		for k := range bad {
			name = k
		}
		t.Run(name, func(t *testing.T) {
			if _, err := readConfig(bad); err == nil || !strings.Contains(err.Error(), name) {
				t.Errorf("%v: %v, want an error naming %s", bad, err, name)
			}
		})
	}
}
