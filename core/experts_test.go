package core

import (
	"bufio"
	"context"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/deepgo/deepgo/core/fixture"
	"github.com/deepgo/deepgo/core/gguf"
	"github.com/deepgo/deepgo/core/mmap"
	"github.com/deepgo/deepgo/core/safetensors"
	"github.com/deepgo/deepgo/quant"
)

// expertTestConfig is a small V3-shaped config: one dense layer, then MoE layers of 16
// experts whose F16 weights span several pages and start at no page boundary.
func expertTestConfig(hidden, inter, layers int) *Config {
	return &Config{Architectures: []string{"DeepseekV3ForCausalLM"}, VocabSize: 96, HiddenSize: hidden, IntermediateSize: 160,
		NumHiddenLayers: layers, NumAttentionHeads: 2, RMSNormEps: 1e-6, MaxPositions: 256, HiddenAct: "silu", QLoRARank: 48,
		KVLoRARank: 64, QKNopeHeadDim: 16, QKRopeHeadDim: 8, VHeadDim: 16, RopeTheta: 10000,
		NRoutedExperts: 16, NSharedExperts: 1, NumExpertsPerTok: 4, MoEIntermediateSize: inter, FirstKDenseReplace: 1,
		MoELayerFreq: 1, NGroup: 4, TopKGroup: 2, TopKMethod: "noaux_tc", ScoringFunc: "sigmoid", NormTopKProb: true,
		RoutedScalingFactor: 2.5}
}

