package quant

import (
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// readSafetensorsBF16 returns the BF16 tensors of a safetensors file,
// converted to float32, by name.
func readSafetensorsBF16(t *testing.T, path string) map[string][]float32 {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := binary.LittleEndian.Uint64(data)
	var hdr map[string]json.RawMessage
	if err := json.Unmarshal(data[8:8+n], &hdr); err != nil {
		t.Fatal(err)
	}
	body := data[8+n:]
	out := map[string][]float32{}
	for name, raw := range hdr {
		if name == "__metadata__" {
			continue
		}
		var info struct {
			DType       string `json:"dtype"`
			DataOffsets [2]int `json:"data_offsets"`
		}
		if err := json.Unmarshal(raw, &info); err != nil {
			t.Fatal(err)
		}
		if info.DType != "BF16" {
			continue
		}
		b := body[info.DataOffsets[0]:info.DataOffsets[1]]
		v := make([]float32, len(b)/2)
		for i := range v {
			v[i] = BF16ToF32(binary.LittleEndian.Uint16(b[2*i:]))
		}
		out[name] = v
	}
	return out
}

var ggufToHF = []struct {
	re   *regexp.Regexp
	hf   string // with %d for the layer, E for the expert
	exps bool
}{
	{regexp.MustCompile(`^token_embd\.weight$`), "model.embed_tokens.weight", false},
	{regexp.MustCompile(`^output\.weight$`), "lm_head.weight", false},
	{regexp.MustCompile(`^blk\.(\d+)\.attn_q_a\.weight$`), "model.layers.L.self_attn.q_a_proj.weight", false},
	{regexp.MustCompile(`^blk\.(\d+)\.attn_q_b\.weight$`), "model.layers.L.self_attn.q_b_proj.weight", false},
	{regexp.MustCompile(`^blk\.(\d+)\.attn_kv_a_mqa\.weight$`), "model.layers.L.self_attn.kv_a_proj_with_mqa.weight", false},
	{regexp.MustCompile(`^blk\.(\d+)\.attn_output\.weight$`), "model.layers.L.self_attn.o_proj.weight", false},
	{regexp.MustCompile(`^blk\.(\d+)\.ffn_(gate|up|down)\.weight$`), "model.layers.L.mlp.P_proj.weight", false},
	{regexp.MustCompile(`^blk\.(\d+)\.ffn_(gate|up|down)_shexp\.weight$`), "model.layers.L.mlp.shared_experts.P_proj.weight", false},
	{regexp.MustCompile(`^blk\.(\d+)\.ffn_(gate|up|down)_exps\.weight$`), "model.layers.L.mlp.experts.E.P_proj.weight", true},
}

// hfSource returns the float32 values llama.cpp quantized into the GGUF
// tensor name, or nil if the tensor has no simple HF counterpart.
func hfSource(hf map[string][]float32, name string, nexp int) []float32 {
	for _, m := range ggufToHF {
		sub := m.re.FindStringSubmatch(name)
		if sub == nil {
			continue
		}
		key := m.hf
		if len(sub) > 1 {
			key = regexp.MustCompile(`\bL\b`).ReplaceAllString(key, sub[1])
		}
		if len(sub) > 2 {
			key = regexp.MustCompile(`\bP_`).ReplaceAllString(key, sub[2]+"_")
		}
		if !m.exps {
			return hf[key]
		}
		var v []float32
		for e := range nexp {
			v = append(v, hf[regexp.MustCompile(`\bE\b`).ReplaceAllString(key, strconv.Itoa(e))]...)
		}
		return v
	}
	return nil
}

// TestQuantizeMatchesLlamaCpp quantizes the original BF16 weights of the
// fixture model and compares the blocks with those llama-quantize wrote.
func TestQuantizeMatchesLlamaCpp(t *testing.T) {
	idx := loadGGUFIndex(t)
	st := filepath.Join(ggufFixtures, "..", "deepseek-v3-tiny-bf16", "model.safetensors")
	if _, err := os.Stat(st); err != nil {
		t.Skipf("%s not found; skipping", st)
	}
	hf := readSafetensorsBF16(t, st)
	type count struct{ tensors, exact, blocks, badBlocks int }
	counts := map[DType]*count{}
	for fname, f := range idx.Files {
		if f.Path == nil {
			continue
		}
		data, err := os.ReadFile(filepath.Join(ggufFixtures, *f.Path))
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range f.Tensors {
			dt, _ := dtypeByName(tt.Type)
			if !dt.isBlock() {
				continue
			}
			nexp := 1
			if len(tt.Ne) > 2 {
				nexp = tt.Ne[2]
			}
			src := hfSource(hf, tt.Name, nexp)
			if src == nil {
				continue
			}
			want := data[tt.Offset : tt.Offset+int64(tt.Nbytes)]
			if len(src)/dt.BlockSize()*dt.BlockBytes() != len(want) {
				t.Fatalf("%s %s: %d source values for %d bytes", fname, tt.Name, len(src), len(want))
			}
			got := make([]byte, len(want))
			if err := Quantize(dt, got, src); err != nil {
				t.Fatal(err)
			}
			c := counts[dt]
			if c == nil {
				c = new(count)
				counts[dt] = c
			}
			c.tensors++
			bb := dt.BlockBytes()
			bad := 0
			for k := 0; k < len(want); k += bb {
				if string(got[k:k+bb]) != string(want[k:k+bb]) {
					bad++
				}
			}
			c.blocks += len(want) / bb
			c.badBlocks += bad
			if bad == 0 {
				c.exact++
			}
		}
	}
	for dt := Q8_0; dt <= Q6_K; dt++ {
		c := counts[dt]
		if c == nil {
			t.Errorf("%v: no tensor compared", dt)
			continue
		}
		t.Logf("%v: %d/%d tensors byte-identical, %d/%d blocks differ", dt, c.exact, c.tensors, c.badBlocks, c.blocks)
		if c.badBlocks != 0 {
			t.Errorf("%v: %d of %d blocks differ from llama-quantize's", dt, c.badBlocks, c.blocks)
		}
	}
}
