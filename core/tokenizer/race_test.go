//go:build race

package tokenizer

// raceEnabled: under the race detector sync.Pool drops a share of what is put in it, so the
// encoder's scratch is made again now and then and allocation counts mean nothing.
const raceEnabled = true
