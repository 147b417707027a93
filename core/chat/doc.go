// Package chat turns conversations into prompt text exactly as a model's chat template
// does, and splits what DeepSeek models generate back into reasoning, answer and tool
// calls.
//
// Models of the DeepSeek family ship different templates (V3, R1, the R1 distills,
// V3-0324, V3.1), and a GGUF file carries its own as tokenizer.chat_template, so
// rendering executes the template text itself with a small interpreter of the Jinja subset that Hugging Face
// chat templates use, with the semantics of Python Jinja2 as transformers'
// apply_chat_template sets it up (trim_blocks, lstrip_blocks, loop controls, its tojson
// and raise_exception). Quirks of a template are therefore reproduced as they are: the
// V3 template's ns.is_first, set once and never reset, renders a second tool-calling
// message differently from the first, and R1's template strips "</think>" reasoning
// from earlier assistant turns. The R1 and R1-distill generation prompts end with an
// open "<think>\n": a ReplyParser made for such a prompt starts in the reasoning.
//
//	t, err := chat.Parse(chat.DeepSeekV3) // or the template the model carries
//	prompt, err := t.Render(messages, chat.Options{
//		AddGenerationPrompt: true,
//		BOSToken:            "<｜begin▁of▁sentence｜>",
//		EOSToken:            "<｜end▁of▁sentence｜>",
//	})
//
// # Supported Jinja
//
// Statements: {{ }}; {% if %}/{% elif %}/{% else %}/{% endif %}; {% for a in x %} and
// {% for k, v in x %} with an "if" filter, {% else %} and {% break %}/{% continue %},
// and loop.index, index0, revindex, revindex0, first, last, length, previtem,
// nextitem, cycle(); {% set x = v %}, {% set a, b = v %}, {% set ns.attr = v %} and
// {% set x %}...{% endset %}; {% macro m(a, b=default) %} and calls of macros;
// transformers' {% generation %}; comments {# #}. Whitespace control: "-" and "+" on
// tags, trim_blocks, lstrip_blocks, one trailing newline dropped.
//
// Expressions: string, integer, float, list, tuple, dict, true/false/none literals
// (also True/False/None); + - * / // % ** with Python semantics, ~, comparisons
// (chained), in and not in, and/or/not, "x if c else y"; attribute access and
// subscripts (attributes first, then items, as Jinja does), negative indexes, slices
// with steps; tests is [not] defined, undefined, none, string, number, integer, float,
// boolean, true, false, mapping, sequence, iterable, callable, odd, even, divisibleby,
// sameas, eq/ne/lt/le/gt/ge (and their aliases equalto, ==, ...), in, lower, upper,
// escaped; globals namespace(), range(), dict(), and transformers' raise_exception()
// and strftime_now() (the local time now).
//
// Filters: length/count, trim, tojson (transformers' json.dumps: ensure_ascii, indent,
// separators, sort_keys), string, default/d, first, last, join, list, reverse, sort,
// unique, min, max, sum, map (attribute= or a filter name), select, reject,
// selectattr, rejectattr, items, dictsort, upper, lower, capitalize, title, replace,
// int, float, abs, round, indent, attr, wordcount, safe, escape/e, forceescape.
//
// Methods: on strings split, rsplit, strip, lstrip, rstrip, startswith, endswith,
// replace, upper, lower, title, capitalize, find, rfind, count, join, splitlines and
// the is* classes; on dicts items, keys, values, get; on lists index, count.
//
// Anything else — {% include %}, {% extends %}, {% call %}, {% filter %}, {% raw %},
// recursive loops, *args, printf-style %, str.format, other filters — is an *Error with
// its line and column, at Parse for syntax and at Render for names. Tuples are lists
// (they print as [a, b], where Python prints (a, b)). Undefined values behave as
// Jinja's default Undefined: they print as "", are false and iterate as empty, and
// attribute access, arithmetic or ordering on them is an error. A Render is bounded:
// 2^20 loop iterations, macro calls and list elements, 64 MiB of string data, and
// macro calls 64 deep; past a bound it fails with an *Error.
//
// The files, one concept each:
//
//	template.go   Template, Parse, Options, Render: the API; Go values into template values
//	message.go    Message and ToolCall, decoded from the OpenAI chat format
//	errors.go     Error and Pos: every parse and render failure, with its place
//	lexer.go      tokens, and whitespace control ("-", "+", trim_blocks, lstrip_blocks)
//	parse.go      statements and expressions into the syntax tree (nesting bounded)
//	ast.go        the syntax tree's nodes
//	render.go     executing statements: scopes, assignments, for loops and loop, macros, the limits
//	eval.go       evaluating expressions: names, attributes and items, slices, calls, comparisons
//	arith.go      arithmetic and ~ with Python semantics
//	value.go      the value model (None, Undefined, dict, namespace...): truth, equality,
//	              ordering, Python str and repr
//	json.go       tojson (Python's json.dumps) and JSON into values (tools, Options.Extra)
//	filters.go    the filters
//	methods.go    the string, dict and list methods
//	istests.go    the "is" tests
//	builtins.go   the globals: namespace, range, dict, raise_exception, strftime_now
//	deepseek.go   DeepSeekV3, the V3 template byte for byte
//	reply.go      ReplyParser (as the reply streams) and SplitReply (a whole reply): reasoning,
//	              content and tool calls
//	toolcalls.go  ParseToolCalls: DeepSeek tool-call markup (the V3 and V3.1 forms)
package chat
