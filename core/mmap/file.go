package mmap

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// ErrNotRegular is wrapped by the errors of [CheckPath], [OpenFile], [ReadFile] and [Open]
// for a path that names something other than a regular file (or, where one is allowed, a
// directory): a named pipe, a device, a socket.
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge is wrapped by the errors of [ReadFile] for a file larger than its bound.
var ErrTooLarge = errors.New("file too large")

// notRegularError reports a path that is neither a regular file nor, when dirOK, a directory.
type notRegularError struct {
	path, kind string
	dirOK      bool
}

func (e *notRegularError) Error() string {
	s := fmt.Sprintf("%s is %s, %v", e.path, e.kind, ErrNotRegular)
	if e.dirOK {
		s += " or a directory"
	}
	return s
}

func (e *notRegularError) Is(target error) bool { return target == ErrNotRegular }

// kindOf names what a file mode is, for errors.
func kindOf(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return fmt.Sprintf("a special file (mode %v)", m)
}

// CheckPath is the check every model path gets before anything opens it: it follows
// symbolic links and reports whether path is a directory, failing for a directory unless
// dirOK and for anything that is not a regular file (an error wrapping [ErrNotRegular]).
// Such a path is never opened: opening a named pipe for reading blocks until a writer
// comes, and a device such as /dev/zero never ends.
func CheckPath(path string, dirOK bool) (isDir bool, err error) {
	fi, err := os.Stat(path)
	if err != nil {
		return false, err
	}
	switch {
	case fi.Mode().IsRegular():
		return false, nil
	case fi.IsDir() && dirOK:
		return true, nil
	}
	return false, &notRegularError{path: path, kind: kindOf(fi.Mode()), dirOK: dirOK}
}

// OpenFile opens the regular file at path for reading and returns it with its FileInfo.
// It never blocks: on Unix the file is opened with O_NONBLOCK (a no-op for regular files)
// and what was opened is checked with fstat, so a path replaced by a named pipe after a
// [CheckPath] is still refused (an error wrapping [ErrNotRegular]), not waited on.
func OpenFile(path string) (*os.File, fs.FileInfo, error) {
	f, err := os.OpenFile(path, openFlags, 0)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, nil, &notRegularError{path: path, kind: kindOf(fi.Mode())}
	}
	return f, fi, nil
}

// ReadFile reads the whole regular file at path, which must hold at most limit bytes:
// a larger one is refused with an error wrapping [ErrTooLarge] before anything is read,
// and no more than limit+1 bytes are ever read, even from a file that grows meanwhile.
// Anything but a regular file is refused as [OpenFile] refuses it.
func ReadFile(path string, limit int64) ([]byte, error) {
	f, fi, err := OpenFile(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi.Size() > limit {
		return nil, fmt.Errorf("%s is %d bytes, more than the %d allowed: %w", path, fi.Size(), limit, ErrTooLarge)
	}
	var buf bytes.Buffer
	buf.Grow(int(fi.Size()) + bytes.MinRead)
	if _, err := buf.ReadFrom(io.LimitReader(f, limit+1)); err != nil {
		return nil, err
	}
	if int64(buf.Len()) > limit {
		return nil, fmt.Errorf("%s grew past the %d bytes allowed as it was read: %w", path, limit, ErrTooLarge)
	}
	return buf.Bytes(), nil
}
