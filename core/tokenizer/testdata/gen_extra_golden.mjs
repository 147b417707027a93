// Generates core/tokenizer/testdata/extra_golden.json: texts encoded by two independent JS
// implementations of Hugging Face tokenizers; only texts on which both agree are kept.
//
// Usage (Node 20; the fixture path is absolute):
//   mkdir /tmp/tokjs && cd /tmp/tokjs && npm init -y &&
//   npm install @huggingface/tokenizers@0.2.0 @lenml/tokenizers@3.7.2 &&
//   cp .../core/tokenizer/testdata/gen_extra_golden.mjs gen.mjs &&
//   node gen.mjs .../core/tokenizer/testdata/extra_golden.json
// The output is deterministic (seeded PRNG).
import fs from 'fs';
import { Tokenizer } from '@huggingface/tokenizers';
import { TokenizerLoader } from '@lenml/tokenizers';

const dir = '/work/shared/fixtures/tokenizer/deepseek-v3/';
const tj = JSON.parse(fs.readFileSync(dir + 'tokenizer.json', 'utf8'));
const tc = JSON.parse(fs.readFileSync(dir + 'tokenizer_config.json', 'utf8'));
const B = new Tokenizer(tj, tc);
const A = TokenizerLoader.fromPreTrained({ tokenizerJSON: tj, tokenizerConfig: tc });

const hand = [
  "  hello", "a\n\n\nb", "\t\t x", "1234567", "中文English混合", "  \n  ",
  "👨‍👩‍👧‍👦", "<｜User｜>hi<｜Assistant｜>", "hello", " hello", "hello ", "   ", "\t", "\n\n", "\r\n", "\r",
  "\r\r\n", " \n \n ", "x\r\n\r\ny", "x \r\n y", "  \r\n", "a  !", "a \t!", " !!", "\n!", "a\t\tb",
  "a \n b", "a\n b", "a \nb", "word \n\n", "end.\n", "end. \n", "end.  \n\n  next",
  "a\u00a0b", "a\u00a0\u00a0b", "a\u3000b", "\u2028", "a \u2029b", "a\u2003\u2003b", "\u000b\u000c", "a\u000bb",
  "x\u001cy", "\u0000", "a\u0001b", "\u007f", "\u001f\u001e",
  "١٢٣٤", "０１２３４５", "ⅫⅣ", "x²³", "①②③④", "12a34", "a1b2c3", "1.5e-10", "-42", "+3.0",
  "3,141,592", "0x1F", "v1.2.3", "2024-01-01T12:34:56Z", "१२३४५", "๑๒๓", "12 345 678", "99.99%", "1/2",
  ".NET", "$HOME", "#include <stdio.h>", "@mention", "it's", "'s", "(a)", "[x]", "{key}", "\\n", "~user",
  "_private", "__init__", "`code`", "--flag", "..abc", "!x", "a.b.c.d", "e.g.", "i.e.,", "U.S.A.", "Mr.Smith",
  "\u200bword", "\u0301abc", "e\u0301", "a\u0301\u0302", "\u0301", "\u0300\u0301x", " \u0301", "1\u0301",
  "नमस्ते", "สวัสดีครับ", "שָׁלוֹם", "مَرْحَبًا", "தமிழ்", "각", "Ελληνικά", "Ўзбек", "ქართული", "ئۇيغۇرچە",
  " ...", " (a", "!!!\n\n", "?\r\n", " 😀😀", "😀\n", "→←", " ∑∫", "$$$", "¥100", "€5", " «quote»", "—dash—", "…",
  "👍🏽", "🇺🇸🇯🇵", "❤️", "👩‍💻", "🏳️‍🌈", "1️⃣", "#️⃣", "😀 😀  😀", "a😀b", "😀abc", "abc😀",
  "日本語のテキスト", "カタカナー", "ｶﾀｶﾅ", "中文，标点。", "漢字𠀀", "〇一二", "々", "ー", "・", "゛", "ㄅㄆㄇ",
  "中文 中文", "中文\n中文", "中1文2", "中abc文", "한국어와 中文", "龥龦", "\u9fa6\u9fa5",
  "\u200c", "\u200d", "\u2060", "soft\u00adhyphen", "\u200e\u200f", "a\u200db", "\ue000", "\ufffd", "\u{10FFFD}",
  "<｜User｜>", "<｜User｜><｜Assistant｜>", "<｜User｜", "<｜Use", "<<｜User｜>>", "<｜begin▁of▁sentence｜><｜begin▁of▁sentence｜>",
  "text<｜end▁of▁sentence｜>text", " <｜User｜> ", "<|EOT|>", "<|EOT|", "< |EOT|>",
  "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n```json\n{\"city\": \"Paris\"}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>",
  "<｜place▁holder▁no▁799｜>", "<｜place▁holder▁no▁8000｜>", "<｜fim▁begin｜><｜fim▁hole｜><｜fim▁end｜>", "<｜▁pad▁｜>",
  "<｜tool▁outputs▁begin｜><｜tool▁output▁begin｜>{}<｜tool▁output▁end｜><｜tool▁outputs▁end｜>",
  " ".repeat(300), "a".repeat(1000), "1234567890".repeat(10), "中文".repeat(100), "\n".repeat(50), "ab".repeat(200),
  "=-".repeat(100), " \t".repeat(40), "😀".repeat(50), "\u00a0".repeat(20) + "x",
  "https://example.com/path?query=1&b=2#frag", "user.name+tag@example.co.uk", "C:\\Users\\Name\\file.txt",
  "/usr/local/bin/go", "SELECT * FROM users WHERE id = 42;", "<div class=\"x\">Hi</div>",
  "{\"key\": [1, 2.5, null, true], \"nested\": {\"a\": \"b\"}}", "# Title\n\n- item 1\n- item 2\n\n**bold** _it_",
  "fn main() {\n    println!(\"Hello, {}!\", name);\n}\n", "if (x &&y || !z) { return a<=b ? c : d; }",
  "def f(x: int) -> int:\n\t\"\"\"Doc.\"\"\"\n\treturn x ** 2\n", "    \n    \n", "\n    indented",
  "$$\\frac{a}{b} = \\sum_{i=1}^{n} x_i$$", "α + β = γ", "x ≤ y ≥ z ≠ w", "I'm", "You'RE", "we'VE", "'ll",
  "Don't stop", "“smart quotes”", "‘single’", "naïve", "Ångström", "Straße", "İstanbul", "ǅ", "ﬁ ligature",
  "ＦＵＬＬ ｗｉｄｔｈ", "①", "⑴", "⒈", "Ⓐ", "🄰", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "𝟙𝟚𝟛", "\u0660\u0661", "a\u0660b",
];

