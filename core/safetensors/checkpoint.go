package safetensors

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/deepgo/deepgo/core/mmap"
)

// File names of a Hugging Face checkpoint directory.
const (
	// IndexFileName names the index of a sharded checkpoint.
	IndexFileName = "model.safetensors.index.json"
	// SingleFileName names the file of an unsharded checkpoint.
	SingleFileName = "model.safetensors"
)

// MaxIndexSize is the largest [IndexFileName] accepted, in bytes; it is read
// whole. DeepSeek-V3's, which names about 92,000 tensors (FP8 scales included),
// is under 10 MB.
const MaxIndexSize = 256 << 20

// Checkpoint is the set of safetensors files of a Hugging Face checkpoint
// directory, seen as one collection of uniquely named tensors.
//
// Its methods may be called concurrently, except [Checkpoint.Close], which
// must not run concurrently with any other use of the Checkpoint or of the
// data of its tensors.
type Checkpoint struct {
	dir    string
	files  []*File          // sorted by path
	owner  map[string]*File // tensor name -> file holding it
	names  []string         // sorted
	closed bool
}

// OpenDir opens the checkpoint in directory dir:
//
//   - if dir has a [IndexFileName], the shards its "weight_map" names; the
//     checkpoint's tensors are exactly those of the weight map, each of
//     which must be in the shard the map names (other tensors of the
//     shards are ignored);
//   - otherwise, if dir has a [SingleFileName], that file;
//   - otherwise every "*.safetensors" file in dir, except hidden files (whose
//     names begin with "."); a tensor name in more than one file is an
//     error.
func OpenDir(dir string) (*Checkpoint, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("safetensors: %s is not a directory", dir)
	}
	c := &Checkpoint{dir: dir, owner: make(map[string]*File)}
	if err := c.open(); err != nil {
		c.Close()
		return nil, err
	}
	c.names = make([]string, 0, len(c.owner))
	for name := range c.owner {
		c.names = append(c.names, name)
	}
	slices.Sort(c.names)
	return c, nil
}

// open opens the files of c.dir.
func (c *Checkpoint) open() error {
	index := filepath.Join(c.dir, IndexFileName)
	switch ok, err := isFile(index); {
	case err != nil:
		return err
	case ok:
		return c.openIndex(index)
	}
	single := filepath.Join(c.dir, SingleFileName)
	switch ok, err := isFile(single); {
	case err != nil:
		return err
	case ok:
		return c.openFiles([]string{single})
	}
	entries, err := os.ReadDir(c.dir)
	if err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	var paths []string
	for _, e := range entries {
		name := e.Name()
		if strings.HasSuffix(name, ".safetensors") && !strings.HasPrefix(name, ".") && !e.IsDir() {
			paths = append(paths, filepath.Join(c.dir, name))
		}
	}
	if len(paths) == 0 {
		return fmt.Errorf("safetensors: no %s, %s or *.safetensors file in %s", IndexFileName, SingleFileName, c.dir)
	}
	return c.openFiles(paths) // os.ReadDir sorts by name
}

// isFile reports whether path exists, failing if it exists but is not a
// regular file (a directory, a named pipe, a device) or cannot be examined.
func isFile(path string) (bool, error) {
	_, err := mmap.CheckPath(path, false)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("safetensors: %w", err)
	}
	return true, nil
}

// openFiles opens the files at paths, all of whose tensors make up the
// checkpoint.
func (c *Checkpoint) openFiles(paths []string) error {
	for _, p := range paths {
		f, err := Open(p)
		if err != nil {
			return err
		}
		c.files = append(c.files, f)
		for _, t := range f.Header().Tensors {
			if prev, dup := c.owner[t.Name]; dup {
				return fmt.Errorf("safetensors: tensor %q is in both %s and %s", t.Name, prev.Path(), p)
			}
			c.owner[t.Name] = f
		}
	}
	return nil
}

