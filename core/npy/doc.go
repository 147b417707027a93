// Package npy reads and writes NumPy .npy files of little-endian float32 arrays in C
// order, the exchange format of `deepgo eval` and the reference fixtures: it writes format
// version 1.0 and reads versions 1.0 to 3.0. ReadFile reads a file whole, under
// MaxFileSize (core/mmap.ReadFile). WriteHeader and ReadHeader write and read the header
// alone, of any dtype, for arrays streamed by the caller (deepgo perplexity's logits files).
//
//	npy.go  WriteFloat32, WriteFile, ReadFile, Parse; WriteHeader, ReadHeader
package npy
