package perplexity

import (
	"archive/zip"
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"

	"github.com/deepgo/deepgo/core/mmap"
	"github.com/deepgo/deepgo/core/npy"
)

// A logits file is a NumPy .npz (a zip archive, its members stored uncompressed) of two arrays:
//
//	tokens.npy    int32 [chunks, ctx]: the text's tokens as tokenized, chunk by chunk (before
//	              a chunk's first token is replaced by BOS)
//	logprobs.npy  float32 [chunks × (ctx − 1 − ctx/2), vocab]: the log-probabilities of every
//	              scored prediction, chunk by chunk, in order of position
//
// numpy.load reads it; Run writes one (Options.Save) and compares with one (Options.Base).
const (
	tokensMember   = "tokens.npy"
	logprobsMember = "logprobs.npy"
)

// saveFile writes a logits file under a temporary name, renamed when complete.
type saveFile struct {
	path string
	f    *os.File
	zw   *zip.Writer
	w    *bufio.Writer // into logprobs.npy
	buf  []byte
}

// createSave starts the logits file at path for chunks of ctx tokens, with the tokens of
// every chunk.
func createSave(path string, ctx, vocab int, tokens []int) (*saveFile, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return nil, fmt.Errorf("perplexity: %w", err)
	}
	s := &saveFile{path: path, f: f, zw: zip.NewWriter(f), buf: make([]byte, 4*vocab)}
	chunks := len(tokens) / ctx
	if err := s.writeTokens(tokens, chunks, ctx); err != nil {
		s.abort()
		return nil, err
	}
	m, err := s.zw.CreateHeader(&zip.FileHeader{Name: logprobsMember, Method: zip.Store})
	if err == nil {
		s.w = bufio.NewWriterSize(m, 1<<20)
		err = npy.WriteHeader(s.w, "<f4", chunks*(ctx-1-ctx/2), vocab)
	}
	if err != nil {
		s.abort()
		return nil, fmt.Errorf("perplexity: %s: %w", path, err)
	}
	return s, nil
}

func (s *saveFile) writeTokens(tokens []int, chunks, ctx int) error {
	m, err := s.zw.CreateHeader(&zip.FileHeader{Name: tokensMember, Method: zip.Store})
	if err != nil {
		return fmt.Errorf("perplexity: %s: %w", s.path, err)
	}
	b := make([]byte, 0, 4*len(tokens))
	for _, t := range tokens {
		b = binary.LittleEndian.AppendUint32(b, uint32(int32(t)))
	}
	if err := npy.WriteHeader(m, "<i4", chunks, ctx); err != nil {
		return fmt.Errorf("perplexity: %s: %w", s.path, err)
	}
	if _, err := m.Write(b); err != nil {
		return fmt.Errorf("perplexity: %s: %w", s.path, err)
	}
	return nil
}

// row appends one prediction's log-probabilities.
func (s *saveFile) row(lp []float32) error {
	for i, x := range lp {
		binary.LittleEndian.PutUint32(s.buf[4*i:], math.Float32bits(x))
	}
	if _, err := s.w.Write(s.buf); err != nil {
		return fmt.Errorf("perplexity: %s: %w", s.path, err)
	}
	return nil
}

// close completes the file and gives it its name.
func (s *saveFile) close() error {
	err := s.w.Flush()
	if err == nil {
		err = s.zw.Close()
	}
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(s.f.Name(), s.path)
	}
	if err != nil {
		os.Remove(s.f.Name())
		return fmt.Errorf("perplexity: %s: %w", s.path, err)
	}
	s.f = nil
	return nil
}

// abort removes an incomplete file; after close it does nothing.
func (s *saveFile) abort() {
	if s.f != nil {
		s.f.Close()
		os.Remove(s.f.Name())
		s.f = nil
	}
}

