package safetensors

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestParseHeader(t *testing.T) {
	tests := []struct {
		name     string
		header   string
		dataLen  int64
		tensors  []TensorInfo
		metadata map[string]string
	}{
		{
			name:     "empty",
			header:   `{}`,
			metadata: map[string]string{},
		},
		{
			name:     "metadata only, padded",
			header:   `{"__metadata__":{"format":"pt","x":""}}      `,
			metadata: map[string]string{"format": "pt", "x": ""},
		},
		{
			name:     "null metadata",
			header:   `{"__metadata__":null}`,
			metadata: map[string]string{},
		},
		{
			name:    "sorted by offset",
			header:  `{"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"BF16","shape":[2,2],"data_offsets":[8,16]}}`,
			dataLen: 16,
			tensors: []TensorInfo{
				{Name: "b", DType: F32, Shape: []int{2}, Begin: 0, End: 8},
				{Name: "a", DType: BF16, Shape: []int{2, 2}, Begin: 8, End: 16},
			},
			metadata: map[string]string{},
		},
		{
			name: "scalar, empty tensors, gaps and unknown fields",
			header: ` {"s":{"dtype":"I64","shape":[],"data_offsets":[8,16],"extra":[1,{"y":2}]},` +
				`"e2":{"dtype":"U8","shape":[0,5],"data_offsets":[12,12]},` +
				`"e1":{"dtype":"F8_E4M3","shape":[3,0],"data_offsets":[0,0]},` +
				`"big0":{"dtype":"F64","shape":[2147483647,2147483647,2147483647,0],"data_offsets":[20,20]},` +
				`"__metadata__":{"k":"v"}} `,
			dataLen: 32,
			tensors: []TensorInfo{
				{Name: "e1", DType: F8E4M3, Shape: []int{3, 0}, Begin: 0, End: 0},
				{Name: "s", DType: I64, Shape: []int{}, Begin: 8, End: 16},
				{Name: "e2", DType: U8, Shape: []int{0, 5}, Begin: 12, End: 12},
				{Name: "big0", DType: F64, Shape: []int{math.MaxInt32, math.MaxInt32, math.MaxInt32, 0}, Begin: 20, End: 20},
			},
			metadata: map[string]string{"k": "v"},
		},
		{
			name: "escapes, whitespace and nested unknown fields",
			header: "\t{ \"a\\\"b\\u00e9\" : { \"extra\" : {\"x\":\"}]\\\"[,\", \"y\":[[],{}]} ,\n" +
				`"shape" : [ 2 , -0 , 3 ] , "dtype" : "F\u0033\u0032" , "data_offsets" : [ 0 , 0 ] } ,` +
				`"__metadata__" : { "k\n" : "v\"" , "e" : "" } }`,
			tensors:  []TensorInfo{{Name: "a\"bé", DType: F32, Shape: []int{2, 0, 3}, Begin: 0, End: 0}},
			metadata: map[string]string{"k\n": "v\"", "e": ""},
		},
		{
			name:     "unicode names",
			header:   `{"π\u00e9":{"dtype":"BOOL","shape":[1],"data_offsets":[0,1]}}`,
			dataLen:  1,
			tensors:  []TensorInfo{{Name: "πé", DType: Bool, Shape: []int{1}, Begin: 0, End: 1}},
			metadata: map[string]string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := ParseHeader([]byte(tt.header), tt.dataLen)
			if err != nil {
				t.Fatalf("ParseHeader: %v", err)
			}
			if len(h.Tensors) != len(tt.tensors) || (len(tt.tensors) > 0 && !reflect.DeepEqual(h.Tensors, tt.tensors)) {
				t.Errorf("Tensors = %+v, want %+v", h.Tensors, tt.tensors)
			}
			if !reflect.DeepEqual(h.Metadata, tt.metadata) {
				t.Errorf("Metadata = %v, want %v", h.Metadata, tt.metadata)
			}
		})
	}
}

