package sample

import (
	"math"
	"testing"
)

func TestExpNeg(t *testing.T) {
	const n = 200000
	x := make([]float32, n+4)
	for i := range n {
		x[i] = float32(-90 * float64(i) / n)
	}
	x[n], x[n+1], x[n+2], x[n+3] = 0, negInf, -87.2, -87.4
	e := make([]float32, len(x))
	expSum(e, x, 0, 1)
	worst := 0.0
	for i, v := range x {
		got := expNeg(v)
		if float32(got) != e[i] {
			t.Fatalf("expNeg(%g) = %g, expSum gives %g", v, got, e[i])
		}
		want := math.Exp(float64(v))
		if v < expLo {
			want = 0
		}
		if want == 0 {
			if got != 0 {
				t.Fatalf("expNeg(%g) = %g, want 0", v, got)
			}
			continue
		}
		worst = max(worst, math.Abs(got-want)/want)
	}
	if worst > 1e-8 {
		t.Errorf("relative error of expNeg up to %g, want below 1e-8", worst)
	}
}