// writeTestGGUF writes a llama.cpp deepseek2 GGUF of c's shapes: F16 matrices of small
// pseudo-random values, F32 norms (ones), router and bias.
func writeTestGGUF(t testing.TB, c *Config) string {
	t.Helper()
	type spec struct {
		name string
		typ  gguf.Type
		ne   []int64
	}
	var specs []spec
	mat := func(w weight, layer, rows, cols int) {
		specs = append(specs, spec{ggufName(w, layer), gguf.F16, []int64{int64(cols), int64(rows)}})
	}
	vec := func(w weight, layer, n int) {
		specs = append(specs, spec{ggufName(w, layer), gguf.F32, []int64{int64(n)}})
	}
	d, h := c.HiddenSize, c.NumAttentionHeads
	mat(wEmbed, -1, c.VocabSize, d)
	for i := range c.NumHiddenLayers {
		vec(wAttnNorm, i, d)
		mat(wQA, i, c.QLoRARank, d)
		vec(wQANorm, i, c.QLoRARank)
		mat(wQB, i, h*c.QKHeadDim(), c.QLoRARank)
		mat(wKVA, i, c.KVLoRARank+c.QKRopeHeadDim, d)
		vec(wKVANorm, i, c.KVLoRARank)
		mat(wKVB, i, h*(c.QKNopeHeadDim+c.VHeadDim), c.KVLoRARank)
		mat(wO, i, d, h*c.VHeadDim)
		vec(wFFNNorm, i, d)
		if !c.IsMoELayer(i) {
			mat(wGate, i, c.IntermediateSize, d)
			mat(wUp, i, c.IntermediateSize, d)
			mat(wDown, i, d, c.IntermediateSize)
			continue
		}
		E, inter := int64(c.NRoutedExperts), int64(c.MoEIntermediateSize)
		specs = append(specs, spec{ggufName(wRouter, i), gguf.F32, []int64{int64(d), E}})
		vec(wRouterBias, i, c.NRoutedExperts)
		specs = append(specs,
			spec{ggufName(wExpGate, i), gguf.F16, []int64{int64(d), inter, E}},
			spec{ggufName(wExpUp, i), gguf.F16, []int64{int64(d), inter, E}},
			spec{ggufName(wExpDown, i), gguf.F16, []int64{inter, int64(d), E}})
		mat(wShGate, i, c.NSharedExperts*c.MoEIntermediateSize, d)
		mat(wShUp, i, c.NSharedExperts*c.MoEIntermediateSize, d)
		mat(wShDown, i, d, c.NSharedExperts*c.MoEIntermediateSize)
	}
	vec(wNorm, -1, d)
	mat(wHead, -1, c.VocabSize, d)

	path := filepath.Join(t.TempDir(), "experts.gguf")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	w := gguf.NewWriter(bw)
	for _, kv := range c.GGUFMetadata() {
		if err := w.AddKV(kv[0].(string), kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range specs {
		if err := w.AddTensor(s.name, s.typ, s.ne); err != nil {
			t.Fatal(err)
		}
	}
	// A pool of pseudo-random F16 values, read at a different offset for each tensor.
	const poolLen = 1 << 18
	pool := make([]byte, 2*poolLen)
	x := uint64(0x9e3779b97f4a7c15)
	rnd := func() float32 {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		return float32(int64(x>>40)-(1<<23)) / (1 << 23) // [-1, 1)
	}
	for i := range poolLen {
		binary.LittleEndian.PutUint16(pool[2*i:], quant.F32ToF16(0.08*rnd()))
	}
	for k, s := range specs {
		n := int64(1)
		for _, v := range s.ne {
			n *= v
		}
		if s.typ == gguf.F32 {
			b := make([]byte, 4*n)
			for i := range n {
				v := float32(1)
				if strings.Contains(s.name, "ffn_gate_inp") || strings.Contains(s.name, "exp_probs_b") {
					v = 0.5 * rnd()
				}
				binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
			}
			if err := w.WriteTensorData(s.name, b); err != nil {
				t.Fatal(err)
			}
			continue
		}
		left := 2 * n
		off := (k * 2 * 7919) % len(pool)
		for left > 0 {
			chunk := pool[off:min(int64(len(pool)), int64(off)+left)]
			if err := w.WriteTensorChunk(s.name, chunk); err != nil {
				t.Fatal(err)
			}
			left -= int64(len(chunk))
			off = 0
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func openTest(t testing.TB, path string, opts Options) *Model {
	t.Helper()
	m, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func addr(b []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(b))) }

// checkDisjoint checks that the expert ranges of r are non-empty and do not overlap.
func checkDisjoint(t *testing.T, r *expertResidency) {
	t.Helper()
	type span struct{ lo, hi uintptr }
	var spans []span
	for i := range r.entries {
		for p, d := range r.entries[i].data {
			if len(d) == 0 {
				t.Fatalf("entry %d part %d: no bytes recorded", i, p)
			}
			spans = append(spans, span{addr(d), addr(d) + uintptr(len(d))})
		}
	}
	slices.SortFunc(spans, func(a, b span) int { return int(a.lo) - int(b.lo) })
	for i := 1; i < len(spans); i++ {
		if spans[i].lo < spans[i-1].hi {
			t.Fatalf("expert ranges overlap: [%#x,%#x) and [%#x,%#x)", spans[i-1].lo, spans[i-1].hi, spans[i].lo, spans[i].hi)
		}
	}
}

// TestExpertRangesGGUF: every routed expert of every MoE layer has its gate, up and down
// bytes recorded: expert e's slice of the stacked ffn_*_exps tensors, as in the file.
func TestExpertRangesGGUF(t *testing.T) {
	c := expertTestConfig(128, 100, 3)
	path := writeTestGGUF(t, c)
	m := openTest(t, path, Options{Threads: 1})
	r := m.residency
	E := c.NRoutedExperts
	if want := 2 * E; len(r.entries) != want {
		t.Fatalf("%d entries, want %d (2 MoE layers × %d experts)", len(r.entries), want, E)
	}
	if r.base[0] != -1 || r.base[1] != 0 || r.base[2] != int32(E) {
		t.Fatalf("layer bases %v, want [-1 0 %d]", r.base, E)
	}
	checkDisjoint(t, r)
	file, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	g := m.files.(*gguf.File)
	per := int64(2 * c.HiddenSize * c.MoEIntermediateSize)
	for layer := 1; layer < 3; layer++ {
		for p, w := range []weight{wExpGate, wExpUp, wExpDown} {
			info, data, ok := g.Tensor(ggufName(w, layer))
			if !ok {
				t.Fatalf("no tensor %s", ggufName(w, layer))
			}
			for e := range E {
				d := r.entries[int(r.base[layer])+e].data[p]
				if int64(len(d)) != per {
					t.Fatalf("layer %d expert %d part %d: %d bytes, want %d", layer, e, p, len(d), per)
				}
				if got, want := addr(d), addr(data)+uintptr(int64(e)*per); got != want {
					t.Fatalf("layer %d expert %d part %d at %#x, want %#x", layer, e, p, got, want)
				}
				off := info.Offset + int64(e)*per
				if off+per > int64(len(file)) || string(d) != string(file[off:off+per]) {
					t.Fatalf("layer %d expert %d part %d: bytes differ from the file at %d", layer, e, p, off)
				}
			}
		}
		// The bound matrices read the recorded bytes.
		f := m.layers[layer].moe.experts[3]
		row := make([]float32, c.HiddenSize)
		f.gate.Row(row, 0)
		d := r.entries[int(r.base[layer])+3].data[0]
		if want := quant.F16ToF32(binary.LittleEndian.Uint16(d)); row[0] != want {
			t.Fatalf("layer %d expert 3 gate[0][0] = %v, recorded bytes say %v", layer, row[0], want)
		}
	}
	if s := m.Stats(); s.ExpertsResident != 0 || s.ExpertHits+s.ExpertMisses != 0 {
		t.Fatalf("fresh model: %+v, want no expert resident or used", s)
	}
}

// TestExpertRangesHF: the same for a Hugging Face checkpoint, whose experts are tensors.
func TestExpertRangesHF(t *testing.T) {
	dir := fixture.Path(t, "deepseek-v3-tiny-bf16")
	m := openTest(t, dir, Options{Threads: 1})
	r := m.residency
	c := m.Config
	moeLayers := 0
	for i := range c.NumHiddenLayers {
		if c.IsMoELayer(i) {
			moeLayers++
		}
	}
	if len(r.entries) != moeLayers*c.NRoutedExperts {
		t.Fatalf("%d entries, want %d", len(r.entries), moeLayers*c.NRoutedExperts)
	}
	checkDisjoint(t, r)
	ck := m.files.(*safetensors.Checkpoint)
	src := &hfSource{ck: ck}
	for layer := range c.NumHiddenLayers {
		if !c.IsMoELayer(layer) {
			continue
		}
		for e := range c.NRoutedExperts {
			for p, w := range []weight{wExpGate, wExpUp, wExpDown} {
				tn, err := ck.Tensor(src.name(w, layer, e))
				if err != nil {
					t.Fatal(err)
				}
				d := r.entries[int(r.base[layer])+e].data[p]
				if addr(d) != addr(tn.Data) || len(d) != len(tn.Data) {
					t.Fatalf("layer %d expert %d part %d: recorded range is not tensor %s", layer, e, p, tn.Name)
				}
			}
		}
	}
}

func resident(r *expertResidency, layer int) []int {
	var out []int
	for e := range r.perLayer {
		if r.entries[int(r.base[layer])+e].resident {
			out = append(out, e)
		}
	}
	return out
}

// TestExpertBudgetLRU: use counts hits and misses, and releases the least recently used
// experts (over all layers) to stay under the budget, never those of the current call.
func TestExpertBudgetLRU(t *testing.T) {
	c := expertTestConfig(128, 100, 3)
	path := writeTestGGUF(t, c)
	per := int64(3 * 2 * c.HiddenSize * c.MoEIntermediateSize)
	m := openTest(t, path, Options{Threads: 1, ExpertBudget: 3 * per})
	r := m.residency
	check := func(step string, l1, l2 []int, hits, misses, releases int64) {
		t.Helper()
		if got := resident(r, 1); !slices.Equal(got, l1) {
			t.Errorf("%s: layer 1 resident %v, want %v", step, got, l1)
		}
		if got := resident(r, 2); !slices.Equal(got, l2) {
			t.Errorf("%s: layer 2 resident %v, want %v", step, got, l2)
		}
		s := m.Stats()
		n := int64(len(l1) + len(l2))
		if s.ExpertsResident != n || s.ExpertBytesResident != n*per {
			t.Errorf("%s: stats say %d resident, %d bytes; want %d, %d", step, s.ExpertsResident, s.ExpertBytesResident, n, n*per)
		}
		if s.ExpertHits != hits || s.ExpertMisses != misses || s.ExpertReleases != releases {
			t.Errorf("%s: hits %d misses %d releases %d, want %d %d %d", step, s.ExpertHits, s.ExpertMisses, s.ExpertReleases, hits, misses, releases)
		}
		if s.ExpertBytesPagedIn != misses*per || s.ExpertBytesReleased != releases*per {
			t.Errorf("%s: paged in %d released %d bytes, want %d %d", step, s.ExpertBytesPagedIn, s.ExpertBytesReleased, misses*per, releases*per)
		}
		if s.ExpertBytesResident > 3*per {
			t.Errorf("%s: %d bytes resident, over the budget %d", step, s.ExpertBytesResident, 3*per)
		}
		if r.err != nil {
			t.Fatalf("%s: %v", step, r.err)
		}
	}
	r.use(1, []int32{0, 1})
	check("first", []int{0, 1}, nil, 0, 2, 0)
	r.use(2, []int32{5})
	check("other layer", []int{0, 1}, []int{5}, 0, 3, 0)
	r.use(1, []int32{0}) // now 1 is the least recently used
	check("hit", []int{0, 1}, []int{5}, 1, 3, 0)
	r.use(1, []int32{7, 7}) // listed twice: one miss
	check("release LRU", []int{0, 7}, []int{5}, 1, 4, 1)
	r.use(2, []int32{1, 2})
	check("release two", []int{7}, []int{1, 2}, 1, 6, 3)
	if s := m.Stats(); s.ExpertStall <= 0 {
		t.Errorf("stall %v after paging experts in, want > 0", s.ExpertStall)
	}
	if hr := m.Stats().ExpertHitRate(); math.Abs(hr-1.0/7) > 1e-12 {
		t.Errorf("hit rate %v, want 1/7", hr)
	}

	// Dense layers, out-of-range layers and experts are ignored.
	before := m.Stats()
	r.use(0, []int32{1})
	r.use(9, []int32{1})
	r.use(1, []int32{-1, 16})
	if after := m.Stats(); after != before {
		t.Errorf("ignored calls changed the stats: %+v → %+v", before, after)
	}
	// A call whose experts exceed the budget keeps them all, until the next.
	r.use(1, []int32{10, 11, 12, 13})
	if got := resident(r, 1); !slices.Equal(got, []int{10, 11, 12, 13}) || len(resident(r, 2)) != 0 {
		t.Errorf("over-budget call: resident %v and %v, want [10 11 12 13] and none", got, resident(r, 2))
	}
	r.use(2, nil)
	if got := resident(r, 1); !slices.Equal(got, []int{11, 12, 13}) {
		t.Errorf("after the over-budget call: resident %v, want [11 12 13]", got)
	}
}

// TestExpertUseRuns: useRuns finds the layer by its moe and the experts from the runs of a
// counting sort.
func TestExpertUseRuns(t *testing.T) {
	c := expertTestConfig(128, 100, 3)
	m := openTest(t, writeTestGGUF(t, c), Options{Threads: 1})
	r := m.residency
	ends := make([]int32, c.NRoutedExperts)
	// Runs: expert 0 has 2 pairs, 3 has 1, 15 has 3; the rest none.
	for ex := range ends {
		switch {
		case ex == 0:
			ends[ex] = 2
		case ex < 3:
			ends[ex] = 2
		case ex < 15:
			ends[ex] = 3
		default:
			ends[ex] = 6
		}
	}
	r.useRuns(m.layers[2].moe, ends)
	if got := resident(r, 2); !slices.Equal(got, []int{0, 3, 15}) {
		t.Errorf("resident %v, want [0 3 15]", got)
	}
	if got := resident(r, 1); len(got) != 0 {
		t.Errorf("layer 1 resident %v, want none", got)
	}
	r.useRuns(nil, ends) // not a MoE layer of the model
	if s := m.Stats(); s.ExpertMisses != 3 {
		t.Errorf("%d misses, want 3", s.ExpertMisses)
	}
}

// TestExpertUseAllocs: use allocates nothing, even while it releases and pages in.
func TestExpertUseAllocs(t *testing.T) {
	c := expertTestConfig(128, 100, 3)
	per := int64(3 * 2 * c.HiddenSize * c.MoEIntermediateSize)
	m := openTest(t, writeTestGGUF(t, c), Options{Threads: 1, ExpertBudget: 5 * per})
	r := m.residency
	sets := [][]int32{{0, 1, 2, 3}, {4, 5, 6, 7}, {1, 8, 9, 15}}
	ends := make([]int32, c.NRoutedExperts)
	for i := range ends {
		ends[i] = int32(i / 3)
	}
	i := 0
	allocs := testing.AllocsPerRun(100, func() {
		r.use(1+i%2, sets[i%3])
		r.useRuns(m.layers[1].moe, ends)
		i++
	})
	if allocs != 0 {
		t.Errorf("use allocates %v times", allocs)
	}
	if s := m.Stats(); s.ExpertReleases == 0 || s.ExpertBytesResident > 5*per {
		t.Errorf("stats %+v: want releases, and no more than %d bytes resident", s, 5*per)
	}
}

// TestExpertUnmapped: a tracker over memory that is not a file mapping counts, and never
// advises nor releases.
func TestExpertUnmapped(t *testing.T) {
	c := expertTestConfig(128, 100, 3)
	r := newExpertResidency(c, c.NumHiddenLayers)
	heap := make([]byte, 3*16*2*100)
	for e := range 16 {
		d := r.data(1, e)
		for p := range 3 {
			d[p] = heap[(e*3+p)*100 : (e*3+p+1)*100]
		}
		heap[(e*3)*100] = 1
	}
	r.configure(150, false)
	r.use(1, []int32{0, 1, 2})
	r.use(1, []int32{2, 3})
	var s ModelStats
	r.stats(&s)
	if s.ExpertsResident != 4 || s.ExpertMisses != 4 || s.ExpertHits != 1 || s.ExpertReleases != 0 || s.ExpertStall != 0 {
		t.Errorf("stats %+v: want 4 resident, 4 misses, 1 hit, no release, no stall", s)
	}
	for e := range 16 {
		if heap[(e*3)*100] != 1 {
			t.Fatalf("expert %d's memory changed", e)
		}
	}
	var nilR *expertResidency
	nilR.use(1, []int32{0})
	nilR.useRuns(nil, nil)
	nilR.stats(&s)
}

func TestOpenNegativeBudget(t *testing.T) {
	_, err := Open(filepath.Join(t.TempDir(), "none.gguf"), Options{ExpertBudget: -1})
	if err == nil || !strings.Contains(err.Error(), "negative") {
		t.Fatalf("Open with a negative budget: %v, want an error saying so", err)
	}
}

func TestOpenTooManyThreads(t *testing.T) {
	_, err := Open(filepath.Join(t.TempDir(), "none.gguf"), Options{Threads: MaxThreads + 1})
	if err == nil || !strings.Contains(err.Error(), "at most 1024") {
		t.Fatalf("Open with %d threads: %v, want an error saying at most %d", MaxThreads+1, err, MaxThreads)
	}
}

// rssFile is the process's resident memory of file mappings (mmap.ResidentFileBytes); the
// test skips where it cannot be read.
func rssFile(t *testing.T) int64 {
	t.Helper()
	n, err := mmap.ResidentFileBytes()
	if err != nil {
		t.Skip(err)
	}
	return n
}

// TestExpertRSS: on Linux, experts are not in the process's memory before they are used;
// used, they are; and under a budget their pages leave the process again, so its file-backed
// resident memory stays near the budget while every expert is used in turn.
func TestExpertRSS(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads resident memory from /proc/self/status: Linux only")
	}
	if testing.Short() {
		t.Skip("writes a 100 MB model (-short)")
	}
	c := expertTestConfig(512, 1024, 3) // experts of 3 MiB, 96 MiB in all
	path := writeTestGGUF(t, c)
	per := int64(3 * 2 * c.HiddenSize * c.MoEIntermediateSize)
	total := per * int64(2*c.NRoutedExperts)
	// Pages beyond the experts' own: those shared with neighbours, which are not released,
	// and whole large folios of the page cache mapped by one fault (ext4 makes them on
	// write), which reach into neighbouring experts.
	const slack = 8 << 20
	run := func(budget int64) (maxGrowth int64) {
		base := rssFile(t)
		m, err := Open(path, Options{Threads: 1, ExpertBudget: budget})
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		if grown := rssFile(t) - base; grown > slack {
			t.Errorf("budget %d: opening the model made %d bytes resident, want experts unread", budget, grown)
		}
		r := m.residency
		for round := range 2 {
			for layer := 1; layer < 3; layer++ {
				for e := int32(0); e < 16; e += 2 {
					r.use(layer, []int32{e, e + 1})
					grown := rssFile(t) - base
					maxGrowth = max(maxGrowth, grown)
					if budget > 0 && grown > budget+slack {
						t.Fatalf("budget %d, round %d, layer %d, experts %d-%d: %d bytes resident", budget, round, layer, e, e+1, grown)
					}
				}
			}
		}
		if r.err != nil {
			t.Fatal(r.err)
		}
		s := m.Stats()
		t.Logf("budget %d MiB: RssFile grew by at most %.1f MiB (experts %.0f MiB); %d resident (%.1f MiB), hit rate %.2f, %.1f MiB paged in, %d released, stall %v",
			budget>>20, float64(maxGrowth)/(1<<20), float64(total)/(1<<20), s.ExpertsResident, float64(s.ExpertBytesResident)/(1<<20),
			s.ExpertHitRate(), float64(s.ExpertBytesPagedIn)/(1<<20), s.ExpertReleases, s.ExpertStall)
		if budget > 0 && s.ExpertBytesResident > budget {
			t.Errorf("budget %d: %d bytes resident", budget, s.ExpertBytesResident)
		}
		return maxGrowth
	}
	if grown := run(0); grown < total*9/10 {
		t.Errorf("without a budget RssFile grew by %d bytes using %d bytes of experts", grown, total)
	}
	run(4 * per)
}

// TestExpertBudgetForward: once moe.go reports its routed experts, a forward pass under a
// budget that keeps a fraction of the experts computes the same logits as without one,
// and keeps the resident experts under the budget (above it only by one chunk's experts).
func TestExpertBudgetForward(t *testing.T) {
	c := expertTestConfig(128, 100, 3)
	path := writeTestGGUF(t, c)
	per := int64(3 * 2 * c.HiddenSize * c.MoEIntermediateSize)
	logits := func(budget int64) ([]float32, ModelStats) {
		m := openTest(t, path, Options{Threads: 2, ExpertBudget: budget})
		s, err := m.NewSequence(64)
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		out := make([]float32, c.VocabSize)
		var all []float32
		if err := s.Forward(ctx, []int{1, 5, 9, 33, 70}, out, false); err != nil {
			t.Fatal(err)
		}
		all = append(all, out...)
		for i := range 12 {
			if err := s.Forward(ctx, []int{(i*37 + 3) % c.VocabSize}, out, false); err != nil {
				t.Fatal(err)
			}
			all = append(all, out...)
			if st := m.Stats(); budget > 0 && st.ExpertBytesResident > max(budget, int64(c.NumExpertsPerTok)*per) {
				t.Fatalf("decode step %d: %d bytes of experts resident, budget %d", i, st.ExpertBytesResident, budget)
			}
		}
		return all, m.Stats()
	}
	want, s0 := logits(0)
	if s0.ExpertHits+s0.ExpertMisses == 0 {
		t.Skip("the forward pass does not report routed experts yet (moe.go: residency.useRuns)")
	}
	got, s := logits(5 * per)
	if s.ExpertReleases == 0 {
		t.Errorf("no expert released under a budget of 5 of 32 experts: %+v", s)
	}
	if !slices.Equal(got, want) {
		t.Errorf("logits under an expert budget differ from those without")
	}
	t.Logf("no budget: %+v", s0)
	t.Logf("budget of 5 experts: %+v", s)
}