func TestParseHeaderErrors(t *testing.T) {
	const w = `"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}`
	tests := []struct {
		name    string
		header  string
		dataLen int64
		tensor  string // the tensor the error must name, if any
		want    string
	}{
		{"empty input", ``, 16, "", "invalid JSON: unexpected end of JSON input"},
		{"bad JSON", `{"w":{"dtype":"F32",}`, 16, "w", "invalid JSON"},
		{"truncated JSON", `{` + w, 16, "", "invalid JSON: unexpected end of JSON input"},
		{"trailing garbage", `{` + w + `}x`, 16, "", "invalid JSON"},
		{"two objects", `{` + w + `}{}`, 16, "", "after top-level value"},
		{"not an object", `[1,2]`, 16, "", "not a JSON object"},
		{"invalid UTF-8", "{\"\xff\":{}}", 16, "", "not valid UTF-8"},
		{"negative data length", `{}`, -1, "", "negative data section length"},
		{"empty name", `{"":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, 16, "", "empty tensor name"},
		{"entry not an object", `{"w":[1,2]}`, 16, "w", "not a JSON object"},
		{"entry null", `{"w":null}`, 16, "w", "entry is null"},
		{"missing dtype", `{"w":{"shape":[1],"data_offsets":[0,4]}}`, 16, "w", "missing dtype"},
		{"missing shape", `{"w":{"dtype":"F32","data_offsets":[0,4]}}`, 16, "w", "missing shape"},
		{"null shape", `{"w":{"dtype":"F32","shape":null,"data_offsets":[0,4]}}`, 16, "w", "missing shape"},
		{"missing data_offsets", `{"w":{"dtype":"F32","shape":[1]}}`, 16, "w", "missing data_offsets"},
		{"bad JSON in one entry", `{"v":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"w":{"dtype":"F32","shape":[1] "data_offsets":[0,4]}}`, 16, "w", "invalid JSON"},
		{"duplicate field", `{"w":{"dtype":"F32","shape":[1],"dtype":"F32","data_offsets":[0,4]}}`, 16, "w", `duplicate field "dtype"`},
		{"shape not an array", `{"w":{"dtype":"F32","shape":{"0":1},"data_offsets":[0,4]}}`, 16, "w", "invalid shape: not an array of integers"},
		{"exponent dim", `{"w":{"dtype":"F32","shape":[1e0],"data_offsets":[0,4]}}`, 16, "w", "invalid shape: not an array of integers"},
		{"nested shape", `{"w":{"dtype":"F32","shape":[[1]],"data_offsets":[0,4]}}`, 16, "w", "invalid shape: not an array of integers"},
		{"string dim", `{"w":{"dtype":"F32","shape":["1"],"data_offsets":[0,4]}}`, 16, "w", "invalid shape: not an array of integers"},
		{"dtype not a string", `{"w":{"dtype":4,"shape":[1],"data_offsets":[0,4]}}`, 16, "w", "invalid dtype"},
		{"unknown dtype", `{"w":{"dtype":"Q4_K","shape":[1],"data_offsets":[0,4]}}`, 16, "w", `unknown dtype "Q4_K"`},
		{"lower-case dtype", `{"w":{"dtype":"f32","shape":[1],"data_offsets":[0,4]}}`, 16, "w", `unknown dtype "f32"`},
		{"fractional dim", `{"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}`, 16, "w", "invalid shape"},
		{"dim beyond int64", `{"w":{"dtype":"F32","shape":[9223372036854775808],"data_offsets":[0,4]}}`, 16, "w", "invalid shape: integer 9223372036854775808 out of range"},
		{"negative dim", `{"w":{"dtype":"F32","shape":[-1,-4],"data_offsets":[0,16]}}`, 16, "w", "negative dimension -1"},
		{"too many dims", `{"w":{"dtype":"U8","shape":[1,1,1,1,1,1,1,1,1],"data_offsets":[0,1]}}`, 16, "w", "9 dimensions, more than 8"},
		{"element count overflow", `{"w":{"dtype":"U8","shape":[4294967296,4294967296],"data_offsets":[0,0]}}`, 16, "w", "element count overflows"},
		{"byte size overflow", `{"w":{"dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,0]}}`, 16, "w", "byte size overflows"},
		{"shape/size mismatch", `{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,16]}}`, 24, "w", "needs 24 bytes but data_offsets [0, 16] span 16"},
		{"one offset", `{"w":{"dtype":"F32","shape":[1],"data_offsets":[4]}}`, 16, "w", "data_offsets has 1 entries, want 2"},
		{"three offsets", `{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}`, 16, "w", "data_offsets has 3 entries, want 2"},
		{"offsets not numbers", `{"w":{"dtype":"F32","shape":[1],"data_offsets":["0","4"]}}`, 16, "w", "invalid data_offsets"},
		{"negative offset", `{"w":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}`, 16, "w", "negative data_offsets"},
		{"end before begin", `{"w":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}}`, 16, "w", "end before they begin"},
		{"offsets past end", `{` + w + `}`, 15, "w", "past end of data section (15 bytes)"},
		{"overlapping tensors", `{` + w + `,"v":{"dtype":"U8","shape":[2],"data_offsets":[15,17]}}`, 17, "v", `overlap tensor "w" [0, 16]`},
		{"same range", `{` + w + `,"v":{"dtype":"U8","shape":[16],"data_offsets":[0,16]}}`, 16, "w", `overlap tensor "v"`},
		{"duplicate names", `{` + w + `,` + w + `}`, 16, "w", "duplicate name"},
		{"duplicate metadata", `{"__metadata__":{},"__metadata__":{}}`, 16, "", "__metadata__: duplicate name"},
		{"metadata not an object", `{"__metadata__":[]}`, 16, "", "__metadata__: not a JSON object"},
		{"metadata value not a string", `{"__metadata__":{"n":1}}`, 16, "", `__metadata__: key "n": value is not a string`},
		{"metadata null value", `{"__metadata__":{"n":null}}`, 16, "", `__metadata__: key "n": value is not a string`},
		{"duplicate metadata key", `{"__metadata__":{"a":"1","a":"2"}}`, 16, "", `__metadata__: key "a": duplicate name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseHeader([]byte(tt.header), tt.dataLen)
			if err == nil {
				t.Fatalf("ParseHeader succeeded, want error containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error %q is %T, not a *FormatError", err, err)
			}
			if fe.Tensor != tt.tensor {
				t.Errorf("FormatError.Tensor = %q, want %q", fe.Tensor, tt.tensor)
			}
			if tt.tensor != "" && !strings.Contains(err.Error(), `tensor "`+tt.tensor+`"`) {
				t.Errorf("error %q does not name tensor %q", err, tt.tensor)
			}
		})
	}
}

func TestParseHeaderTooLarge(t *testing.T) {
	header := make([]byte, MaxHeaderSize+1)
	_, err := ParseHeader(header, 0)
	if err == nil || !strings.Contains(err.Error(), "more than the limit") {
		t.Fatalf("ParseHeader of %d bytes: error %v, want one containing %q", len(header), err, "more than the limit")
	}
}

func TestFormatError(t *testing.T) {
	inner := errors.New("bad")
	tests := []struct {
		name string
		e    FormatError
		want string
	}{
		{"bare", FormatError{Err: inner}, "safetensors: bad"},
		{"file", FormatError{File: "m.safetensors", Err: inner}, "safetensors: m.safetensors: bad"},
		{"tensor", FormatError{Tensor: "w", Err: inner}, `safetensors: tensor "w": bad`},
		{"file and tensor", FormatError{File: "f", Tensor: "w", Err: inner}, `safetensors: f: tensor "w": bad`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.e.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
			if !errors.Is(&tt.e, inner) {
				t.Errorf("%q does not wrap its Err", tt.e.Error())
			}
		})
	}
}
