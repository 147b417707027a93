package grammar

import (
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
