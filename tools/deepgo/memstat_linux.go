package main

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

// memStat reads the process's resident memory from /proc/self/status, in KiB:
// anonymous (heap, stacks) and file-backed (mapped model pages), and the peak.
func memStat() (anon, file, peak int64, ok bool) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, 0, 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, found := strings.Cut(sc.Text(), ":")
		if !found {
			continue
		}
		n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "RssAnon":
			anon = n
		case "RssFile":
			file = n
		case "VmHWM":
			peak = n
		}
	}
	return anon, file, peak, true
}
