package chat

import "testing"

// renderString renders src with no messages.
func renderString(t *testing.T, src string) (string, error) {
	t.Helper()
	tp, err := Parse(src)
	if err != nil {
		return "", err
	}
	return tp.Render(nil, Options{})
}

// TestJinjaSemantics: each template renders as Python Jinja2 3.1.6 renders it when set
// up as transformers sets it up (trim_blocks, lstrip_blocks, loopcontrols, its tojson);
// the expected texts were produced that way.
func TestJinjaSemantics(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"trim_blocks", "{% if true %}\nyes\n{% endif %}\nend", "yes\nend"},
		{"lstrip_blocks", "  {% if true %}\n  yes\n  {% endif %}\nend", "  yes\nend"},
		{"lstrip not after text", "x {% if true %}y{% endif %}", "x y"},
		{"minus both", "a  \n {%- if true -%} \n b \n {%- endif -%}  \n c", "abc"},
		{"plus disables lstrip", "  {%+ if true %}x{% endif %}", "  x"},
		{"plus disables trim", "{% if true +%}\nx{% endif %}", "\nx"},
		{"var tags keep newline", "{{ 'a' }}\nb", "a\nb"},
		{"var minus", "a \n {{- 'b' -}} \n c", "abc"},
		{"comment trims", "a\n{# c #}\nb\n  {# d #}\nc", "a\nb\nc"},
		{"comment minus", "a {#- c -#} b", "ab"},
		{"trailing newline dropped", "a\n", "a"},
		{"only one trailing newline", "a\n\n", "a\n"},
		{"crlf", "{% if true %}\r\nx\r\n{% endif %}\r\ny", "x\ny"},
		{"string with newline escapes", "{{ 'a\\nb' }}|{{ \"t\\tq\\\"\" }}|{{ 'u\\u00e9\\x41\\101' }}|{{ 'keep\\d' }}", "a\nb|t\tq\"|uéAA|keep\\d"},
		{"adjacent strings", "{{ 'a' 'b' \"c\" }}", "abc"},
		{"precedence", "{{ 1 + 2 * 3 ** 2 }} {{ (1 + 2) * 3 }} {{ 2 ** 3 ** 2 }} {{ -2 ** 2 }} {{ 10 - 3 - 2 }} {{ 2 * 3 ~ 4 }} {{ 1 ~ 2 ~ 3 * 2 }}", "19 9 64 4 5 64 126"},
		{"filter binds tighter", "{{ -3 | abs }} {{ 'a' ~ 'b' | upper }} {{ 1 + [1, 2] | length }}", "3 aB 3"},
		{"not and is", "{{ not none is none }} {{ not 1 == 2 }} {{ 'x' is not string }}", "False True False"},
		{"division", "{{ 7 / 2 }} {{ 6 / 3 }} {{ -7 // 2 }} {{ 7 // -2 }} {{ -7 % 3 }} {{ 7 % -3 }} {{ 7.5 // 2 }} {{ -7.5 % 2 }} {{ 2 ** -2 }} {{ 2 ** 0.5 }}", "3.5 2.0 -4 -4 2 -2 3.0 0.5 0.25 1.4142135623730951"},
		{"bool arithmetic", "{{ true + 1 }} {{ true == 1 }} {{ 1 == 1.0 }} {{ false * 5 }}", "2 True True 0"},
		{"floats", "{{ 0.1 }} {{ 1.0 }} {{ 100.0 }} {{ 1e16 }} {{ 1.5e16 }} {{ 123456789.0 }} {{ 1e-4 }} {{ 1e-5 }} {{ 2.5e-7 }} {{ 1/3 }} {{ 1_000 }} {{ 1e3 }}", "0.1 1.0 100.0 1e+16 1.5e+16 123456789.0 0.0001 1e-05 2.5e-07 0.3333333333333333 1000 1000.0"},
		{"comparisons", "{{ 1 < 2 < 3 }} {{ 1 < 3 < 2 }} {{ 'abc' < 'abd' }} {{ [1, 2] < [1, 3] }} {{ 'a' == 'a' }} {{ [1, [2]] == [1, [2]] }} {{ {'a': 1} == {'a': 1} }} {{ none == none }} {{ 1 != none }}", "True False True True True True True True True"},
		{"in", "{{ 'b' in 'abc' }} {{ 'd' not in 'abc' }} {{ 2 in [1, 2] }} {{ 'k' in {'k': 1} }} {{ 1 in {'k': 1} }} {{ '' in 'x' }}", "True True True True False True"},
		{"and or values", "{{ 0 or 'x' }} {{ 1 and 'y' }} {{ '' and 'z' }} {{ none or none }} {{ [] or [1] }}", "x y  None [1]"},
		{"cond expr", "{{ 'a' if true else 'b' }} {{ 'a' if false else 'b' }} {{ 'a' if false }}| {{ 1 if 0 else 2 if 0 else 3 }}", "a b | 3"},
		{"indexing", "{{ [1, 2, 3][0] }} {{ [1, 2, 3][-1] }} {{ 'héllo'[1] }} {{ 'héllo'[-1] }} {{ {'a': {'b': 'c'}}['a']['b'] }} {{ {'a': {'b': 'c'}}.a.b }} {{ [[1, 2]][0][1] }} {{ [1, 2].1 }}", "1 3 é o c c 2 2"},
		{"slicing", "{{ [1, 2, 3, 4][1:3] }} {{ [1, 2, 3, 4][::2] }} {{ [1, 2, 3, 4][::-1] }} {{ [1, 2, 3, 4][-2:] }} {{ 'héllo'[1:4] }} {{ 'abcdef'[5:1:-2] }} {{ 'abc'[10:] }}| {{ 'abc'[-10:2] }} {{ [1,2,3][none:2] }}", "[2, 3] [1, 3] [4, 3, 2, 1] [3, 4] éll fd | ab [1, 2]"},
		{"dict order and methods", "{% set d = {'z': 1, 'a': 2} %}{% for k in d %}{{ k }}{% endfor %} {% for k, v in d.items() %}{{ k }}{{ v }}{% endfor %} {{ d.keys() | list }} {{ d.values() | list }} {{ d.get('a') }} {{ d.get('q') }} {{ d.get('q', 'dflt') }} {{ d | length }}", "za z1a2 ['z', 'a'] [1, 2] 2 None dflt 2"},
		{"dict items attr vs key", "{% set d = {'items': 'key', 'x': 1} %}{{ d['items'] }} {{ d.items() | length }} {{ d.x }}", "key 2 1"},
		{"printing", "{{ none }} {{ true }} {{ [none, true, 'it\\'s', \"q\\\"\"] }} {{ {'a': [1.0]} }} {{ '' }}|{{ missing }}|", "None True [None, True, \"it's\", 'q\"'] {'a': [1.0]} ||"},
		{"string methods", "{{ ' a b '.split() }} {{ 'a,,b'.split(',') }} {{ 'a b c'.split(' ', 1) }} {{ 'a b c'.rsplit(' ', 1) }} {{ '  x  '.strip() }}| {{ '--x--'.lstrip('-') }} {{ '--x--'.rstrip('-') }} {{ 'aXbX'.replace('X', 'y', 1) }} {{ 'hello'.find('l') }} {{ 'hello'.rfind('l') }} {{ 'hello'.count('l') }} {{ '-'.join(['a', 'b']) }} {{ 'a\\nb\\r\\nc'.splitlines() }}", "['a', 'b'] ['a', '', 'b'] ['a', 'b c'] ['a b', 'c'] x| x-- --x aybX 2 3 2 a-b ['a', 'b', 'c']"},
		{"string case", "{{ 'hello wORLD'.title() }} {{ 'hELLO'.capitalize() }} {{ 'they\\'re 1st'.title() }} {{ 'ABC'.isupper() }} {{ '123'.isdigit() }} {{ 'ab1'.isalpha() }}", "Hello World Hello They'Re 1St True True False"},
		{"startswith tuple", "{{ 'abc'.startswith(('x', 'a')) }} {{ 'abc'.endswith(('x', 'y')) }}", "True False"},
		{"tests", "{{ 3 is odd }} {{ 4 is even }} {{ 9 is divisibleby 3 }} {{ 9 is divisibleby(4) }} {{ none is sameas none }} {{ 1 is sameas true }} {{ 1 is integer }} {{ true is integer }} {{ 1.0 is float }} {{ true is boolean }} {{ 'x' is sequence }} {{ 1 is iterable }} {{ {} is mapping }} {{ 'ab' is lower }} {{ 2 is eq 2 }} {{ 2 is gt 1 }} {{ 'a' is in 'abc' }} {{ range is callable }} {{ true is true }} {{ 0 is false }}", "True True True False True False True False True True True False True True True True True True True False"},
		{"loop vars", "{% for x in 'abc' %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.previtem is defined }}{{ loop.nextitem | default('-') }}{{ loop.cycle('x', 'y') }};{% endfor %}", "1032TrueFalse3Falsebx;2121FalseFalse3Truecy;3210FalseTrue3True-x;"},
		{"loop filter and else", "{% for x in range(6) if x is even %}{{ x }}{{ loop.length }},{% else %}none{% endfor %}{% for x in [] %}{% else %}empty{% endfor %}", "03,23,43,empty"},
		{"nested loops", "{% for a in [1, 2] %}{% for b in 'xy' %}{{ a }}{{ b }}{{ loop.index }} {% endfor %}{{ loop.index }}|{% endfor %}", "1x1 1y2 1|2x1 2y2 2|"},
		{"break continue", "{% for i in range(10) %}{% if i == 2 %}{% continue %}{% endif %}{% if i == 5 %}{% break %}{% endif %}{{ i }}{% endfor %}", "0134"},
		{"scoping", "{% set x = 1 %}{% for i in [1] %}{% set x = 2 %}{{ x }}{% endfor %}{{ x }}{% if true %}{% set x = 3 %}{% endif %}{{ x }}", "213"},
		{"set per iteration", "{% for i in [1, 2, 3] %}{% if i == 1 %}{% set seen = 'yes' %}{% endif %}{{ seen | default('no') }}{% endfor %}", "yesnono"},
		{"namespace", "{% set ns = namespace(a=1, b='x') %}{% for i in range(3) %}{% set ns.a = ns.a * 2 %}{% endfor %}{{ ns.a }}{{ ns.b }}{{ ns.missing is defined }}{% set ns2 = namespace({'k': 'v'}, z=1) %}{{ ns2.k }}{{ ns2.z }}", "8xFalsev1"},
		{"set tuple and block", "{% set a, b = [1, 2] %}{% set c = 3, 4 %}{{ a }}{{ b }}{{ c[1] }}{% set blk %}x{{ a }}y{% endset %}[{{ blk }}]", "124[x1y]"},
		{"macros", "{% macro m(a, b='B', c=none) %}{{ a }}{{ b }}{{ c }}{% endmacro %}{{ m(1) }} {{ m(1, 2) }} {{ m(1, c=3) }} {{ m(a=4) }}{% macro rec(n) %}{% if n > 0 %}{{ n }}{{ rec(n - 1) }}{% endif %}{% endmacro %} {{ rec(3) }}", "1BNone 12None 1B3 4BNone 321"},
		{"filters strings", "{{ 'a' | upper }} {{ 'A b-c' | lower }} {{ 'x y' | title }} {{ 'aB' | capitalize }} {{ '  t  ' | trim }}| {{ 'xxtxx' | trim('x') }} {{ 'aaa' | replace('a', 'b', 2) }} {{ '<&\">' | e }} {{ 'x' | safe }} {{ 3 | string }}{{ none | string }} {{ 'a b  c' | wordcount }}", "A a b-c X Y Ab t| t bba &lt;&amp;&#34;&gt; x 3None 3"},
		{"filters numbers", "{{ '3' | int }} {{ '3.9' | int }} {{ 'z' | int(7) }} {{ 3.9 | int }} {{ '0x1A' | int(0, 16) }} {{ '1A' | int(0, 16) }} {{ '2' | float }} {{ 'q' | float }} {{ -2.5 | abs }} {{ 2.675 | round(2) }} {{ 2.5 | round }} {{ 3.5 | round }} {{ 2.1 | round(0, 'ceil') }} {{ 2.9 | round(method='floor') }}", "3 3 7 3 26 26 2.0 0.0 2.5 2.67 2.0 4.0 3.0 2.0"},
		{"filters lists", "{{ [3, 1, 2] | sort }} {{ ['b', 'A', 'c'] | sort }} {{ ['b', 'A', 'c'] | sort(case_sensitive=true) }} {{ [{'n': 2}, {'n': 1}] | sort(attribute='n') | map(attribute='n') | list }} {{ [1, 2] | first }} {{ [1, 2] | last }} {{ [] | first is defined }} {{ 'abc' | reverse }} {{ [1, 2, 3] | reverse | list }} {{ [1, 'a'] | join('|') }} {{ [{'a': 'x'}, {'a': 'y'}] | join(',', attribute='a') }} {{ [1, 1, 2] | unique | list }} {{ [2, 5, 1] | max }} {{ [2, 5, 1] | min }} {{ [1, 2] | sum(start=10) }}", "[1, 2, 3] ['A', 'b', 'c'] ['A', 'b', 'c'] [1, 2] 1 2 False cba [3, 2, 1] 1|a x,y [1, 2] 5 1 13"},
		{"filters select", "{{ [0, 1, 2, none, ''] | select | list }} {{ [1, 2, 3, 4] | select('even') | list }} {{ [1, 2, 3, 4] | reject('gt', 2) | list }} {{ [{'a': 1}, {'a': 0}, {}] | selectattr('a') | list }} {{ [{'a': 1}, {'a': 0}] | rejectattr('a', 'eq', 1) | list }} {{ [{'a': {'b': 5}}] | map(attribute='a.b') | list }} {{ [{'a': 1}, {}] | map(attribute='a', default=0) | list }} {{ ['a', 'b'] | map('upper') | list }}", "[1, 2] [2, 4] [1, 2] [{'a': 1}] [{'a': 0}] [5] [1, 0] ['A', 'B']"},
		{"filters dict", "{% for k, v in {'b': 1, 'a': 2} | dictsort %}{{ k }}{{ v }}{% endfor %} {% for k, v in {'b': 1, 'a': 2} | dictsort(by='value') %}{{ k }}{% endfor %} {% for k, v in {'b': 1, 'a': 2} | dictsort(reverse=true) %}{{ k }}{% endfor %} {% for k, v in {'b': 1} | items %}{{ k }}={{ v }}{% endfor %} {{ missing | items | list }}", "a2b1 ba ba b=1 []"},
		{"indent", "{{ 'a\\n\\n  \\nb\\n' | indent(2) }}|{{ 'a\\n\\nb' | indent(2, true, true) }}|{{ '\\nx' | indent('>', first=true) }}", "a\n\n    \n  b\n|  a\n  \n  b|>\n>x"},
		{"default", "{{ missing | default('d') }} {{ none | default('d') }} {{ none | default('d', true) }} {{ '' | d('e', true) }} {{ 0 | default(5) }} {{ missing | default }}|", "d None d e 0 |"},
		{"length", "{{ 'héllo' | length }} {{ [1, 2] | count }} {{ {'a': 1} | length }} {{ missing | length }}", "5 2 1 0"},
		{"tojson", "{{ {'a': [1, 2.5, none, true], 'b': 'é\"\\\\\\n<>&\\'', 'c': {}} | tojson }} {{ [1, {'k': []}] | tojson(indent=2) }} {{ {'a': 1, 'b': [2]} | tojson(separators=(',', ':')) }} {{ 'é😀' | tojson(ensure_ascii=true) }} {{ {'b': 1, 'a': 1} | tojson(sort_keys=true) }} {{ 'x' | tojson(indent='\\t') }} {{ '\\x01\\x7f' | tojson }}", "{\"a\": [1, 2.5, null, true], \"b\": \"é\\\"\\\\\\n<>&'\", \"c\": {}} [\n  1,\n  {\n    \"k\": []\n  }\n] {\"a\":1,\"b\":[2]} \"\\u00e9\\ud83d\\ude00\" {\"a\": 1, \"b\": 1} \"x\" \"\\u0001\""},
		{"range", "{{ range(3) | list }} {{ range(1, 4) | list }} {{ range(10, 0, -3) | list }} {{ range(0) | list }} {{ range(5, 1) | list }}", "[0, 1, 2] [1, 2, 3] [10, 7, 4, 1] [] []"},
		{"dict global", "{{ dict(a=1, b='x') }}", "{'a': 1, 'b': 'x'}"},
		{"string mult and list concat", "{{ 'ab' * 2 }} {{ 2 * 'c' }} {{ [1] * 3 }} {{ 'x' * 0 }}| {{ 'x' * -1 }}| {{ [1] + [2, 3] }}", "abab cc [1, 1, 1] | | [1, 2, 3]"},
		{"tilde", "{{ 1 ~ none ~ true ~ missing ~ [1] }}", "1NoneTrue[1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := renderString(t, tt.src)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("%s\n got %q\nwant %q", tt.src, got, tt.want)
			}
		})
	}
}
