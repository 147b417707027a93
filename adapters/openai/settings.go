package openai

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Settings are named configuration values, each with its default, a command-line flag
// and an environment variable (either may be absent). A flag given on the command line
// wins over the environment, the environment over the default. Each package registers its
// own settings (Config.Register here, edge.Config.Register for the HTTP server), so a
// value and its default are declared once; deepgo serve turns them into flags, and every
// deployment — serve, Lambda, Cloud Functions — reads the same environment variables
// through ApplyEnv.
type Settings struct {
	list []*setting
}

type setting struct {
	flag  string     // without dashes; "" = none
	env   string     // "" = none
	usage string     // for --help
	value flag.Value // where the value goes; its String() when registered is the default
}

func (s *Settings) add(v flag.Value, flagName, env, usage string) {
	s.list = append(s.list, &setting{flag: flagName, env: env, usage: usage, value: v})
}

// String registers a string setting stored in p, starting at def.
func (s *Settings) String(p *string, flagName, env, def, usage string) {
	*p = def
	s.add((*stringValue)(p), flagName, env, usage)
}

// Int registers an integer setting stored in p, starting at def; values below least are
// refused.
func (s *Settings) Int(p *int, flagName, env string, def, least int, usage string) {
	*p = def
	s.add(&intValue{p: p, least: least}, flagName, env, usage)
}

// Float registers a number setting stored in p, starting at def, within [lo, hi].
func (s *Settings) Float(p *float64, flagName, env string, def, lo, hi float64, usage string) {
	*p = def
	s.add(&floatValue{p: p, lo: lo, hi: hi}, flagName, env, usage)
}

// Bool registers a boolean setting stored in p, starting at def.
func (s *Settings) Bool(p *bool, flagName, env string, def bool, usage string) {
	*p = def
	s.add((*boolValue)(p), flagName, env, usage)
}

// Duration registers a positive duration setting stored in p, starting at def.
func (s *Settings) Duration(p *time.Duration, flagName, env string, def time.Duration, usage string) {
	*p = def
	s.add((*durationValue)(p), flagName, env, usage)
}

// Size registers a size in bytes stored in p, starting at def, written as ParseSize reads
// it (512M, 2G).
func (s *Settings) Size(p *int64, flagName, env string, def int64, usage string) {
	*p = def
	s.add((*sizeValue)(p), flagName, env, usage)
}

// Flags defines a flag on fs for every setting that has one. Its usage names the
// environment variable too.
func (s *Settings) Flags(fs *flag.FlagSet) {
	for _, st := range s.list {
		if st.flag == "" {
			continue
		}
		usage := st.usage
		if st.env != "" {
			usage += " (or set " + st.env + ")"
		}
		fs.Var(st.value, st.flag, usage)
	}
}

// ApplyEnv sets every setting that has an environment variable and was not given on the
// command line (fs, after Parse; nil where there is none) from getenv (os.Getenv). An
// unset or empty variable leaves the setting as it is. A bad value is an error naming the
// variable.
func (s *Settings) ApplyEnv(fs *flag.FlagSet, getenv func(string) string) error {
	given := map[string]bool{}
	if fs != nil {
		fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	}
	var errs []error
	for _, st := range s.list {
		if st.env == "" || (st.flag != "" && given[st.flag]) {
			continue
		}
		if v := getenv(st.env); v != "" {
			if err := st.value.Set(v); err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: %w", st.env, v, err))
			}
		}
	}
	return errors.Join(errs...)
}

// Env lists the environment variables of the settings, with their usage, for
// documentation and tests.
func (s *Settings) Env() map[string]string {
	m := make(map[string]string)
	for _, st := range s.list {
		if st.env != "" {
			m[st.env] = st.usage
		}
	}
	return m
}

type stringValue string

func (v *stringValue) String() string     { return string(*v) }
func (v *stringValue) Set(s string) error { *v = stringValue(s); return nil }

type intValue struct {
	p     *int
	least int
}

func (v *intValue) String() string {
	if v.p == nil {
		return "0"
	}
	return strconv.Itoa(*v.p)
}

func (v *intValue) Set(s string) error {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("want a whole number, not %q", s)
	}
	if n < v.least {
		return fmt.Errorf("want a whole number ≥ %d, not %d", v.least, n)
	}
	*v.p = n
	return nil
}

type floatValue struct {
	p      *float64
	lo, hi float64
}

func (v *floatValue) String() string {
	if v.p == nil {
		return "0"
	}
	return strconv.FormatFloat(*v.p, 'g', -1, 64)
}

func (v *floatValue) Set(s string) error {
	x, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(x) || x < v.lo || x > v.hi {
		return fmt.Errorf("want a number between %g and %g, not %q", v.lo, v.hi, s)
	}
	*v.p = x
	return nil
}

type boolValue bool

func (v *boolValue) String() string { return strconv.FormatBool(bool(*v)) }
func (v *boolValue) Set(s string) error {
	b, err := strconv.ParseBool(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("want true or false, not %q", s)
	}
	*v = boolValue(b)
	return nil
}
func (v *boolValue) IsBoolFlag() bool { return true }

type durationValue time.Duration

func (v *durationValue) String() string { return time.Duration(*v).String() }
func (v *durationValue) Set(s string) error {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil || d <= 0 {
		return fmt.Errorf("want a positive duration such as 30s or 2m, not %q", s)
	}
	*v = durationValue(d)
	return nil
}

type sizeValue int64

func (v *sizeValue) String() string {
	if *v == 0 {
		return "0"
	}
	return strconv.FormatInt(int64(*v), 10)
}
func (v *sizeValue) Set(s string) error {
	n, err := ParseSize(s)
	if err != nil {
		return err
	}
	*v = sizeValue(n)
	return nil
}

// ParseSize reads a size in bytes: a number, optionally followed by K, M, G or T, powers of
// 1024 ("KB", "KiB" and lower case mean the same), or B. "1.5G" is 1.5·2³⁰ bytes.
func ParseSize(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	mult := 1.0
	for i, unit := range []string{"K", "M", "G", "T"} {
		if n, ok := cutAnySuffix(t, unit+"IB", unit+"B", unit); ok {
			t, mult = n, math.Pow(1024, float64(i+1))
			break
		}
	}
	if mult == 1 {
		t = strings.TrimSuffix(t, "B")
	}
	t = strings.TrimSpace(t)
	x, err := strconv.ParseFloat(t, 64)
	if err != nil || t == "" || strings.Trim(t, "0123456789.") != "" {
		return 0, fmt.Errorf("size %q: want a number of bytes, optionally with a suffix K, M, G or T (512M, 2G)", s)
	}
	v := math.Round(x * mult)
	if v >= math.MaxInt64 {
		return 0, fmt.Errorf("size %q is too large", s)
	}
	return int64(v), nil
}

// cutAnySuffix removes the first of suffixes that s ends with.
func cutAnySuffix(s string, suffixes ...string) (string, bool) {
	for _, x := range suffixes {
		if t, ok := strings.CutSuffix(s, x); ok {
			return t, true
		}
	}
	return s, false
}
