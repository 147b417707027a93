package mmap

// Map is a read-only mapping of a whole file.
//
// A Map's methods may be called concurrently, except [Map.Close], which must
// not run concurrently with any other use of the Map or of its data.
type Map struct {
	path   string
	data   []byte
	mapped bool   // data is an mmap(2) region that must be unmapped
	region []byte // Load: the anonymous region that holds data, unmapped by Close
	loaded bool   // Load: data is the process's own copy, not a mapping of the file
}

// Data returns the contents of the file. The slice must not be modified and
// must not be used after [Map.Close]. It is empty for an empty file and after
// Close.
func (m *Map) Data() []byte { return m.data }

// Path returns the path the Map was opened with.
func (m *Map) Path() string { return m.path }

// Loaded reports whether the Map is a copy [Load] made rather than a mapping of the file.
func (m *Map) Loaded() bool { return m.loaded }

// Len returns the length of the mapped file in bytes (0 after Close).
func (m *Map) Len() int { return len(m.data) }

// Close releases the mapping. It is idempotent: calling it more than once
// returns nil after the first call.
func (m *Map) Close() error {
	if m == nil || m.data == nil {
		return nil
	}
	data, mapped, region := m.data, m.mapped, m.region
	m.data, m.mapped, m.region = nil, false, nil
	if region != nil {
		return unmap(m.path, region)
	}
	if !mapped {
		return nil
	}
	return unmap(m.path, data)
}
