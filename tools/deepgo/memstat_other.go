//go:build !linux

package main

// memStat is only available on Linux.
func memStat() (anon, file, peak int64, ok bool) { return 0, 0, 0, false }
