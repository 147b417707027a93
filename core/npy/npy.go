package npy

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/deepgo/deepgo/core/mmap"
)

var magic = []byte("\x93NUMPY")

// WriteFloat32 writes data as a float32 array of the given shape.
func WriteFloat32(w io.Writer, data []float32, shape ...int) error {
	n := 1
	for _, d := range shape {
		n *= max(d, 0)
	}
	if n != len(data) {
		return fmt.Errorf("npy: shape %v holds %d values, have %d", shape, n, len(data))
	}
	bw := bufio.NewWriter(w)
	if err := WriteHeader(bw, "<f4", shape...); err != nil {
		return err
	}
	var buf [4]byte
	for _, v := range data {
		binary.LittleEndian.PutUint32(buf[:], math.Float32bits(v))
		bw.Write(buf[:])
	}
	return bw.Flush()
}

// WriteHeader writes the header of a C-order array of dtype descr ("<f4", "<i4") and the
// given shape; the caller writes the values after it, little-endian, in C order. The data
// start at a multiple of 64 bytes.
func WriteHeader(w io.Writer, descr string, shape ...int) error {
	dims := make([]string, len(shape))
	for i, d := range shape {
		if d < 0 {
			return fmt.Errorf("npy: negative dimension %d", d)
		}
		dims[i] = strconv.Itoa(d)
	}
	s := strings.Join(dims, ", ")
	if len(shape) == 1 {
		s += ","
	}
	header := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", descr, s)
	// Pad so that magic(6)+version(2)+len(2)+header+'\n' is a multiple of 64.
	total := 10 + len(header) + 1
	header += strings.Repeat(" ", (64-total%64)%64) + "\n"
	if len(header) > math.MaxUint16 {
		return errors.New("npy: header too long")
	}
	b := append(append([]byte{}, magic...), 1, 0)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(header)))
	_, err := w.Write(append(b, header...))
	return err
}

// WriteFile writes data as a float32 .npy file at path.
func WriteFile(path string, data []float32, shape ...int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := WriteFloat32(f, data, shape...); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}

var (
	shapeRE = regexp.MustCompile(`'shape':\s*\(([^)]*)\)`)
	descrRE = regexp.MustCompile(`'descr':\s*'([^']*)'`)
)

// MaxFileSize is the largest .npy file ReadFile accepts, in bytes; it is read whole, and
// its values take as much again. The largest .npy here holds logits, [tokens, vocab]: 1 GiB
// is 2,000 positions of DeepSeek-V3's 129,280-token vocabulary.
const MaxFileSize = 1 << 30

// ReadFile reads a float32 (<f4, C order) .npy file and returns its values and shape.
func ReadFile(path string) ([]float32, []int, error) {
	b, err := mmap.ReadFile(path, MaxFileSize)
	if err != nil {
		return nil, nil, fmt.Errorf("npy: %w", err)
	}
	data, shape, err := Parse(b)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return data, shape, nil
}

// Parse decodes the bytes of a float32 .npy file (versions 1.0 to 3.0).
func Parse(b []byte) ([]float32, []int, error) {
	r := bytes.NewReader(b)
	descr, shape, n, err := ReadHeader(r, len(b))
	if err != nil {
		return nil, nil, err
	}
	if descr != "<f4" {
		return nil, nil, fmt.Errorf("npy: want dtype <f4, have %q", descr)
	}
	body := b[len(b)-r.Len():]
	if len(body) != 4*n {
		return nil, nil, fmt.Errorf("npy: shape %v needs %d bytes of data, file has %d", shape, 4*n, len(body))
	}
	data := make([]float32, n)
	for i := range data {
		data[i] = math.Float32frombits(binary.LittleEndian.Uint32(body[4*i:]))
	}
	return data, shape, nil
}

// ReadHeader reads the header of a .npy file (versions 1.0 to 3.0) from r, which is left at
// the first value: the dtype as NumPy writes it ("<f4", "<i4"), the shape, and the number of
// values. A header over 1 MiB, a Fortran-order array or more than limit values is refused.
func ReadHeader(r io.Reader, limit int) (descr string, shape []int, n int, err error) {
	var pre [10]byte
	if _, err := io.ReadFull(r, pre[:]); err != nil || string(pre[:6]) != string(magic) {
		return "", nil, 0, errors.New("npy: not a .npy file (bad magic)")
	}
	var hlen int
	switch pre[6] {
	case 1:
		hlen = int(binary.LittleEndian.Uint16(pre[8:]))
	case 2, 3:
		var rest [2]byte
		if _, err := io.ReadFull(r, rest[:]); err != nil {
			return "", nil, 0, errors.New("npy: truncated header")
		}
		hlen = int(binary.LittleEndian.Uint32(append(pre[8:10:10], rest[:]...)))
	default:
		return "", nil, 0, fmt.Errorf("npy: unsupported version %d", pre[6])
	}
	if hlen > 1<<20 {
		return "", nil, 0, fmt.Errorf("npy: header of %d bytes, more than 1 MiB", hlen)
	}
	h := make([]byte, hlen)
	if _, err := io.ReadFull(r, h); err != nil {
		return "", nil, 0, errors.New("npy: truncated header")
	}
	return parseHeader(string(h), limit)
}

// parseHeader reads the dtype and shape of a header dictionary; the product of the
// dimensions, n, may not exceed limit.
func parseHeader(h string, limit int) (descr string, shape []int, n int, err error) {
	d := descrRE.FindStringSubmatch(h)
	if d == nil {
		return "", nil, 0, fmt.Errorf("npy: no dtype in header %q", strings.TrimSpace(h))
	}
	if strings.Contains(h, "'fortran_order': True") {
		return "", nil, 0, errors.New("npy: Fortran order not supported")
	}
	m := shapeRE.FindStringSubmatch(h)
	if m == nil {
		return "", nil, 0, fmt.Errorf("npy: no shape in header %q", strings.TrimSpace(h))
	}
	n = 1
	for _, f := range strings.Split(m[1], ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		d, err := strconv.Atoi(f)
		if err != nil || d < 0 || d > math.MaxInt32 {
			return "", nil, 0, fmt.Errorf("npy: bad dimension %q", f)
		}
		shape = append(shape, d)
		n *= d
		if n > limit {
			return "", nil, 0, errors.New("npy: shape larger than the file")
		}
	}
	return d[1], shape, n, nil
}
