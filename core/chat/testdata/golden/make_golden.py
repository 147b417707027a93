#!/usr/bin/env python3
"""Writes ../golden.json: chat template renders made independently of package chat.

Each case is rendered by two engines:
  - Python Jinja2 set up as Hugging Face transformers' apply_chat_template sets it up
    (ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks, loopcontrols, its
    tojson and raise_exception): "rendered" or "error";
  - @huggingface/jinja (the engine of the fixture renders), through hf_render.cjs:
    "hf_rendered" or "hf_error".
Package chat is tested against the first; "engines_agree" says whether the second
gave the same text.

Usage (see README.md): python3 make_golden.py  (needs jinja2, node and the npm package
@huggingface/jinja@0.5.11; HF_JINJA may name its directory).
"""
import json
import os
import subprocess
import sys

import jinja2
import jinja2.ext
from jinja2.sandbox import ImmutableSandboxedEnvironment

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(HERE, "..", "..", "..", "..", "..", "shared", "fixtures", "tokenizer", "deepseek-v3", "tokenizer_config.json")

BOS = "<｜begin▁of▁sentence｜>"
EOS = "<｜end▁of▁sentence｜>"


def u(c):
    return {"role": "user", "content": c}


def a(c):
    return {"role": "assistant", "content": c}


def s(c):
    return {"role": "system", "content": c}


def t(c, call_id=None):
    m = {"role": "tool", "content": c}
    if call_id:
        m["tool_call_id"] = call_id
    return m


def call(name, args, call_id=None):
    c = {}
    if call_id:
        c["id"] = call_id
    c["type"] = "function"
    c["function"] = {"name": name, "arguments": args}
    return c


def calls(*cs, content=None):
    return {"role": "assistant", "content": content, "tool_calls": list(cs)}


WEATHER = call("get_weather", '{"city": "Paris"}', "call_1")
TIME = call("get_time", '{"tz": "Europe/Paris"}', "call_2")
NEWS = call("get_news", "{}", "call_3")

