package npy

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deepgo/deepgo/core/mmap"
)

func TestRoundTrip(t *testing.T) {
	for _, shape := range [][]int{{3}, {2, 3}, {0, 4}, {1, 1, 2}} {
		t.Run(strings.ReplaceAll(strings.Trim(fmt.Sprint(shape), "[]"), " ", "x"), func(t *testing.T) {
			n := 1
			for _, d := range shape {
				n *= d
			}
			data := make([]float32, n)
			for i := range data {
				data[i] = float32(i) - 1.5
			}
			path := filepath.Join(t.TempDir(), "a.npy")
			if err := WriteFile(path, data, shape...); err != nil {
				t.Fatal(err)
			}
			got, gshape, err := ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if len(gshape) != len(shape) || len(got) != n {
				t.Fatalf("shape %v: read back %v, %d values", shape, gshape, len(got))
			}
			for i := range data {
				if got[i] != data[i] {
					t.Fatalf("value %d: got %v want %v", i, got[i], data[i])
				}
			}
		})
	}
}

func TestHeaderAligned(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteFloat32(&buf, []float32{1, 2}, 1, 2); err != nil {
		t.Fatal(err)
	}
	hlen := int(buf.Bytes()[8]) | int(buf.Bytes()[9])<<8
	if (10+hlen)%64 != 0 {
		t.Fatalf("data starts at %d, not 64-aligned", 10+hlen)
	}
}

func TestParseErrors(t *testing.T) {
	var good bytes.Buffer
	WriteFloat32(&good, []float32{1, 2, 3, 4}, 2, 2)
	g := good.Bytes()
	cases := map[string][]byte{
		"empty":     nil,
		"bad magic": []byte("NOTNUMPY0000000"),
		"truncated": g[:len(g)-3],
		"hlen past": append(append([]byte{}, g[:8]...), 0xff, 0xff),
		"f8 dtype":  bytes.Replace(g, []byte("<f4"), []byte("<f8"), 1),
	}
	for name, b := range cases {
		t.Run(name, func(t *testing.T) {
			if _, _, err := Parse(b); err == nil {
				t.Errorf("%s: no error", name)
			}
		})
	}
}

// FuzzParse: Parse never panics and never allocates beyond the input's size.
func FuzzParse(f *testing.F) {
	var good bytes.Buffer
	WriteFloat32(&good, []float32{1, 2, 3, 4, 5, 6}, 2, 3)
	f.Add(good.Bytes())
	f.Add([]byte("\x93NUMPY\x01\x00\x10\x00{'descr': '<f4'}"))
	f.Add([]byte("\x93NUMPY\x02\x00\xff\xff\xff\x7f"))
	f.Fuzz(func(t *testing.T, b []byte) {
		data, shape, err := Parse(b)
		if err != nil {
			return
		}
		n := 1
		for _, d := range shape {
			n *= d
		}
		if n != len(data) || 4*n > len(b) {
			t.Fatalf("shape %v with %d values from %d bytes", shape, len(data), len(b))
		}
	})
}

// TestReadFileErrors: ReadFile refuses what is not a regular file, and a file over
// MaxFileSize, before reading it.
func TestReadFileErrors(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.npy")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxFileSize + 1); err != nil { // sparse: takes no room
		t.Fatal(err)
	}
	f.Close()
	cases := []struct {
		name, path, want string
		is               error
	}{
		{"missing", filepath.Join(dir, "absent.npy"), "absent.npy: no such file", os.ErrNotExist},
		{"directory", dir, dir + " is a directory, not a regular file", mmap.ErrNotRegular},
		{"too large", big, "big.npy is 1073741825 bytes, more than the 1073741824 allowed", mmap.ErrTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := ReadFile(c.path)
			if err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, c.is) {
				t.Errorf("error %v, want %v containing %q", err, c.is, c.want)
			}
		})
	}
}

// TestStreamHeader: a header written by WriteHeader reads back with ReadHeader, which leaves
// the reader at the first value; too many values for the limit, a Fortran-order array and a
// truncated header are refused.
func TestStreamHeader(t *testing.T) {
	for _, c := range []struct {
		descr string
		shape []int
	}{{"<i4", []int{2, 3}}, {"<f4", []int{5}}, {"<f4", []int{0, 7}}} {
		t.Run(fmt.Sprintf("%s%v", c.descr, c.shape), func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteHeader(&buf, c.descr, c.shape...); err != nil {
				t.Fatal(err)
			}
			if buf.Len()%64 != 0 {
				t.Errorf("data start at %d, not 64-aligned", buf.Len())
			}
			buf.WriteString("DATA")
			descr, shape, n, err := ReadHeader(&buf, 100)
			if err != nil {
				t.Fatal(err)
			}
			want := 1
			for _, d := range c.shape {
				want *= d
			}
			if descr != c.descr || fmt.Sprint(shape) != fmt.Sprint(c.shape) || n != want || buf.String() != "DATA" {
				t.Errorf("read %q %v %d, left %q; want %q %v %d, \"DATA\"", descr, shape, n, buf.String(), c.descr, c.shape, want)
			}
		})
	}
	var good bytes.Buffer
	WriteHeader(&good, "<f4", 10, 10)
	g := good.Bytes()
	for _, c := range []struct {
		name string
		b    []byte
	}{
		{"over the limit", g},
		{"fortran", bytes.Replace(g, []byte("False"), []byte("True "), 1)},
		{"truncated", g[:20]},
		{"version 4", append(append(append([]byte{}, g[:6]...), 4), g[7:]...)},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, _, _, err := ReadHeader(bytes.NewReader(c.b), 99); err == nil {
				t.Error("no error")
			}
		})
	}
}
