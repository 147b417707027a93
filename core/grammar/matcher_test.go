package grammar

import (
	"errors"
	"fmt"
	"slices"
	"testing"
)

// TestMaskAgreesWithAccept checks the mask, made of local masks and walks below them,
// against Accept of every token, at states along a random generation of a nested schema.
func TestMaskAgreesWithAccept(t *testing.T) {
	_, v := loadDeepSeek(t)
	g, err := JSONSchema([]byte(nestedSchema))
	if err != nil {
		t.Fatal(err)
	}
	ids := trajectory(t, g, v, 120)
	m := NewMatcher(g, v)
	mask := make([]uint64, v.MaskWords())
	step := 7
	if testing.Short() {
		step = 40
	}
	for i, next := range ids {
		if i%step == 0 {
			m.Mask(mask)
			state, complete := slices.Clone(m.state), m.complete
			for id := range v.Size() {
				err := m.Accept(id)
				if (err == nil) != Allowed(mask, id) {
					t.Fatalf("step %d, id %d (%q): Accept says %v, the mask %v", i, id, v.text[id], err, Allowed(mask, id))
				}
				m.state, m.complete, m.ended = slices.Clone(state), complete, false
			}
		}
		if err := m.Accept(next); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSpecialsAndEnd(t *testing.T) {
	tok, v := loadDeepSeek(t)
	begin := "<｜tool▁calls▁begin｜>"
	id, ok := tok.ID(begin)
	if !ok || !tok.IsSpecial(id) {
		t.Fatalf("%q is not a special token", begin)
	}
	g, err := ParseGBNF(`root ::= "<｜tool▁calls▁begin｜>" "x"`)
	if err != nil {
		t.Fatal(err)
	}
	mask := make([]uint64, v.MaskWords())
	// Unnamed, the special token is never allowed; its text may still be spelled in pieces.
	m := NewMatcher(g, v)
	m.Mask(mask)
	if Allowed(mask, id) {
		t.Error("special token allowed without WithSpecials")
	}
	if err := m.Accept(id); !errors.Is(err, ErrRejected) {
		t.Errorf("Accept of the special token: %v", err)
	}
	if Count(mask) == 0 {
		t.Error("no way to spell the text")
	}
	m = NewMatcher(g.WithSpecials(begin), v)
	m.Mask(mask)
	if !Allowed(mask, id) || Allowed(mask, tok.EOS()) {
		t.Fatalf("named special allowed %v, end allowed %v", Allowed(mask, id), Allowed(mask, tok.EOS()))
	}
	if err := m.Accept(tok.EOS()); !errors.Is(err, ErrRejected) {
		t.Errorf("end before the grammar is complete: %v", err)
	}
	if err := m.Accept(id); err != nil {
		t.Fatal(err)
	}
	x := tok.Encode("x")
	if err := m.Accept(x[0]); err != nil {
		t.Fatal(err)
	}
	if !m.Done() {
		t.Error("not done at the end of the grammar")
	}
	m.Mask(mask)
	if Count(mask) != 1 || !Allowed(mask, tok.EOS()) {
		t.Errorf("at the end %d tokens allowed, end allowed %v; want the end only", Count(mask), Allowed(mask, tok.EOS()))
	}
	// Ids past the tokenizer's (the model's padding rows) are never allowed.
	for id := tok.Len(); id < v.Size(); id++ {
		if Allowed(mask, id) {
			t.Fatalf("id %d past the tokenizer allowed", id)
		}
	}
}

// TestBoundShared: matchers of one Bound, in goroutines at once, compute the masks a
// matcher of a Bound of its own computes.
func TestBoundShared(t *testing.T) {
	_, v := loadDeepSeek(t)
	g, err := JSONSchema([]byte(nestedSchema))
	if err != nil {
		t.Fatal(err)
	}
	n := 60
	if testing.Short() {
		n = 20
	}
	ids := trajectory(t, g, v, n)
	want := make([][]uint64, len(ids))
	m := NewMatcher(g, v)
	for i, id := range ids {
		want[i] = make([]uint64, v.MaskWords())
		m.Mask(want[i])
		if err := m.Accept(id); err != nil {
			t.Fatal(err)
		}
	}
	b := Bind(g, v)
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			m := b.NewMatcher()
			mask := make([]uint64, v.MaskWords())
			for i, id := range ids {
				m.Mask(mask)
				if !slices.Equal(mask, want[i]) {
					errs <- fmt.Errorf("step %d: the mask differs", i)
					return
				}
				if err := m.Accept(id); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
