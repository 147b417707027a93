// End-to-end tests of the Responses API (POST /v1/responses) with the clients that use it:
// the official openai package (responses.create, streamed and not), the AI SDK's default
// OpenAI provider, LangChain's ChatOpenAI with useResponsesApi, and the openai package
// running in a headless Chromium on another origin (CORS preflights with its own headers).
//
// Environment (edge/e2e_test.go sets it): DEEPGO_URL, DEEPGO_KEY, DEEPGO_MODEL and
// DEEPGO_CHROMIUM, as for openai.test.mjs and playground.test.mjs, and DEEPGO_RANDOM_URL and
// DEEPGO_RANDOM_MODEL: a server on a model of random weights.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, streamText } from 'ai';
import { ChatOpenAI } from '@langchain/openai';
import { chromium } from 'playwright-core';

const baseURL = need('DEEPGO_URL');
const apiKey = need('DEEPGO_KEY');
const model = need('DEEPGO_MODEL');
const executablePath = process.env.DEEPGO_CHROMIUM || '/usr/bin/chromium';
// A second server, on a model of random weights (it practically never ends a reply by
// itself); its tests are skipped without it.
const randomURL = process.env.DEEPGO_RANDOM_URL;
const randomModel = process.env.DEEPGO_RANDOM_MODEL;

