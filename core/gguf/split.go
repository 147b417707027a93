package gguf

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
)

// The metadata keys of a split model (llama.cpp's gguf-split). split.no is
// the 0-based index of the part.
const (
	KeySplitCount        = "split.count"
	KeySplitNo           = "split.no"
	KeySplitTensorsCount = "split.tensors.count"
)

// SplitPath returns the path of part no (0-based) of n of a split model
// whose path prefix is prefix: prefix-%05d-of-%05d.gguf.
func SplitPath(prefix string, no, n int) string {
	return fmt.Sprintf("%s-%05d-of-%05d.gguf", prefix, no+1, n)
}

var splitName = regexp.MustCompile(`^(.*)-([0-9]{5})-of-([0-9]{5})\.gguf$`)

// splitInfo returns split.count (1 when absent) and split.no of h.
func splitInfo(h *header) (n, no int, err error) {
	v, ok := h.kv[KeySplitCount]
	if !ok {
		return 1, 0, nil
	}
	c, ok := v.Uint()
	if !ok || c == 0 || c > 99999 {
		return 0, 0, &FormatError{File: h.name, Offset: -1, Key: KeySplitCount, Err: fmt.Errorf("invalid split count %s", v)}
	}
	v, ok = h.kv[KeySplitNo]
	if !ok {
		return 0, 0, &FormatError{File: h.name, Offset: -1, Key: KeySplitNo, Err: fmt.Errorf("missing in a split file (split.count %d)", c)}
	}
	i, ok := v.Uint()
	if !ok || i >= c {
		return 0, 0, &FormatError{File: h.name, Offset: -1, Key: KeySplitNo, Err: fmt.Errorf("invalid split number %s of %d", v, c)}
	}
	return int(c), int(i), nil
}

// openSplit opens the n parts of the split model of which p (part no, at
// path) is one.
func openSplit(path string, p part, n, no int) (*File, error) {
	m := splitName.FindStringSubmatch(filepath.Base(path))
	if m == nil {
		p.m.Close()
		return nil, &FormatError{File: path, Offset: -1, Key: KeySplitCount,
			Err: fmt.Errorf("part %d of a %d-part split model, but the file name does not end in -%05d-of-%05d.gguf", no+1, n, no+1, n)}
	}
	fno, _ := strconv.Atoi(m[2])
	fn, _ := strconv.Atoi(m[3])
	if fno != no+1 || fn != n {
		p.m.Close()
		return nil, &FormatError{File: path, Offset: -1, Key: KeySplitNo,
			Err: fmt.Errorf("file name says part %d of %d, metadata says part %d of %d", fno, fn, no+1, n)}
	}
	prefix := filepath.Join(filepath.Dir(path), m[1])
	parts := make([]part, n)
	parts[no] = p
	closeAll := func() {
		for _, q := range parts {
			if q.m != nil {
				q.m.Close()
			}
		}
	}
	for i := range parts {
		if i == no {
			continue
		}
		q, err := openPart(SplitPath(prefix, i, n))
		if err != nil {
			closeAll()
			var fe *FormatError
			if !errors.As(err, &fe) {
				err = &FormatError{File: path, Offset: -1, Err: fmt.Errorf("split part %d of %d: %w", i+1, n, err)}
			}
			return nil, err
		}
		parts[i] = q
		qn, qno, err := splitInfo(q.h)
		if err == nil && (qn != n || qno != i) {
			err = &FormatError{File: q.h.name, Offset: -1, Key: KeySplitNo,
				Err: fmt.Errorf("metadata says part %d of %d, want part %d of %d", qno+1, qn, i+1, n)}
		}
		if err != nil {
			closeAll()
			return nil, err
		}
	}
	// split.tensors.count, when present, is the total number of tensors.
	total := 0
	for _, q := range parts {
		total += len(q.h.tensors)
	}
	for _, q := range parts {
		v, ok := q.h.kv[KeySplitTensorsCount]
		if !ok {
			continue
		}
		if c, ok := v.Uint(); !ok || c != uint64(total) {
			closeAll()
			return nil, &FormatError{File: q.h.name, Offset: -1, Key: KeySplitTensorsCount,
				Err: fmt.Errorf("split.tensors.count is %s, but the %d parts hold %d tensors", v, n, total)}
		}
	}
	f, err := newFile(parts)
	if err != nil {
		return nil, err
	}
	return f, nil
}
