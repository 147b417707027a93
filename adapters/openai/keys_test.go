package openai

import (
	"strconv"
	"strings"
	"testing"
)

func TestParseKeys(t *testing.T) {
	type key struct {
		key      string
		rpm, tpm int
	}
	tests := []struct {
		name, in string
		want     []key
		err      string // a substring of the error; "" = no error
	}{
		{name: "one", in: "sk-one\n", want: []key{{"sk-one", 0, 0}}},
		{name: "no trailing newline", in: "sk-one", want: []key{{"sk-one", 0, 0}}},
		{name: "comments and blanks", in: "# the keys\n\n   \nsk-a rpm=10\n  # indented comment\nsk-b tpm=2000 rpm=5\n\t\n",
			want: []key{{"sk-a", 10, 0}, {"sk-b", 5, 2000}}},
		{name: "comment with a comma", in: "# old key, revoked\nsk-live\n", want: []key{{"sk-live", 0, 0}}},
		{name: "comment with comma and options", in: "# keys for A, B rpm=1\nsk-live\n", want: []key{{"sk-live", 0, 0}}},
		{name: "env form", in: "k1 rpm=10,k2, k3 tpm=7 ,", want: []key{{"k1", 10, 0}, {"k2", 0, 0}, {"k3", 0, 7}}},
		{name: "crlf", in: "k1 rpm=3\r\nk2\r\n", want: []key{{"k1", 3, 0}, {"k2", 0, 0}}},
		{name: "zero limits", in: "k rpm=0 tpm=0", want: []key{{"k", 0, 0}}},
		{name: "empty", in: "", err: "test.keys: no API keys"},
		{name: "only comments", in: "# a\n#b\n\n", err: "no API keys"},
		{name: "bad option", in: "k1\nk2 rpm10\n", err: `test.keys:2: "rpm10"`},
		{name: "unknown option", in: "k1\n\nk3 burst=5", err: `test.keys:3: "burst=5"`},
		{name: "negative", in: "k rpm=-1", err: `test.keys:1: "rpm=-1"`},
		{name: "not a number", in: "k tpm=lots", err: "want rpm=N or tpm=N"},
		{name: "trailing comment", in: "k # mine", err: `test.keys:1: "#"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ks, err := ParseKeys(strings.NewReader(tc.in), "test.keys")
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v; want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ks.Len() != len(tc.want) {
				t.Fatalf("%d keys; want %d", ks.Len(), len(tc.want))
			}
			for i, w := range tc.want {
				k, ok := ks.lookup(w.key)
				if !ok {
					t.Fatalf("key %q not found", w.key)
				}
				if k != &ks.keys[i] || k.RPM != w.rpm || k.TPM != w.tpm {
					t.Errorf("key %q: %+v; want rpm %d tpm %d at %d", w.key, *k, w.rpm, w.tpm, i)
				}
				if strings.Contains(k.Name, w.key) && len(w.key) > 6 {
					t.Errorf("key name %q shows the whole key", k.Name)
				}
			}
		})
	}
}

func TestKeysLookup(t *testing.T) {
	ks, err := ParseKeys(strings.NewReader("sk-abcdefgh rpm=1\nsk-other\n"), "k")
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", "sk-abcdefg", "sk-abcdefghi", "SK-ABCDEFGH", " sk-abcdefgh", "rpm=1"} {
		t.Run(strconv.Quote(bad), func(t *testing.T) {
			if _, ok := ks.lookup(bad); ok {
				t.Errorf("lookup(%q) found a key", bad)
			}
		})
	}
	k, ok := ks.lookup("sk-abcdefgh")
	if !ok || k.RPM != 1 || k.Name != "sk-abc…" {
		t.Errorf("lookup: %+v %v", k, ok)
	}
	if keyName("short") != "…" {
		t.Errorf("keyName(short) = %q", keyName("short"))
	}
}

func TestBearer(t *testing.T) {
	tests := []struct {
		h, tok string
		ok     bool
	}{
		{"Bearer sk-1", "sk-1", true},
		{"bearer sk-1", "sk-1", true},
		{"BEARER sk-1", "sk-1", true},
		{"BeArEr   sk-1  ", "sk-1", true},
		{"Bearer ", "", true},
		{"Bearer", "", false},
		{"Basic dXNlcjpwYXNz", "", false},
		{"sk-1", "", false},
		{"", "", false},
		{"Bearersk-1", "", false},
	}
	for _, tc := range tests {
		t.Run(strconv.Quote(tc.h), func(t *testing.T) {
			tok, ok := bearer(tc.h)
			if tok != tc.tok || ok != tc.ok {
				t.Errorf("bearer(%q) = %q, %v; want %q, %v", tc.h, tok, ok, tc.tok, tc.ok)
			}
		})
	}
}