// Base is an opened logits file: its tokens, in memory, and its rows of log-probabilities,
// read one at a time as a run needs them.
type Base struct {
	Path        string
	Ctx, Chunks int
	Vocab       int
	Tokens      []int // Chunks × Ctx

	f        *os.File
	rows     io.ReadCloser // logprobs.npy
	r        *bufio.Reader // over rows
	buf      []byte
	rowsLeft int
}

// OpenBase opens the logits file at path and reads its tokens.
func OpenBase(path string) (*Base, error) {
	f, fi, err := mmap.OpenFile(path)
	if err != nil {
		return nil, fmt.Errorf("perplexity: %w", err)
	}
	b := &Base{Path: path, f: f}
	if err := b.open(fi.Size()); err != nil {
		b.Close()
		return nil, fmt.Errorf("perplexity: %s is not a logits file of deepgo perplexity --save-logits: %w", path, err)
	}
	return b, nil
}

func (b *Base) open(size int64) error {
	zr, err := zip.NewReader(b.f, size)
	if err != nil {
		return err
	}
	var tok, lp *zip.File
	for _, m := range zr.File {
		switch m.Name {
		case tokensMember:
			tok = m
		case logprobsMember:
			lp = m
		}
	}
	if tok == nil || lp == nil {
		return fmt.Errorf("no %s and %s in it", tokensMember, logprobsMember)
	}
	if err := b.readTokens(tok); err != nil {
		return fmt.Errorf("%s: %w", tokensMember, err)
	}
	rc, err := lp.Open()
	if err != nil {
		return fmt.Errorf("%s: %w", logprobsMember, err)
	}
	b.rows = rc
	b.r = bufio.NewReaderSize(rc, 1<<20)
	descr, shape, _, err := npy.ReadHeader(b.r, int(min(lp.UncompressedSize64/4, math.MaxInt)))
	if err != nil {
		return fmt.Errorf("%s: %w", logprobsMember, err)
	}
	rows := b.Chunks * (b.Ctx - 1 - b.Ctx/2)
	if descr != "<f4" || len(shape) != 2 || shape[0] != rows || shape[1] == 0 {
		return fmt.Errorf("%s: %s %v, want <f4 [%d, vocab] for %d chunks of %d", logprobsMember, descr, shape, rows, b.Chunks, b.Ctx)
	}
	b.Vocab, b.rowsLeft = shape[1], rows
	b.buf = make([]byte, 4*b.Vocab)
	return nil
}

func (b *Base) readTokens(m *zip.File) error {
	rc, err := m.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	r := bufio.NewReader(rc)
	descr, shape, n, err := npy.ReadHeader(r, int(min(m.UncompressedSize64/4, math.MaxInt32)))
	if err != nil {
		return err
	}
	if descr != "<i4" || len(shape) != 2 || shape[0] == 0 || shape[1] < 3 {
		return fmt.Errorf("%s %v, want <i4 [chunks, ctx]", descr, shape)
	}
	data := make([]byte, 4*n)
	if _, err := io.ReadFull(r, data); err != nil {
		return err
	}
	b.Chunks, b.Ctx = shape[0], shape[1]
	b.Tokens = make([]int, n)
	for i := range b.Tokens {
		b.Tokens[i] = int(int32(binary.LittleEndian.Uint32(data[4*i:])))
	}
	return nil
}

// next reads the next row of log-probabilities into dst.
func (b *Base) next(dst []float32) error {
	if b.rowsLeft == 0 {
		return fmt.Errorf("perplexity: %s: no more rows", b.Path)
	}
	if _, err := io.ReadFull(b.r, b.buf); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			err = errors.New("the file ends early")
		}
		return fmt.Errorf("perplexity: %s: %s: %w", b.Path, logprobsMember, err)
	}
	for i := range dst {
		dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(b.buf[4*i:]))
	}
	b.rowsLeft--
	return nil
}

// Close closes the file.
func (b *Base) Close() error {
	if b.rows != nil {
		b.rows.Close()
	}
	return b.f.Close()
}
