package safetensors

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// This file splits JSON objects into their members without decoding the
// members' values, which is several times faster than decoding a header of
// many thousand tensors into a map with encoding/json, keeps the members in
// order, and lets callers detect duplicate keys, which encoding/json
// silently drops. Validation is left to encoding/json: splitting only ever
// runs on input that json.Valid accepts.

// member is one member of a JSON object.
type member struct {
	key   string
	value []byte // the raw JSON value
}

// errMember wraps an error about one member of a JSON object, so that
// callers can attribute it to the member's key.
type errMember struct {
	key string
	err error
}

func (e *errMember) Error() string { return e.err.Error() }
func (e *errMember) Unwrap() error { return e.err }

// objectMembers returns the members of data, which must hold exactly one
// JSON object (with optional surrounding whitespace) in valid UTF-8, in
// order. It does not check for duplicate keys. A syntax error inside a
// member's value is an *errMember.
func objectMembers(data []byte) ([]member, error) {
	if !utf8.Valid(data) {
		// encoding/json would silently replace the invalid bytes.
		return nil, errors.New("not valid UTF-8")
	}
	if !json.Valid(data) {
		return nil, describeInvalid(data)
	}
	return splitObject(data)
}

// splitObject returns the members of the valid JSON value data, in order.
func splitObject(data []byte) ([]member, error) {
	i := skipSpace(data, 0)
	if data[i] != '{' {
		return nil, errors.New("not a JSON object")
	}
	var members []member
	i = skipSpace(data, i+1)
	for data[i] != '}' {
		j := endOfString(data, i)
		key, err := decodeString(data[i:j])
		if err != nil {
			return nil, err
		}
		i = skipSpace(data, j) // at ':'
		i = skipSpace(data, i+1)
		j = endOfValue(data, i)
		members = append(members, member{key, data[i:j]})
		i = skipSpace(data, j) // at ',' or '}'
		if data[i] == ',' {
			i = skipSpace(data, i+1)
		}
	}
	return members, nil
}

// skipSpace returns the index of the first non-whitespace byte of data at
// or after i.
func skipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// endOfString returns the index just past the valid JSON string that
// starts at data[i].
func endOfString(data []byte, i int) int {
	for i++; i < len(data); i++ {
		switch data[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return i
}

// endOfValue returns the index just past the valid JSON value that starts
// at data[i].
func endOfValue(data []byte, i int) int {
	switch data[i] {
	case '"':
		return endOfString(data, i)
	case '{', '[':
		depth := 0
		for i < len(data) {
			switch data[i] {
			case '"':
				i = endOfString(data, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	}
	for i < len(data) { // a number, true, false or null
		switch data[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
		i++
	}
	return i
}

// decodeString decodes raw, a valid JSON string.
func decodeString(raw []byte) (string, error) {
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1]), nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", jsonError(err)
	}
	return s, nil
}

// stringValue decodes raw, a valid JSON value, as a string.
func stringValue(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' {
		return "", false
	}
	s, err := decodeString(raw)
	return s, err == nil
}

// intArray decodes raw, a valid JSON value, as an array of integers.
func intArray(raw []byte) ([]int64, error) {
	if raw[0] != '[' {
		return nil, errors.New("not an array of integers")
	}
	v := []int64{}
	i := skipSpace(raw, 1)
	for raw[i] != ']' {
		j := endOfValue(raw, i)
		// ParseInt accepts exactly the JSON integer literals that fit an
		// int64 (a valid JSON number has no '+' sign or leading zero).
		n, err := strconv.ParseInt(string(raw[i:j]), 10, 64)
		if err != nil {
			if errors.Is(err, strconv.ErrRange) {
				return nil, fmt.Errorf("integer %s out of range", raw[i:j])
			}
			return nil, errors.New("not an array of integers")
		}
		v = append(v, n)
		i = skipSpace(raw, j)
		if raw[i] == ',' {
			i = skipSpace(raw, i+1)
		}
	}
	return v, nil
}

// describeInvalid returns an error describing why data is not valid JSON,
// as an *errMember if the error lies within the value of a member of a
// top-level object.
func describeInvalid(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return jsonError(err)
	}
	if d, ok := tok.(json.Delim); ok && d == '{' {
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return jsonError(err)
			}
			key, _ := tok.(string)
			var value json.RawMessage
			if err := dec.Decode(&value); err != nil {
				return &errMember{key, jsonError(err)}
			}
		}
	}
	// The error lies after the first value: let json.Unmarshal find it.
	if err := json.Unmarshal(data, new(json.RawMessage)); err != nil {
		return jsonError(err)
	}
	return errors.New("invalid JSON") // unreachable: data is not valid
}

// jsonError makes a decoding error self-explanatory.
func jsonError(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return fmt.Errorf("invalid JSON: unexpected end of JSON input: %w", io.ErrUnexpectedEOF)
	}
	return fmt.Errorf("invalid JSON: %w", err)
}

// isNull reports whether a raw JSON value is null.
func isNull(v []byte) bool {
	return string(bytes.TrimSpace(v)) == "null"
}