function need(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (run these tests through go test -run TestNodeClients ./edge/)`);
  return v;
}

// Every client here must talk to the servers on the loopback interface only: a request
// elsewhere (a tokenizer download, telemetry) is refused and reported by the last test.
// The bodies of the requests to /responses are kept, for the tests that check what a
// client sent.
const foreign = [];
const sent = [];
const loopbackFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (url.hostname !== '127.0.0.1') {
    foreign.push(url.href);
    return Promise.reject(new Error(`no network in these tests: ${url.href}`));
  }
  if (url.pathname.endsWith('/responses') && typeof init?.body === 'string') sent.push(JSON.parse(init.body));
  return loopbackFetch(input, init);
};

// maxRetries 0: a retried request would hide a server error behind a later success.
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 60_000 });

function checkUsage(usage, output) {
  assert.ok(usage, 'usage is missing');
  assert.ok(Number.isInteger(usage.input_tokens) && usage.input_tokens > 0, `input_tokens ${usage.input_tokens}`);
  assert.equal(usage.output_tokens, output);
  assert.equal(usage.total_tokens, usage.input_tokens + usage.output_tokens);
  assert.ok(Number.isInteger(usage.input_tokens_details.cached_tokens));
  assert.ok(Number.isInteger(usage.output_tokens_details.reasoning_tokens));
}

// message is the response's one message item.
function message(res) {
  const msgs = res.output.filter((it) => it.type === 'message');
  assert.equal(msgs.length, 1, `output ${JSON.stringify(res.output)}`);
  const m = msgs[0];
  assert.equal(m.role, 'assistant');
  assert.match(m.id, /^msg_/);
  assert.equal(m.content.length, 1);
  assert.equal(m.content[0].type, 'output_text');
  assert.deepEqual(m.content[0].annotations, []);
  return m;
}

test('responses.create, greedy: stream and non-stream agree', async (t) => {
  const req = { model, instructions: 'Answer in the words of the King James Bible.', input: 'Who made the heaven and the earth?', temperature: 0, max_output_tokens: 8 };
  const res = await client.responses.create(req);
  assert.equal(res.object, 'response');
  assert.match(res.id, /^resp_/);
  assert.equal(res.model, model);
  assert.equal(res.status, 'incomplete');
  assert.deepEqual(res.incomplete_details, { reason: 'max_output_tokens' });
  assert.equal(res.error, null);
  assert.equal(res.instructions, req.instructions);
  assert.equal(res.max_output_tokens, 8);
  const m = message(res);
  assert.equal(m.status, 'incomplete');
  assert.ok(res.output_text.length > 0, 'empty output_text');
  assert.equal(res.output_text, m.content[0].text);
  checkUsage(res.usage, 8);

  await t.test('streamed: typed events in order, deltas make the text', async () => {
    const stream = await client.responses.create({ ...req, stream: true });
    const types = [];
    let text = '';
    let last;
    let seq = 0;
    for await (const ev of stream) {
      assert.equal(ev.sequence_number, seq++, `event ${ev.type} out of sequence`);
      types.push(ev.type);
      if (ev.type === 'response.output_text.delta') {
        assert.equal(ev.output_index, 0);
        assert.equal(ev.content_index, 0);
        assert.match(ev.item_id, /^msg_/);
        text += ev.delta;
      }
      last = ev;
    }
    assert.deepEqual(types.slice(0, 4), ['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added']);
    assert.deepEqual(types.slice(-4), ['response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.incomplete']);
    assert.equal(text, res.output_text, 'greedy stream and non-stream differ');
    assert.equal(last.response.output_text ?? message(last.response).content[0].text, text);
    checkUsage(last.response.usage, 8);
  });

  await t.test('previous_response_id continues the conversation', async () => {
    // Without instructions: they are not carried over to the next response.
    const first = await client.responses.create({ model, input: req.input, temperature: 0, max_output_tokens: 8 });
    const next = await client.responses.create({ model, previous_response_id: first.id, input: 'And then?', temperature: 0, max_output_tokens: 4 });
    assert.equal(next.previous_response_id, first.id);
    assert.ok(next.usage.input_tokens > first.usage.input_tokens + first.usage.output_tokens,
      `input ${next.usage.input_tokens} tokens: the previous turn (${first.usage.input_tokens} + ${first.usage.output_tokens}) was not carried`);
    const fetched = await client.responses.retrieve(next.id);
    assert.equal(fetched.id, next.id);
    assert.equal(fetched.output_text, next.output_text);
  });

  await t.test('an unknown previous_response_id is a 400', async () => {
    let err;
    try {
      await client.responses.create({ model, previous_response_id: 'resp_unknown', input: 'Hi' });
    } catch (e) { err = e; }
    assert.ok(err instanceof OpenAI.BadRequestError, `threw ${err}`);
    assert.equal(err.param, 'previous_response_id');
    assert.equal(err.code, 'previous_response_not_found');
  });

  await t.test('an unsupported parameter is a 400 naming it', async () => {
    let err;
    try {
      await client.responses.create({ model, input: 'Hi', tools: [{ type: 'web_search' }] });
    } catch (e) { err = e; }
    assert.ok(err instanceof OpenAI.BadRequestError, `threw ${err}`);
    assert.equal(err.param, 'tools[0].type');
  });
});

test('responses.create and the AI SDK on a model of random weights', { skip: !randomURL && 'no DEEPGO_RANDOM_URL' }, async () => {
  const rc = new OpenAI({ baseURL: randomURL, apiKey, maxRetries: 0, timeout: 60_000 });
  const req = { model: randomModel, input: 'Hello', temperature: 0, max_output_tokens: 6 };
  const res = await rc.responses.create(req);
  assert.equal(res.status, 'incomplete');
  assert.equal(res.model, randomModel);
  assert.equal(typeof message(res).content[0].text, 'string');
  checkUsage(res.usage, 6);

  let text = '';
  let last;
  for await (const ev of await rc.responses.create({ ...req, stream: true, temperature: 0.8 })) {
    if (ev.type === 'response.output_text.delta') text += ev.delta;
    last = ev;
  }
  assert.equal(last.type, 'response.incomplete');
  assert.equal(message(last.response).content[0].text, text, 'the deltas do not make the final text');
  checkUsage(last.response.usage, 6);

  const lm = createOpenAI({ baseURL: randomURL, apiKey })(randomModel);
  const gen = await generateText({ model: lm, prompt: 'Hello', maxOutputTokens: 5, maxRetries: 0 });
  assert.equal(gen.usage.outputTokens, 5);
  assert.equal(gen.finishReason, 'length');
  const s = streamText({ model: lm, prompt: 'Hello', maxOutputTokens: 5, maxRetries: 0, onError: ({ error }) => { throw error; } });
  let streamed = '';
  for await (const part of s.textStream) streamed += part;
  assert.equal((await s.usage).outputTokens, 5);
  assert.equal(typeof streamed, 'string');
});

test('responses.create with a function tool: the call and its output go back in', async () => {
  const tools = [{ type: 'function', name: 'get_weather', description: 'Weather of a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false }, strict: true }];
  const input = [
    { role: 'user', content: 'What is the weather in Jerusalem?' },
    { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Jerusalem"}' },
    { type: 'function_call_output', call_id: 'call_1', output: 'Sunny, 25C' },
  ];
  const res = await client.responses.create({ model, input, tools, temperature: 0, max_output_tokens: 6 });
  assert.equal(res.tools.length, 1);
  assert.equal(res.tools[0].name, 'get_weather');
  assert.equal(res.tool_choice, 'auto');
  for (const it of res.output) {
    assert.ok(['message', 'function_call'].includes(it.type), `output item ${it.type}`);
    if (it.type === 'function_call') {
      assert.match(it.call_id, /^call_/);
      assert.equal(typeof it.arguments, 'string');
    }
  }
  const plain = await client.responses.create({ model, input: input.slice(0, 1), temperature: 0, max_output_tokens: 6 });
  assert.ok(res.usage.input_tokens > plain.usage.input_tokens + 20,
    `with the tool and its call ${res.usage.input_tokens} input tokens, without ${plain.usage.input_tokens}`);
});

test('AI SDK default provider (the Responses API): generateText and streamText', async () => {
  const provider = createOpenAI({ baseURL, apiKey });
  const lm = provider(model);
  const prompt = 'In the beginning';
  const res = await generateText({ model: lm, prompt, temperature: 0, maxOutputTokens: 8, maxRetries: 0 });
  assert.ok(res.text.length > 0, 'empty text');
  const n = res.usage.outputTokens;
  assert.ok(n > 0 && n <= 8, `${n} output tokens`);
  assert.equal(res.finishReason, n === 8 ? 'length' : 'stop');
  assert.match(res.response.id, /^resp_/);

  const s = streamText({ model: lm, prompt, temperature: 0, maxOutputTokens: 8, maxRetries: 0, onError: ({ error }) => { throw error; } });
  let text = '';
  for await (const part of s.textStream) text += part;
  assert.equal(text, res.text, 'greedy stream and generateText differ');
  assert.equal((await s.usage).outputTokens, n);
  assert.equal(await s.finishReason, res.finishReason);

  // A second turn: the AI SDK names the kept assistant message by an item_reference.
  const before = sent.length;
  const next = await generateText({ model: lm, temperature: 0, maxOutputTokens: 4, maxRetries: 0,
    messages: [{ role: 'user', content: prompt }, ...res.response.messages, { role: 'user', content: 'And then?' }] });
  const refs = sent.slice(before).flatMap((b) => b.input.filter((it) => it.type === 'item_reference'));
  assert.equal(refs.length, 1, `input sent: ${JSON.stringify(sent.slice(before).map((b) => b.input))}`);
  assert.ok(next.usage.inputTokens > res.usage.inputTokens + n, `second turn ${next.usage.inputTokens} input tokens, first ${res.usage.inputTokens} + ${n}`);
});

test('LangChain ChatOpenAI with useResponsesApi', async () => {
  const llm = new ChatOpenAI({ model, apiKey, configuration: { baseURL }, useResponsesApi: true, temperature: 0, maxTokens: 8, maxRetries: 0 });
  const msg = await llm.invoke('In the beginning');
  assert.equal(typeof msg.text, 'string');
  assert.ok(msg.text.length > 0, 'empty reply');
  const n = msg.usage_metadata.output_tokens;
  assert.ok(n > 0 && n <= 8, `${n} output tokens`);
  assert.match(msg.response_metadata.id ?? msg.id, /^(resp|msg)_/);

  // Streamed, and a second turn with the first reply in the history.
  let streamed = '';
  for await (const chunk of await llm.stream('In the beginning')) streamed += chunk.text;
  assert.equal(streamed, msg.text, 'greedy stream and invoke differ');
  const next = await llm.invoke([['human', 'In the beginning'], msg, ['human', 'And then?']]);
  assert.ok(next.usage_metadata.input_tokens > msg.usage_metadata.input_tokens + n,
    `second turn ${next.usage_metadata.input_tokens} input tokens, first ${msg.usage_metadata.input_tokens} + ${n}`);
});

// The openai package's ES modules, served to the browser page from node_modules.
const sdkDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'node_modules', 'openai');

// pageServer serves, on another loopback origin than the API's, a page that runs the
// openai package in the browser, and the package's files.
async function pageServer() {
  const page = `<!doctype html><meta charset="utf-8"><title>openai in a browser</title>
<script type="module">
import OpenAI from '/openai/index.mjs';
window.run = async (baseURL, apiKey, model) => {
  const client = new OpenAI({ baseURL, apiKey, dangerouslyAllowBrowser: true, maxRetries: 0 });
  const chat = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Hello' }], max_tokens: 4, temperature: 0 });
  const resp = await client.responses.create({ model, input: 'Hello', max_output_tokens: 4, temperature: 0 });
  let streamed = '';
  for await (const ev of await client.responses.create({ model, input: 'Hello', max_output_tokens: 4, temperature: 0, stream: true })) {
    if (ev.type === 'response.output_text.delta') streamed += ev.delta;
  }
  return { chat: chat.choices[0].message.content, chatTokens: chat.usage.completion_tokens,
    resp: resp.output_text, respTokens: resp.usage.output_tokens, streamed, id: chat.id };
};
window.ready = true;
</script>`;
  const srv = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(page);
      return;
    }
    const rel = url.pathname.replace(/^\/openai\//, '');
    const file = path.join(sdkDir, rel);
    if (!url.pathname.startsWith('/openai/') || !file.startsWith(sdkDir + path.sep) || !file.endsWith('.mjs')) {
      res.writeHead(404).end();
      return;
    }
    try {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(await fs.readFile(file));
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return srv;
}

test('the openai package in a browser on another origin (CORS)', { timeout: 120_000 }, async () => {
  const srv = await pageServer();
  const browser = await chromium.launch({
    executablePath, headless: true, timeout: 60_000,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(60_000);
    const errors = [];
    page.on('pageerror', (err) => errors.push(String(err)));
    page.on('console', (msg) => { if (msg.type() === 'error') errors.push(`console: ${msg.text()}`); });
    const origin = `http://127.0.0.1:${srv.address().port}/`;
    assert.notEqual(new URL(origin).origin, new URL(baseURL).origin, 'the page must be on another origin');
    await page.goto(origin, { waitUntil: 'load' });
    await page.waitForFunction(() => window.ready === true);
    const got = await page.evaluate(([u, k, m]) => window.run(u, k, m), [baseURL, apiKey, model]);
    assert.deepEqual(errors, []);
    assert.ok(got.chat.length > 0 && got.resp.length > 0, `replies ${JSON.stringify(got)}`);
    assert.ok(got.respTokens > 0 && got.respTokens <= 4, `${got.respTokens} output tokens`);
    assert.equal(got.streamed, got.resp, 'greedy stream and non-stream differ in the browser');
    assert.match(got.id, /^chatcmpl-/);
  } finally {
    await browser.close();
    await new Promise((resolve) => srv.close(resolve));
  }
});

test('no client sent a request beyond the loopback interface', () => {
  assert.deepEqual(foreign, []);
});
