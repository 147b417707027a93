package core

import "fmt"

// CopyPrefix makes s hold the first n tokens of src: their latent KV cache is copied, and
// s goes on from position n as src would have (the next Forward on s gives the logits src
// gave there). It is how replies to one prompt share its computation: one sequence reads
// the prompt, the others copy it. s and src are sequences of the same model and capacity;
// neither may be in a Forward meanwhile.
func (s *Sequence) CopyPrefix(src *Sequence, n int) error {
	switch {
	case s == src:
		return fmt.Errorf("copy prefix: a sequence cannot copy itself")
	case src.m != s.m:
		return fmt.Errorf("copy prefix: the sequences belong to different models")
	case src.cache.cap != s.cache.cap:
		return fmt.Errorf("copy prefix: capacities %d and %d differ", src.cache.cap, s.cache.cap)
	case n < 0 || n > src.pos:
		return fmt.Errorf("copy prefix: %d tokens of a sequence that holds %d", n, src.pos)
	}
	dst, from := &s.cache, &src.cache
	dst.grow(n)
	for p := 0; p*dst.page < n; p++ {
		rows := min(dst.page, n-p*dst.page) * dst.width
		for l := range dst.layers {
			off := l * dst.page * dst.width
			copy(dst.pages[p][off:off+rows], from.pages[p][off:off+rows])
		}
	}
	s.pos = n
	return nil
}
