package npy

import (
	"bufio"
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
	dims := make([]string, len(shape))
	for i, d := range shape {
		if d < 0 {
			return fmt.Errorf("npy: negative dimension %d", d)
		}
		n *= d
		dims[i] = strconv.Itoa(d)
	}
	if n != len(data) {
		return fmt.Errorf("npy: shape %v holds %d values, have %d", shape, n, len(data))
	}
	s := strings.Join(dims, ", ")
	if len(shape) == 1 {
		s += ","
	}
	header := fmt.Sprintf("{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }", s)
	// Pad so that magic(6)+version(2)+len(2)+header+'\n' is a multiple of 64.
	total := 10 + len(header) + 1
	header += strings.Repeat(" ", (64-total%64)%64) + "\n"
	if len(header) > math.MaxUint16 {
		return errors.New("npy: header too long")
	}
	bw := bufio.NewWriter(w)
	bw.Write(magic)
	bw.Write([]byte{1, 0})
	binary.Write(bw, binary.LittleEndian, uint16(len(header)))
	bw.WriteString(header)
	var buf [4]byte
	for _, v := range data {
		binary.LittleEndian.PutUint32(buf[:], math.Float32bits(v))
		bw.Write(buf[:])
	}
	return bw.Flush()
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

var shapeRE = regexp.MustCompile(`'shape':\s*\(([^)]*)\)`)

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
	if len(b) < 10 || string(b[:6]) != string(magic) {
		return nil, nil, errors.New("npy: not a .npy file (bad magic)")
	}
	var hlen, off int
	switch b[6] {
	case 1:
		hlen, off = int(binary.LittleEndian.Uint16(b[8:])), 10
	case 2, 3:
		if len(b) < 12 {
			return nil, nil, errors.New("npy: truncated header")
		}
		hlen, off = int(binary.LittleEndian.Uint32(b[8:])), 12
	default:
		return nil, nil, fmt.Errorf("npy: unsupported version %d", b[6])
	}
	if hlen > len(b)-off {
		return nil, nil, errors.New("npy: header length past end of file")
	}
	h := string(b[off : off+hlen])
	if !strings.Contains(h, "'descr': '<f4'") {
		return nil, nil, fmt.Errorf("npy: want dtype <f4, header %q", strings.TrimSpace(h))
	}
	if strings.Contains(h, "'fortran_order': True") {
		return nil, nil, errors.New("npy: Fortran order not supported")
	}
	m := shapeRE.FindStringSubmatch(h)
	if m == nil {
		return nil, nil, fmt.Errorf("npy: no shape in header %q", strings.TrimSpace(h))
	}
	var shape []int
	n := 1
	for _, f := range strings.Split(m[1], ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		d, err := strconv.Atoi(f)
		if err != nil || d < 0 || d > math.MaxInt32 {
			return nil, nil, fmt.Errorf("npy: bad dimension %q", f)
		}
		shape = append(shape, d)
		n *= d
		if n > len(b) {
			return nil, nil, errors.New("npy: shape larger than the file")
		}
	}
	body := b[off+hlen:]
	if len(body) != 4*n {
		return nil, nil, fmt.Errorf("npy: shape %v needs %d bytes of data, file has %d", shape, 4*n, len(body))
	}
	data := make([]float32, n)
	for i := range data {
		data[i] = math.Float32frombits(binary.LittleEndian.Uint32(body[4*i:]))
	}
	return data, shape, nil
}