// openIndex opens the shards named by the index file at path.
func (c *Checkpoint) openIndex(path string) error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("safetensors: %s: "+format, append([]any{path}, args...)...)
	}
	b, err := mmap.ReadFile(path, MaxIndexSize)
	if err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	var idx struct {
		WeightMap json.RawMessage `json:"weight_map"`
	}
	if err := json.Unmarshal(b, &idx); err != nil {
		return fail("invalid JSON: %w", err)
	}
	if idx.WeightMap == nil || isNull(idx.WeightMap) {
		return fail("missing weight_map")
	}
	members, err := objectMembers(idx.WeightMap)
	var shardOf map[string]string // tensor -> shard
	if err == nil {
		shardOf, err = parseWeightMap(members)
	}
	if m, ok := err.(*errMember); ok {
		return fail("weight_map: tensor %q: %w", m.key, m.err)
	} else if err != nil {
		return fail("weight_map: %w", err)
	}
	if len(shardOf) == 0 {
		return fail("weight_map is empty")
	}

	shardSet := make(map[string]struct{})
	for _, s := range shardOf {
		shardSet[s] = struct{}{}
	}
	shards := make([]string, 0, len(shardSet))
	for s := range shardSet {
		shards = append(shards, s)
	}
	slices.Sort(shards)
	files := make(map[string]*File, len(shards))
	for _, s := range shards {
		p := filepath.Join(c.dir, filepath.FromSlash(s))
		switch ok, err := isFile(p); {
		case err != nil:
			return fail("shard %q: %w", s, err)
		case !ok:
			return fail("missing shard %q: %w", s, fs.ErrNotExist)
		}
		f, err := Open(p)
		if err != nil {
			return err
		}
		c.files = append(c.files, f)
		files[s] = f
	}
	for _, m := range members { // in order, to report the first error
		s := shardOf[m.key]
		f := files[s]
		if _, ok := f.index[m.key]; !ok {
			return fail("tensor %q not found in shard %q", m.key, s)
		}
		c.owner[m.key] = f
	}
	return nil
}

// parseWeightMap decodes the members of an index's weight_map into a map
// from tensor name to shard file name. Errors are *errMember.
func parseWeightMap(members []member) (map[string]string, error) {
	shardOf := make(map[string]string, len(members))
	for _, m := range members {
		if _, dup := shardOf[m.key]; dup {
			return nil, &errMember{m.key, errors.New("duplicate name")}
		}
		shard, ok := stringValue(m.value)
		if !ok {
			return nil, &errMember{m.key, errors.New("shard is not a string")}
		}
		if !filepath.IsLocal(filepath.FromSlash(shard)) {
			return nil, &errMember{m.key, fmt.Errorf("shard %q is not a file name inside the directory", shard)}
		}
		shardOf[m.key] = shard
	}
	return shardOf, nil
}

// Dir returns the checkpoint's directory.
func (c *Checkpoint) Dir() string { return c.dir }

// Tensor returns the tensor called name, whose Data is a view into the
// mapping of its file.
func (c *Checkpoint) Tensor(name string) (Tensor, error) {
	if c.closed {
		return Tensor{}, fmt.Errorf("safetensors: checkpoint %s is closed", c.dir)
	}
	if f, ok := c.owner[name]; ok {
		if t, ok := f.Tensor(name); ok {
			return t, nil
		}
	}
	return Tensor{}, fmt.Errorf("safetensors: tensor %q not found in %s", name, c.dir)
}

// Has reports whether the checkpoint has a tensor called name.
func (c *Checkpoint) Has(name string) bool {
	_, ok := c.owner[name]
	return ok && !c.closed
}

// Names returns the names of the checkpoint's tensors, sorted.
func (c *Checkpoint) Names() []string { return slices.Clone(c.names) }

// Files returns the checkpoint's files, sorted by path. They belong to the
// checkpoint and must not be closed by the caller.
func (c *Checkpoint) Files() []*File { return slices.Clone(c.files) }

// Load reads every file of the checkpoint into memory of the process's own (mmap.Load):
// the tensors' data from then on are views into the copies, not into the mappings. Views
// taken before stay valid until Close. On an error (a file that changed length since it
// was opened) no file is switched. A closed or already loaded checkpoint is left as it is.
func (c *Checkpoint) Load() error {
	if c.closed {
		return nil
	}
	copies := make([]*mmap.Map, len(c.files))
	for i, f := range c.files {
		if f.copy != nil || f.closed {
			continue
		}
		m, err := f.load()
		if err != nil {
			for _, m := range copies {
				if m != nil {
					m.Close()
				}
			}
			return err
		}
		copies[i] = m
	}
	for i, m := range copies {
		if m != nil {
			c.files[i].use(m)
		}
	}
	return nil
}

// Close closes all the checkpoint's files. It is idempotent.
func (c *Checkpoint) Close() error {
	if c.closed {
		return nil
	}
	c.closed = true
	c.names = nil
	var errs []error
	for _, f := range c.files {
		errs = append(errs, f.Close())
	}
	return errors.Join(errs...)
}
