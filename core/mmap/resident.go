package mmap

import (
	"errors"
	"os"
	"strconv"
	"strings"
)

// ResidentFileBytes is the process's resident memory of file mappings in bytes: RssFile
// plus RssShmem (files on tmpfs) from /proc/self/status (Linux 4.5 and later). Elsewhere it
// returns an error.
func ResidentFileBytes() (int64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	var n int64
	found := false
	for line := range strings.Lines(string(b)) {
		name, v, ok := strings.Cut(line, ":")
		if !ok || name != "RssFile" && name != "RssShmem" {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
		if err != nil {
			return 0, errors.New("/proc/self/status: " + name + ": " + err.Error())
		}
		n += kb << 10
		found = true
	}
	if !found {
		return 0, errors.New("/proc/self/status has no RssFile")
	}
	return n, nil
}
