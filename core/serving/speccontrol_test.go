package serving

import (
	"testing"
	"time"
)

// TestSpecControl: the controller drafts the most while drafts are accepted, pauses with
// probes when they are not, and — timed, for greedy replies — settles on the k with the
// most tokens per second, turning drafting off where checks cost more than they gain.
func TestSpecControl(t *testing.T) {
	// sim runs 400 passes against an acceptance at each position and a pass time
	// per k, and returns how often each k was chosen.
	sim := func(timed bool, accept float64, secs func(k int) float64) [MaxDraft + 1]int {
		c := newSpecControl(3, 0.3, timed)
		var counts [MaxDraft + 1]int
		credit := 0.0
		for range 400 {
			k := c.next(10)
			counts[k]++
			// A deterministic acceptance: a run of accepted drafts as long as the
			// running credit allows.
			a := 0
			for a < k {
				credit += accept
				if credit < 1 {
					break
				}
				credit--
				a++
			}
			c.update(k, a, time.Duration(secs(k)*1e9))
		}
		return counts
	}
	cheap := func(k int) float64 { return 1 + 0.1*float64(k) } // memory-bound: rows are nearly free
	dear := func(k int) float64 { return 1 + 1.5*float64(k) }  // compute-bound: rows cost more than a pass
	cases := []struct {
		name   string
		timed  bool
		accept float64
		secs   func(int) float64
		check  func(c [MaxDraft + 1]int) bool
	}{
		{"untimed, accepted: drafts 3", false, 1, cheap, func(c [MaxDraft + 1]int) bool { return c[3] == 400 }},
		{"untimed, rejected: pauses, probes ever less often", false, 0, cheap, func(c [MaxDraft + 1]int) bool { return c[0] > 370 && c[1] >= 3 && c[1] < 12 }},
		{"timed, cheap rows: drafts 3", true, 0.9, cheap, func(c [MaxDraft + 1]int) bool { return c[3] > 340 }},
		{"timed, dear rows: off", true, 0.9, dear, func(c [MaxDraft + 1]int) bool { return c[0] > 340 }},
		{"timed, rejected: off", true, 0, cheap, func(c [MaxDraft + 1]int) bool { return c[0] > 340 }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := sim(tc.timed, tc.accept, tc.secs); !tc.check(got) {
				t.Errorf("passes by k: %v", got[:4])
			}
		})
	}
}
