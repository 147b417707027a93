package grammar

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// MaxSchema bounds the length of a JSON Schema text the compiler reads.
const MaxSchema = 256 << 10

// jsonValue is a parsed JSON value that keeps the order of object members: a string,
// json.Number, bool, nil, []jsonValue or *jsonObject.
type jsonValue any

// jsonObject is a JSON object, its members in order.
type jsonObject struct {
	keys []string
	vals []jsonValue
}

// get returns the value of member k.
func (o *jsonObject) get(k string) (jsonValue, bool) {
	for i, key := range o.keys {
		if key == k {
			return o.vals[i], true
		}
	}
	return nil, false
}

// parseJSON reads one JSON value, keeping member order; a member named twice is an error.
func parseJSON(data []byte) (jsonValue, error) {
	if len(data) > MaxSchema {
		return nil, fmt.Errorf("%d bytes long: at most %d are allowed", len(data), MaxSchema)
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	v, err := readJSON(d, 0)
	if err != nil {
		return nil, err
	}
	if _, err := d.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("text after the JSON value")
	}
	return v, nil
}

func readJSON(d *json.Decoder, depth int) (jsonValue, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("nested more than %d deep", maxDepth)
	}
	t, err := d.Token()
	if err != nil {
		return nil, err
	}
	switch t := t.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := &jsonObject{}
			for d.More() {
				k, err := d.Token()
				if err != nil {
					return nil, err
				}
				key := k.(string)
				if _, dup := o.get(key); dup {
					return nil, fmt.Errorf("member %q is given twice", key)
				}
				v, err := readJSON(d, depth+1)
				if err != nil {
					return nil, err
				}
				o.keys, o.vals = append(o.keys, key), append(o.vals, v)
			}
			_, err := d.Token()
			return o, err
		case '[':
			a := []jsonValue{}
			for d.More() {
				v, err := readJSON(d, depth+1)
				if err != nil {
					return nil, err
				}
				a = append(a, v)
			}
			_, err := d.Token()
			return a, err
		}
		return nil, fmt.Errorf("unexpected %v", t)
	default:
		return t, nil
	}
}

// writeJSON appends the compact JSON text of v.
func writeJSON(b *strings.Builder, v jsonValue) {
	switch v := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		fmt.Fprint(b, v)
	case json.Number:
		b.WriteString(v.String())
	case string:
		writeJSONString(b, v)
	case []jsonValue:
		b.WriteByte('[')
		for i, x := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSON(b, x)
		}
		b.WriteByte(']')
	case *jsonObject:
		b.WriteByte('{')
		for i, k := range v.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONString(b, k)
			b.WriteByte(':')
			writeJSON(b, v.vals[i])
		}
		b.WriteByte('}')
	}
}

// writeJSONString appends s as a JSON string, without HTML escapes.
func writeJSONString(b *strings.Builder, s string) {
	var buf bytes.Buffer
	e := json.NewEncoder(&buf)
	e.SetEscapeHTML(false)
	_ = e.Encode(s) // a string always encodes
	b.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}
