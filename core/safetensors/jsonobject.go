package safetensors

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// errMember wraps an error about one member of a JSON object, so that
// callers can attribute it to the member's key.
type errMember struct {
	key string
	err error
}

func (e *errMember) Error() string { return e.err.Error() }
func (e *errMember) Unwrap() error { return e.err }

// decodeObject decodes data, which must hold exactly one JSON object, and
// calls fn with each member's key and raw value in order. Unlike
// json.Unmarshal it rejects duplicate keys. Errors about a member's value,
// including those returned by fn, are *errMember.
func decodeObject(data []byte, fn func(key string, value json.RawMessage) error) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return jsonError(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return errors.New("not a JSON object")
	}
	seen := make(map[string]struct{})
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return jsonError(err)
		}
		key, ok := tok.(string)
		if !ok { // unreachable: the decoder only yields string keys
			return fmt.Errorf("unexpected JSON token %v", tok)
		}
		if _, dup := seen[key]; dup {
			return &errMember{key, errors.New("duplicate name")}
		}
		seen[key] = struct{}{}
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return &errMember{key, jsonError(err)}
		}
		if err := fn(key, value); err != nil {
			return &errMember{key, err}
		}
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return jsonError(err)
	}
	if tok, err := dec.Token(); err != io.EOF {
		if err != nil {
			return jsonError(err)
		}
		return fmt.Errorf("invalid JSON: unexpected %v after the object", tok)
	}
	return nil
}

// jsonError makes a decoding error self-explanatory.
func jsonError(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return fmt.Errorf("invalid JSON: unexpected end of input: %w", io.ErrUnexpectedEOF)
	}
	return fmt.Errorf("invalid JSON: %w", err)
}

// isNull reports whether a raw JSON value is null.
func isNull(v json.RawMessage) bool {
	return string(bytes.TrimSpace(v)) == "null"
}
