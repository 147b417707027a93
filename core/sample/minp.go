package sample

// cutMinP returns how many of the candidates c, sorted best first with c[0] the most likely
// token of logit lmax, min-p keeps: those whose scaled logit (l-lmax)/t is at least thr,
// which is ln(MinP) less the slack.
func cutMinP(c []cand, lmax, t, thr float32) int {
	for i := 1; i < len(c); i++ {
		if (c[i].l-lmax)/t < thr {
			return i
		}
	}
	return len(c)
}
