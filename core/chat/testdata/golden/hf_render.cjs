// Renders the cases make_golden.py writes to stdin with @huggingface/jinja and
// prints one result per case: {"rendered": "..."} or {"error": "..."}.
// Run by make_golden.py; HF_JINJA names the package (default "@huggingface/jinja").
const { Template } = require(process.env.HF_JINJA || "@huggingface/jinja");

let input = "";
process.stdin.on("data", (d) => (input += d));
process.stdin.on("end", () => {
  const { templates, cases } = JSON.parse(input);
  const out = cases.map((c) => {
    const vars = {
      messages: c.messages,
      add_generation_prompt: c.add_generation_prompt,
      bos_token: c.bos_token,
      eos_token: c.eos_token,
      tools: c.tools === undefined ? null : c.tools,
      ...(c.extra || {}),
    };
    try {
      return { rendered: new Template(templates[c.template]).render(vars) };
    } catch (e) {
      return { error: String(e.message) };
    }
  });
  process.stdout.write(JSON.stringify(out));
});
