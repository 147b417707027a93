package main

import "math/rand/v2"

// randomSeed picks a seed for runs that did not ask for one.
func randomSeed() uint64 {
	for {
		if s := rand.Uint64(); s != 0 {
			return s
		}
	}
}
