package chat

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// goldenFile holds renders made independently of this package, by Python Jinja2 set
// up as transformers sets it up and by @huggingface/jinja: see testdata/golden/README.md.
type goldenFile struct {
	Templates map[string]string
	Cases     []goldenCase
}

type goldenCase struct {
	Name                string
	Template            string
	Messages            []Message
	AddGenerationPrompt bool   `json:"add_generation_prompt"`
	BOSToken            string `json:"bos_token"`
	EOSToken            string `json:"eos_token"`
	Tools               []json.RawMessage
	Extra               map[string]json.RawMessage
	Rendered            *string
	Error               *string
	HFRendered          *string `json:"hf_rendered"`
	EnginesAgree        bool    `json:"engines_agree"`
}

func loadGolden(t *testing.T) goldenFile {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g goldenFile
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	g.Templates["deepseek-v3"] = DeepSeekV3
	for _, name := range []string{"deepseek-r1", "deepseek-r1-distill"} {
		src, err := os.ReadFile(filepath.Join("testdata", name+".jinja"))
		if err != nil {
			t.Fatal(err)
		}
		g.Templates[name] = string(src)
	}
	return g
}

func TestGolden(t *testing.T) {
	g := loadGolden(t)
	if len(g.Cases) < 40 {
		t.Fatalf("golden.json has %d cases", len(g.Cases))
	}
	parsed := make(map[string]*Template)
	for name, src := range g.Templates {
		tp, err := Parse(src)
		if err != nil {
			t.Fatalf("template %s: %v", name, err)
		}
		parsed[name] = tp
	}
	for _, c := range g.Cases {
		t.Run(c.Name, func(t *testing.T) {
			tp := parsed[c.Template]
			if tp == nil {
				t.Fatalf("no template %q", c.Template)
			}
			opts := Options{AddGenerationPrompt: c.AddGenerationPrompt, BOSToken: c.BOSToken, EOSToken: c.EOSToken, Tools: c.Tools}
			if len(c.Extra) > 0 {
				opts.Extra = make(map[string]any)
				for k, v := range c.Extra {
					opts.Extra[k] = v
				}
			}
			got, err := tp.Render(c.Messages, opts)
			if c.Error != nil {
				var te *Error
				if !errors.As(err, &te) || !te.Raised || te.Msg != *c.Error {
					t.Fatalf("Render = %q, %v; want the template to raise %q", got, err, *c.Error)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != *c.Rendered {
				t.Errorf("Render mismatch\n got %q\nwant %q", got, *c.Rendered)
			}
			if c.EnginesAgree && (c.HFRendered == nil || *c.HFRendered != got) {
				t.Errorf("golden.json says the engines agree, but @huggingface/jinja gave %v", c.HFRendered)
			}
		})
	}
}
