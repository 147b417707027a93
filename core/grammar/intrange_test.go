package grammar

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestIntRange checks the integer-range grammar against plain comparison, for random
// ranges and values near their ends.
func TestIntRange(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 5))
	pick := func() int64 {
		switch r.IntN(3) {
		case 0:
			return r.Int64N(2001) - 1000
		case 1:
			return r.Int64N(2*maxInt+1) - maxInt
		}
		return (r.Int64N(2)*2 - 1) * int64(r.IntN(9)+1) * [...]int64{1, 10, 100, 1000, 1e6, 1e9, 1e12, 1e15}[r.IntN(8)]
	}
	for range 60 {
		lo, hi := pick(), pick()
		if lo > hi {
			lo, hi = hi, lo
		}
		g, err := Compile([]Rule{{"root", intRange(lo, hi)}}, "root")
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range []int64{lo - 1, lo, lo + 1, hi - 1, hi, hi + 1, (lo + hi) / 2, 0, -1, 1, pick(), pick()} {
			if v < -maxInt || v > maxInt {
				continue
			}
			want := lo <= v && v <= hi
			if got := matchString(t, g, strconv.FormatInt(v, 10)); got != want {
				t.Fatalf("[%d, %d]: %d accepted %v, want %v", lo, hi, v, got, want)
			}
		}
	}
}

// TestNumberRange checks the bounded-number grammar against float comparison, for random
// integer bounds and decimals near them.
func TestNumberRange(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 7))
	bounds := []int64{-1000, -57, -10, -1, 0, 1, 9, 10, 99, 100, 12345}
	for range 40 {
		lo, hi := bounds[r.IntN(len(bounds))], bounds[r.IntN(len(bounds))]
		if lo > hi {
			lo, hi = hi, lo
		}
		schema := fmt.Sprintf(`{"type":"number","minimum":%d,"maximum":%d}`, lo, hi)
		g, err := JSONSchema([]byte(schema))
		if err != nil {
			t.Fatal(err)
		}
		var texts []string
		for _, b := range []int64{lo, hi, 0} {
			for _, d := range []int64{-1, 0, 1} {
				n := b + d
				texts = append(texts, strconv.FormatInt(n, 10), strconv.FormatInt(n, 10)+".5", strconv.FormatInt(n, 10)+".0", strconv.FormatInt(n, 10)+".00", strconv.FormatInt(n, 10)+".001")
			}
		}
		texts = append(texts, "-0", "-0.0", "-0.5", "0.25", fmt.Sprintf("%.3f", float64(lo)+r.Float64()*float64(hi-lo)))
		for _, text := range texts {
			f, err := strconv.ParseFloat(text, 64)
			if err != nil {
				t.Fatal(err)
			}
			want := float64(lo) <= f && f <= float64(hi)
			got := matchString(t, g, text)
			if text[0] == '-' && f == 0 { // negative zero need not be written, only be in range
				if got && !want {
					t.Fatalf("%s: %q accepted", schema, text)
				}
				continue
			}
			if got != want {
				t.Fatalf("%s: %q accepted %v, want %v", schema, text, got, want)
			}
		}
	}
}