TOOLS = [
    {"type": "function", "function": {"name": "get_weather", "description": "Weather for a city — «now»",
                                      "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}},
    {"type": "function", "function": {"name": "get_time", "description": "Time in a zone",
                                      "parameters": {"type": "object", "properties": {"tz": {"type": "string", "enum": ["UTC", "Europe/Paris"]}, "precise": {"type": "boolean", "default": False}, "digits": {"type": "integer", "minimum": 0, "maximum": 9.5}}}}},
]

# Templates written for this file to exercise Jinja features one at a time.
FEATURES = {
    "features-loop": """{%- for m in messages -%}
{{ loop.index }}/{{ loop.length }} {{ loop.index0 }} {{ loop.revindex }} {{ loop.revindex0 }}{% if loop.first %} first{% endif %}{% if loop.last %} last{% endif %}: {{ m.role }}
{% endfor -%}
{% for m in messages if m.role == 'user' %}
  - {{ m['content'] | trim }}{{ ',' if not loop.last }}
{% else %}
  no users
{% endfor %}
{% for i in range(10) %}{% if i % 2 == 1 %}{% continue %}{% endif %}{% if i > 6 %}{% break %}{% endif %}{{ i }},{% endfor %}
{% for k, v in [['a', 1], ['b', 2]] %}{{ k }}={{ v }};{% endfor %}
{% for i in range(2, 11, 3) %}{{ i }} {% endfor %}{% for i in range(3, 0, -1) %}{{ i }} {% endfor %}
{% for x in [] %}never{% endfor %}done""",
    "features-expr": """{%- set s = messages[1].content -%}
{{ s | length }} [{{ s[:5] }}] [{{ s[-3:] }}] [{{ s[::-1] }}] [{{ s[1] }}] [{{ s[2:8:2] }}] [{{ s[-1:-4:-1] }}]
{{ s.split(' ') | length }} {{ s.split(' ')[0] }} {{ s.split(' ', 1)[1] }} {{ s.upper() }} {{ s.lower() }} {{ s.replace('l', 'L') }}
{{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ 2 ** 8 }} {{ 7 / 2 }} {{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 10 - 2 - 3 }} {{ 1.5 * 2 }} {{ -(3) }}
{{ 'a' ~ 1 ~ 'b' ~ 2.5 }} {{ 'x' + 'y' }} {{ [1, 2] + [3] }}
{% if 'ell' in s and not ('zzz' in s) and 'q' not in s %}in {% endif %}{% if 2 in [1, 2] %}list-in {% endif %}{% if 'role' in messages[0] %}key-in {% endif %}
{% if s is string and messages is not string and messages[0] is mapping and 3 is number and 3 is integer %}types {% endif %}
{% if missing is not defined and missing is undefined and messages[0].nothing is not defined and messages[0]['content'] is not none %}undef {% endif %}
{{ 'many' if messages | length > 1 else 'one' }} {{ 'a' if 0 else 'b' }} {{ 'x' if '' }}|
{% if s.startswith('Hel') and s.endswith('!') and not s.startswith('x') and s.startswith(('x', 'H')) %}affixes {% endif %}
{% if 1 < 2 and 2 <= 2 and 3 > 2 and 3 >= 3 and 1 != 2 and 1.5 < 2 and not none %}cmp {% endif %}
{% if (true or false) and not (true and false) and (none or 'x') == 'x' and (0 and 1) == 0 %}logic {% endif %}
{{ "it's" }} {{ 'say "hi"' }} {{ 'tab\\there' }} {{ 'uni\\u00e9' }} {{ 'new\\nline' }}""",
    "features-ns": """{%- set ns = namespace(count=0, names='', last=none) -%}
{%- set outer = 'outer' -%}
{%- for m in messages -%}
  {%- set outer = 'inner' -%}
  {%- set ns.count = ns.count + 1 -%}
  {%- set ns.names = ns.names ~ m.role[0] -%}
  {%- if m.role == 'user' %}{% set ns.last = m.content %}{% endif -%}
{%- endfor -%}
{{ ns.count }} {{ ns.names }} {{ outer }} {{ ns.last }}
{%- set a, b = 'A', 'B' %} {{ a }}{{ b }}
{%- set block -%}
  inside {{ ns.count }}
{%- endset %} [{{ block }}]
{%- if true %}{% set scoped = 'if-sets-outer' %}{% endif %} {{ scoped }}""",
    "features-json": """{%- if tools -%}
{{ tools | tojson }}
{{ tools[0] | tojson(indent=2) }}
{%- for t in tools %}
{{ t.function.name }}: {{ t.function.parameters | tojson }} {{ t['function']['parameters']['properties'] | length }}
{%- endfor %}
{%- else -%}
no tools
{%- endif %}
{{ messages | tojson }}
{{ {'b': 1, 'a': [true, false, none, 1.5, 'é"\\\\']} | tojson }}
{{ {'b': 1, 'a': 2} | tojson(sort_keys=true) }} {{ 'é' | tojson(ensure_ascii=true) }}""",
    "features-ws": """<start>
{% for m in messages %}
    {% if m.role == 'user' %}
    U: {{ m.content }}
    {% else %}
    A: {{ m.content }}
    {% endif %}
{% endfor %}
{#- a comment -#}
  {{- ' tight ' -}}
  end {# trailing comment #}
{% if true %}  kept-indent
{% endif %}
  {%- if true -%}
    [stripped]
  {%- endif %}
x {{ 'y' }} z
""",
    "features-macro": """{% macro fmt(m, prefix='>') -%}
{{ prefix }}{{ m.role | upper }}: {{ m.content }}
{%- endmacro %}
{% macro twice(x) %}{{ x }}{{ x }}{% endmacro %}
{% for m in messages %}{{ fmt(m) }}|{{ fmt(m, prefix='#') }}|{{ twice(loop.index) }}
{% endfor %}""",
    "features-filters": """{{ messages | map(attribute='role') | join(',') }}
{{ messages | selectattr('role', 'equalto', 'user') | list | length }} {{ messages | rejectattr('role', 'equalto', 'user') | map(attribute='role') | join('+') }}
{{ (messages | first).role }} {{ (messages | last).content }} {{ messages | length }}
{{ missing | default('dflt') }} {{ '' | default('empty', true) }} {{ messages[0].content | default('x') }}
{{ [3, 1, 2] | sort | join('-') }} {{ [3, 1, 2] | sort(reverse=true) | join('-') }} {{ [1, 2, 3] | reverse | join }} {{ [1, 2, 2, 3] | unique | join }}
{{ '  x  ' | trim }}|{{ 'abc' | upper }}|{{ 'ABC' | lower }}|{{ 12 | string }}{{ 3.5 | string }}|{{ ['a', 'b'] | join }}|{{ 'hello world' | title }}
{{ '42' | int + 1 }} {{ '2.5' | float * 2 }} {{ 'x' | int }} {{ -3 | abs }}
{% for k, v in messages[0] | items %}{{ k }},{% endfor %} {% for k, v in {'b': 2, 'a': 1} | dictsort %}{{ k }}{{ v }}{% endfor %}
{{ 'a\\nb' | indent(2) }}|{{ 'a\\nb' | indent(2, true) }}""",
    # Constructs where @huggingface/jinja 0.5.11 departs from Python Jinja2 (package chat
    # follows Jinja2): printing True/None/lists/dicts, iterating strings, comparing strings,
    # chained comparisons, loops over undefined, tests with an argument without
    # parentheses, and some filters and methods.
    "features-python": """{{ true }} {{ none }} {{ [1, 'a', none, 1.5] }} {{ {'k': 'v'} }} {{ -7 % 3 }} {{ -7 // 2.0 }} {{ 1e20 }} {{ 1e-5 }} {{ 0.1 + 0.2 }}
{% for c in 'héllo' %}[{{ c }}]{% endfor %} {{ 'a' < 'b' }} {{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }}
{% for x in missing %}never{% endfor %}{% for k in {'a': 1, 'b': 2} %}{{ k }}{% endfor %}
{{ 9 is divisibleby 3 }} {{ messages | count }} {{ 'aBC dEF' | capitalize }} {{ 'xxhixx'.strip('x') }} {{ 'xxhixx'.lstrip('x') }}
{{ ['b', 'A', 'a', 'B'] | unique | list }} {{ ['b', 'A', 'c'] | sort }} {{ 'a b  c'.split() }} {{ 'a,b,c'.rsplit(',', 1) }}
{{ messages[0].content.title() }} {{ 'x' * 3 }} {{ [0] * 3 }} {{ 2 ** -1 }} {{ 10 / 4 }} {{ 10 // 4.0 }} {{ -7.5 % 2 }}
{{ messages[0] }} {{ enable_thinking is true }} {{ 'é' ~ none ~ true }} {{ [1, 2, 3] | sum }} {{ [4, 9, 2] | max }} {{ [4, 9, 2] | min }} {{ ['a', 'B'] | max }} {{ messages[0] | items | map('first') | join(',') }} {{ ['a', 'b'] | map('upper') | join }} {{ 'xy' | list | length }}
{{ messages | map(attribute='content') | select | list | length }} {{ [0, 1, 2] | select('odd') | join }} {{ [0, 1, 2] | reject('odd') | join }}""",
    "features-raise": """{%- for m in messages -%}
{%- if (m.role == 'user') != (loop.index0 % 2 == 0) -%}
{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}
{%- endif -%}
{{ m.role }};
{%- endfor -%}""",
}


def cases():
    v3, r1, r1d = "deepseek-v3", "deepseek-r1", "deepseek-r1-distill"
    out = []

    def add(name, template, messages, gen=False, tools=None, extra=None, bos=BOS, eos=EOS):
        c = {"name": name, "template": template, "messages": messages, "add_generation_prompt": gen,
             "bos_token": bos, "eos_token": eos}
        if tools is not None:
            c["tools"] = tools
        if extra is not None:
            c["extra"] = extra
        out.append(c)

    for tpl in (v3, r1, r1d):
        add(tpl + "/empty-messages", tpl, [], gen=False)
        add(tpl + "/empty-messages-gen", tpl, [], gen=True)
        add(tpl + "/system-only", tpl, [s("You are a helpful assistant.")], gen=False)
        add(tpl + "/system-only-gen", tpl, [s("You are a helpful assistant.")], gen=True)
        add(tpl + "/multi-system", tpl, [s("Sys one."), u("Hi"), s("Sys two."), a("Hello!"), s("Sys three.")], gen=True)
        add(tpl + "/two-turn-no-gen", tpl, [u("Hi"), a("Hello!")], gen=False)
        add(tpl + "/two-turn-gen", tpl, [u("Hi"), a("Hello!"), u("Tell me a joke.")], gen=True)
        add(tpl + "/think-in-history", tpl,
            [u("2+2?"), a("<think>\nsimple sum\n</think>\n\n4"), u("and 3+3?"), a("<think>a</think>b</think>6")], gen=True)
        add(tpl + "/one-tool-call", tpl,
            [u("Weather in Paris?"), calls(WEATHER), t('{"temp_c": 21}', "call_1"), a("It is 21°C in Paris.")], gen=False)
        add(tpl + "/one-tool-call-pending-output", tpl,
            [u("Weather in Paris?"), calls(WEATHER), t('{"temp_c": 21}', "call_1")], gen=True)
        add(tpl + "/two-tool-calls", tpl,
            [u("Weather and time in Paris?"), calls(WEATHER, TIME), t('{"temp_c": 21}', "call_1"), t('{"time": "12:00"}', "call_2"),
             a("21°C at noon.")], gen=True)
        add(tpl + "/three-tool-calls", tpl,
            [u("Everything about Paris?"), calls(WEATHER, TIME, NEWS), t("sunny"), t("noon"), t("none")], gen=True)
        add(tpl + "/second-tool-calling-message", tpl,
            [u("Weather in Paris?"), calls(WEATHER), t('{"temp_c": 21}'), a("21°C."),
             u("And the time?"), calls(TIME), t('{"time": "12:00"}'), a("Noon."), u("Thanks")], gen=True)
        add(tpl + "/tool-calls-back-to-back", tpl,
            [u("Go"), calls(WEATHER), t("r1"), calls(TIME, NEWS), t("r2"), t("r3"), a("Done.")], gen=False)
        add(tpl + "/unicode-and-braces", tpl,
            [s("Answer in 中文 😀."), u("What is {{ x }} and {% if %}?\n\tTabs\\n"), a("It's \"literal\" text — 好的")], gen=True)
        add(tpl + "/empty-content", tpl, [u(""), a(""), u("")], gen=True)
    add(r1 + "/tool-call-with-content", r1,
        [u("Weather?"), calls(WEATHER, content="Let me check."), t("sunny"), a("Sunny.")], gen=True)
    add(r1d + "/tool-call-with-content-drops-calls", r1d,
        [u("Weather?"), calls(WEATHER, content="Let me check."), t("sunny"), a("Sunny.")], gen=True)
    add(r1d + "/system-last-wins", r1d, [s("First."), s("Second."), u("Hi")], gen=True)
    add(r1d + "/no-gen-after-user", r1d, [u("Hi")], gen=False)
    add(r1d + "/assistant-last-then-gen", r1d, [u("Hi"), a("<think>\nhmm\n</think>\n\nHello")], gen=True)
    add(v3 + "/tool-call-with-content-is-plain", v3,
        [u("Weather?"), calls(WEATHER, content="Let me check."), u("ok")], gen=True)
    add(v3 + "/bos-eos-tokens-passed", v3, [u("x")], gen=True, bos="<BOS>", eos="<EOS>")

    conv = [s("Be brief."), u("Hello world!"), a("Hi there"), u("  Bye  ")]
    for name in FEATURES:
        if name in ("features-raise", "features-python"):
            continue
        add(name, name, conv, gen=True, tools=TOOLS if name == "features-json" else None)
    add("features-json/no-tools", "features-json", [u("Hello world!")], gen=False)
    add("features-loop/single", "features-loop", [a("only")], gen=False)
    add("features-raise/ok", "features-raise", [u("a"), a("b"), u("c")])
    add("features-raise/raises", "features-raise", [u("a"), u("b")])
    add("features-python", "features-python", conv, gen=False, extra={"enable_thinking": False})
    add("extra-vars", "features-extra", [u("x")], gen=False,
        extra={"enable_thinking": True, "date_string": "26 Jul 2024", "custom": {"k": [1, 2]}})
    return out


def jinja2_env():
    class Generation(jinja2.ext.Extension):  # transformers' AssistantTracker, without tracking
        tags = {"generation"}

        def parse(self, parser):
            lineno = next(parser.stream).lineno
            body = parser.parse_statements(("name:endgeneration",), drop_needle=True)
            return jinja2.nodes.CallBlock(self.call_method("_render", []), [], [], body).set_lineno(lineno)

        def _render(self, caller):
            return caller()

    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[Generation, jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    return env


def main():
    templates = dict(FEATURES)
    templates["features-extra"] = "{{ enable_thinking }} {{ date_string }} {{ custom.k | tojson }} {{ custom['k'][1] }}"
    with open(FIXTURE, encoding="utf-8") as f:
        templates["deepseek-v3"] = json.load(f)["chat_template"]
    with open(os.path.join(HERE, "..", "deepseek-r1.jinja"), encoding="utf-8") as f:
        templates["deepseek-r1"] = f.read()
    with open(os.path.join(HERE, "..", "deepseek-r1-distill.jinja"), encoding="utf-8") as f:
        templates["deepseek-r1-distill"] = f.read()

    cs = cases()
    env = jinja2_env()
    hf = subprocess.run(["node", os.path.join(HERE, "hf_render.cjs")], input=json.dumps({"templates": templates, "cases": cs}),
                        capture_output=True, text=True, check=True)
    hf_out = json.loads(hf.stdout)
    for c, h in zip(cs, hf_out):
        try:
            c["rendered"] = env.from_string(templates[c["template"]]).render(
                messages=c["messages"], add_generation_prompt=c["add_generation_prompt"], bos_token=c["bos_token"],
                eos_token=c["eos_token"], tools=c.get("tools"), **c.get("extra", {}))
        except jinja2.exceptions.TemplateError as e:
            c["error"] = str(e)
        if "rendered" in h:
            c["hf_rendered"] = h["rendered"]
        else:
            c["hf_error"] = h["error"]
        c["engines_agree"] = c.get("rendered") == h.get("rendered") and ("rendered" in c or "error" in h)
    golden = {
        "format": "chat-golden/1",
        "made_by": {"rendered": "Python Jinja2 %s, set up as transformers' apply_chat_template" % jinja2.__version__,
                    "hf_rendered": "@huggingface/jinja 0.5.11"},
        "templates": {k: v for k, v in templates.items() if k not in ("deepseek-v3", "deepseek-r1", "deepseek-r1-distill")},
        "template_files": {"deepseek-v3": "the DeepSeekV3 constant (= shared/fixtures/tokenizer/deepseek-v3/tokenizer_config.json chat_template)",
                           "deepseek-r1": "testdata/deepseek-r1.jinja",
                           "deepseek-r1-distill": "testdata/deepseek-r1-distill.jinja"},
        "cases": cs,
    }
    with open(os.path.join(HERE, "..", "golden.json"), "w", encoding="utf-8") as f:
        json.dump(golden, f, ensure_ascii=False, indent=1)
        f.write("\n")
    for c in cs:
        status = "agree" if c["engines_agree"] else "DIFFER"
        print("%-50s %-6s %s" % (c["name"], status, "error: " + c["error"] if "error" in c else ""), file=sys.stderr)


if __name__ == "__main__":
    main()