// A deterministic PRNG (mulberry32).
let seed = 0x5eed1234;
function rnd() {
  seed |= 0; seed = (seed + 0x6D2B79F5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (a) => a[Math.floor(rnd() * a.length)];

const pools = {
  ascii: ["the", "The", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "Hello", "world", "API", "JSON",
    "x", "y", "i", "a", "DeepSeek", "GPU", "tokenizer", "don", "t", "s", "ll", "re", "HTTP", "iPhone", "camelCase", "snake_case"],
  space: [" ", " ", " ", "  ", "   ", "\t", "\n", "\n\n", "\r\n", "\r", " \n", "\n ", "\u00a0", "\u3000", "\u2003", "\u2009",
    "\u202f", "\u205f", "\u1680", "\u2028", "\u2029", "\u000b", "\u000c", "\t\t", "    "],
  punct: [".", ",", "!", "?", ";", ":", "'", "\"", "(", ")", "[", "]", "{", "}", "-", "_", "/", "\\", "@", "#", "$",
    "%", "^", "&", "*", "+", "=", "<", ">", "|", "~", "`", "...", "--", "->", "=>", "::", "!=", "。", "，", "、", "！",
    "？", "「", "」", "《", "》", "«", "»", "—", "–", "…", "¡", "¿", "§", "¶", "†", "•", "·", "‰", "′", "″"],
  digit: ["0", "1", "42", "123", "2024", "3.14", "1,000", "99999", "٣", "٤٥٦", "۷۸", "१२", "০", "๕", "０", "１２３",
    "²", "³", "½", "¾", "Ⅳ", "ⅻ", "①", "⑩", "𝟘", "〇", "٠١٢٣٤٥٦٧٨٩"],
  symbol: ["+", "=", "<", ">", "$", "€", "£", "¥", "₹", "©", "®", "™", "°", "±", "×", "÷", "∞", "≈", "≠", "≤", "√", "∑",
    "→", "⇒", "★", "☆", "♥", "♪", "☀", "✓", "✗", "⚡", "😀", "😂", "🤖", "🚀", "🦙", "👍", "👍🏻", "👩‍🔬", "❤️", "🇫🇷",
    "🏳️‍⚧️", "🧑🏾‍🤝‍🧑🏻", "✌️", "☕", "🀄", "🃏", "^", "`", "|", "~", "¬", "¦", "¨", "¯", "´", "¸"],
  cjk: ["中文", "你好", "世界", "的", "是", "人工智能", "模型", "漢字", "日本語", "ひらがな", "カタカナ", "こんにちは",
    "ありがとう", "ー", "・", "ゝ", "ヽ", "゛", "ゐ", "ヰ", "ヴ", "ㇰ", "ｱｲｳ", "𠀀", "𪜀", "龥", "〆", "々"],
  hangul: ["안녕하세요", "한국어", "세계", "ㄱ", "ㅏ", "각"],
  latin: ["café", "naïve", "résumé", "Ünïcödé", "ß", "æ", "ø", "Å", "ñ", "ç", "Ł", "ő", "ț", "ș", "ğ", "ı", "İ", "e\u0301",
    "o\u0308", "n\u0303", "a\u030a", "\u0301", "\u0327"],
  other: ["Привет", "мир", "Ελλάδα", "مرحبا", "سلام", "שלום", "नमस्ते", "हिन्दी", "বাংলা", "தமிழ்", "తెలుగు", "ภาษาไทย",
    "ລາວ", "ខ្មែរ", "မြန်မာ", "አማርኛ", "ᠮᠣᠩᠭᠣᠯ", "ꦗꦮ", "ᐃᓄᒃᑎᑐᑦ", "ᚠᚢᚦ", "𐌰𐌱", "Ⲁⲃ", "ⴰⵣ", "𓀀", "ᏣᎳᎩ"],
  format: ["\u200b", "\u200c", "\u200d", "\u2060", "\u00ad", "\u200e", "\u200f", "\u202a", "\u202c", "\u2066", "\u2069",
    "\u061c", "\ufe0f", "\ufe0e", "\u034f", "\ue000", "\uf8ff", "\u{F0000}", "\ufffd", "\u0000", "\u0001", "\u0007",
    "\u001b", "\u001f", "\u007f", "\u0080", "\u009f"],
  special: ["<｜User｜>", "<｜Assistant｜>", "<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>", "<|EOT|>", "<｜tool▁sep｜>",
    "<｜fim▁hole｜>", "<｜place▁holder▁no▁42｜>", "<｜User", "｜>", "<", "<｜", "<|", "|>"],
  code: ["func", "return", "if", "else", "for", "i++", "x+=1", "==", "!==", "&&", "||", "=>", "::", "#!/bin/sh", "0xFF",
    "std::vector<int>", "a[i]", "f(x)", "{}", "[]", "()", "/* */", "//", "<!-- -->", "\"\"\"", "''", "`${x}`", "@Override"],
};
const kinds = Object.keys(pools);
function randomText(maxFragments = 24) {
  // Each text draws from a few kinds, joined directly or with spaces.
  const nk = 1 + Math.floor(rnd() * 4);
  const ks = Array.from({ length: nk }, () => pick(kinds));
  if (rnd() < 0.7) ks.push("space");
  const n = 1 + Math.floor(rnd() * maxFragments);
  let s = "";
  for (let i = 0; i < n; i++) s += pick(pools[pick(ks)]);
  return s;
}
const texts = [...hand];
const seen = new Set(texts);
while (texts.length < hand.length + 700) {
  const s = randomText();
  if (!seen.has(s)) { seen.add(s); texts.push(s); }
}

// Long texts (hundreds of fragments) exercise long pieces and many added tokens at once.
while (texts.length < hand.length + 740) {
  const s = randomText(400);
  if (!seen.has(s)) { seen.add(s); texts.push(s); }
}

const cases = [], disagreements = [];
for (const text of texts) {
  const a = A.encode(text, { add_special_tokens: false });
  const b = B.encode(text, { add_special_tokens: false }).ids;
  if (JSON.stringify(a) === JSON.stringify(b)) cases.push({ text, ids: b });
  else disagreements.push({ text, a, b });
}
const out = {
  note: "Extra cross-check cases for core/tokenizer. Made by testdata/gen_extra_golden.mjs: " +
    "hand-picked edge cases plus seeded random mixes of scripts, whitespace, punctuation, digits, symbols, emoji, format " +
    "characters and added tokens, each encoded (no special tokens added) from the fixture tokenizer.json by two independent " +
    "JS implementations, A=@lenml/tokenizers@3.7.2 and B=@huggingface/tokenizers@0.2.0 (Node " + process.version + "). " +
    "Only texts on which A and B agree are kept; JS regexes differ from Oniguruma's \\s on U+0085 and U+FEFF, so the " +
    "generator never uses those two characters. Node's regexes use Unicode " + process.versions.unicode + " tables, Go's " +
    "unicode package 15.0.0; every character used here is assigned in Unicode 15.0.",
  implementations: { A: "@lenml/tokenizers@3.7.2", B: "@huggingface/tokenizers@0.2.0" },
  cases, disagreements,
};
fs.writeFileSync(process.argv[2] || 'extra_golden.json', JSON.stringify(out, null, 0).replace(/\},\{"text"/g, '},\n{"text"'));
console.log('cases', cases.length, 'disagreements', disagreements.length);
for (const d of disagreements.slice(0, 10)) console.log(JSON.stringify(d));
