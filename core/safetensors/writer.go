package safetensors

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"unicode/utf8"
)

// WriteFile writes tensors, in the given order, and metadata (which may be
// nil) to a safetensors file at path. The header is padded with spaces to a
// multiple of 8 bytes, so the data section starts 8-byte aligned; every
// tensor's data must be exactly as long as its dtype and shape require.
//
// The data is streamed to a temporary file in the same directory, which
// then replaces path, so that a file that is being read (and may be
// memory-mapped) is never truncated in place. The new file's permissions
// are 0644.
func WriteFile(path string, tensors []Tensor, metadata map[string]string) error {
	header, err := encodeHeader(tensors, metadata)
	if err != nil {
		return fmt.Errorf("safetensors: write %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("safetensors: write %s: %w", path, err)
	}
	if err := writeTo(tmp, header, tensors); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("safetensors: write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("safetensors: write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("safetensors: write %s: %w", path, err)
	}
	return nil
}

// writeTo writes the length-prefixed header and the tensors' data to f and
// syncs it.
func writeTo(f *os.File, header []byte, tensors []Tensor) error {
	w := bufio.NewWriterSize(f, 1<<20)
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(header)))
	w.Write(n[:])
	w.Write(header)
	for _, t := range tensors {
		w.Write(t.Data) // errors are sticky and reported by Flush
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		return err
	}
	return f.Sync()
}

// encodeHeader validates tensors and metadata and returns the JSON header,
// padded with spaces to a multiple of 8 bytes.
func encodeHeader(tensors []Tensor, metadata map[string]string) ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	if len(metadata) > 0 {
		keys := make([]string, 0, len(metadata))
		for k := range metadata {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if !utf8.ValidString(k) || !utf8.ValidString(metadata[k]) {
				return nil, fmt.Errorf("%s: key %q: key or value is not valid UTF-8", metadataKey, k)
			}
		}
		writeJSONString(&b, metadataKey)
		b.WriteString(":{")
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONString(&b, k)
			b.WriteByte(':')
			writeJSONString(&b, metadata[k])
		}
		b.WriteByte('}')
	}
	seen := make(map[string]struct{}, len(tensors))
	var off int64
	for i, t := range tensors {
		switch _, dup := seen[t.Name]; {
		case t.Name == "":
			return nil, fmt.Errorf("tensor %d: empty tensor name", i)
		case t.Name == metadataKey:
			return nil, fmt.Errorf("tensor %d: name %q is reserved", i, t.Name)
		case dup:
			return nil, fmt.Errorf("tensor %q: duplicate name", t.Name)
		}
		seen[t.Name] = struct{}{}
		if !utf8.ValidString(t.Name) {
			return nil, fmt.Errorf("tensor %q: name is not valid UTF-8", t.Name)
		}
		size, err := byteSize(t.DType, t.Shape)
		if err != nil {
			return nil, fmt.Errorf("tensor %q: %w", t.Name, err)
		}
		if int64(len(t.Data)) != size {
			return nil, fmt.Errorf("tensor %q: %s shape %v needs %d bytes, data has %d", t.Name, t.DType, t.Shape, size, len(t.Data))
		}
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		writeJSONString(&b, t.Name)
		b.WriteString(`:{"dtype":`)
		writeJSONString(&b, string(t.DType))
		b.WriteString(`,"shape":[`)
		for j, d := range t.Shape {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(d))
		}
		b.WriteString(`],"data_offsets":[`)
		b.WriteString(strconv.FormatInt(off, 10))
		b.WriteByte(',')
		off += size
		b.WriteString(strconv.FormatInt(off, 10))
		b.WriteString("]}")
	}
	b.WriteByte('}')
	for b.Len()%8 != 0 {
		b.WriteByte(' ')
	}
	if b.Len() > MaxHeaderSize {
		return nil, fmt.Errorf("header is %d bytes, more than the limit of %d", b.Len(), MaxHeaderSize)
	}
	return b.Bytes(), nil
}

// writeJSONString writes s as a JSON string, without escaping HTML
// characters.
func writeJSONString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)           // cannot fail for a string
	b.Truncate(b.Len() - 1) // drop Encode's newline
}
