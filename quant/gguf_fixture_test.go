package quant

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/deepgo/deepgo/core/fixture"
)

// ggufFixtures is where the shared llama.cpp GGUF fixtures live (core/fixture: a leaf
// package of test support, standard library only, so quant's tests may use it).
var ggufFixtures = fixture.Join("gguf")

type ggufIndex struct {
	Files map[string]struct {
		Path    *string `json:"path"`
		Tensors []struct {
			Name          string    `json:"name"`
			Type          string    `json:"type"`
			Ne            []int     `json:"ne"`
			Offset        int64     `json:"offset"`
			Nbytes        int       `json:"nbytes"`
			DequantSHA256 string    `json:"dequant_sha256"`
			DequantFirst  []float32 `json:"dequant_first"`
		} `json:"tensors"`
	} `json:"files"`
}

func loadGGUFIndex(t *testing.T) *ggufIndex {
	t.Helper()
	b, err := os.ReadFile(fixture.Path(t, "gguf", "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	var idx ggufIndex
	if err := json.Unmarshal(b, &idx); err != nil {
		t.Fatal(err)
	}
	return &idx
}

// dtypeByName maps the type names of index.json to DTypes.
func dtypeByName(name string) (DType, bool) {
	for t := F32; t <= Q6_K; t++ {
		if t.String() == name {
			return t, true
		}
	}
	return 0, false
}

// TestGGUFDequantize checks that every tensor of every shipped llama.cpp
// file dequantizes to exactly the values ggml computes, both with
// DequantizeRow and with the Row method of NewBlock.
func TestGGUFDequantize(t *testing.T) {
	idx := loadGGUFIndex(t)
	checked := map[string]int{}
	for fname, f := range idx.Files {
		if f.Path == nil {
			continue
		}
		data, err := os.ReadFile(filepath.Join(ggufFixtures, *f.Path))
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range f.Tensors {
			dt, ok := dtypeByName(tt.Type)
			if !ok {
				t.Errorf("%s %s: unknown type %s", fname, tt.Name, tt.Type)
				continue
			}
			n := 1
			for _, d := range tt.Ne {
				n *= d
			}
			raw := data[tt.Offset : tt.Offset+int64(tt.Nbytes)]
			vals := make([]float32, n)
			DequantizeRow(dt, vals, raw)
			if got := f32SHA256(vals); got != tt.DequantSHA256 {
				t.Errorf("%s %s (%v): dequant sha256 %s, want %s; first %v, want %v",
					fname, tt.Name, dt, got, tt.DequantSHA256, vals[:8], tt.DequantFirst)
				continue
			}
			checked[tt.Type]++
			if !dt.isBlock() {
				continue
			}
			cols := tt.Ne[0]
			m, err := NewBlock(dt, raw, n/cols, cols)
			if err != nil {
				t.Fatalf("%s %s: %v", fname, tt.Name, err)
			}
			row := make([]float32, cols)
			for i := range m.Rows() {
				m.Row(row, i)
				for j, v := range row {
					if math.Float32bits(v) != math.Float32bits(vals[i*cols+j]) {
						t.Fatalf("%s %s: Row(%d)[%d] = %v, want %v", fname, tt.Name, i, j, v, vals[i*cols+j])
					}
				}
			}
			checkMulVecAgainstRows(t, fname+" "+tt.Name, m, vals)
		}
	}
	t.Logf("bit-exact tensors per type: %v", checked)
	for _, name := range []string{"F32", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"} {
		if checked[name] == 0 {
			t.Errorf("no %s tensor checked", name)
		}
	}
}

// TestGGUFDequantDumps compares the first values of the dumped tensors.
func TestGGUFDequantDumps(t *testing.T) {
	idx := loadGGUFIndex(t)
	for fname, f := range idx.Files {
		if f.Path == nil {
			continue
		}
		stem := fname[:len(fname)-len(filepath.Ext(fname))]
		if e := filepath.Ext(stem); e == ".sample" {
			stem = stem[:len(stem)-len(e)]
		}
		want, err := os.ReadFile(filepath.Join(ggufFixtures, "dequant", stem+".blk.1.attn_q_a.weight.f32"))
		if err != nil {
			t.Errorf("%s: %v", fname, err)
			continue
		}
		data, err := os.ReadFile(filepath.Join(ggufFixtures, *f.Path))
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range f.Tensors {
			if tt.Name != "blk.1.attn_q_a.weight" {
				continue
			}
			dt, _ := dtypeByName(tt.Type)
			n := len(want) / 4
			bs := dt.BlockSize()
			vals := make([]float32, n)
			DequantizeRow(dt, vals, data[tt.Offset:][:n/bs*dt.BlockBytes()])
			for j, v := range vals {
				if math.Float32bits(v) != binary.LittleEndian.Uint32(want[4*j:]) {
					t.Fatalf("%s: value %d = %v, want %v", fname, j, v, math.Float32frombits(binary.LittleEndian.Uint32(want[4*j:])))
				}
			}
		}
	}
}

func f32SHA256(v []float32) string {
	b := make([]byte, 4*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(f))
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// checkMulVecAgainstRows checks m.MulVec and m.MulMat against float64 dot
// products of the dequantized values vals.
func checkMulVecAgainstRows(t *testing.T, name string, m Matrix, vals []float32) {
	t.Helper()
	rows, cols := m.Rows(), m.Cols()
	r := rand.New(rand.NewPCG(uint64(rows), uint64(cols)))
	const nv = 2
	x := make([]float32, nv*cols)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	got := make([]float32, rows)
	gotMat := make([]float32, nv*rows)
	m.MulVec(got, x[:cols], 0, rows)
	m.MulMat(gotMat, rows, x, cols, nv, 0, rows)
	for i := range rows {
		for v := range nv {
			var want, mag float64
			for j := range cols {
				p := float64(vals[i*cols+j]) * float64(x[v*cols+j])
				want += p
				mag += math.Abs(p)
			}
			tol := 1e-5*mag + 1e-30
			if v == 0 && math.Abs(float64(got[i])-want) > tol {
				t.Fatalf("%s: MulVec row %d = %v, want %v (tol %g)", name, i, got[i], want, tol)
			}
			if g := gotMat[v*rows+i]; math.Abs(float64(g)-want) > tol {
				t.Fatalf("%s: MulMat row %d vector %d = %v, want %v (tol %g)", name, i, v, g, want, tol)
			}
		}
	}
}
