// End-to-end tests of a running deepgo server with the official openai client.
//
// Environment (edge/e2e_test.go sets it): DEEPGO_URL (the /v1 base URL), DEEPGO_KEY (a
// valid API key) and DEEPGO_MODEL (the served model id). The model may be random weights:
// the tests check the protocol and the agreement of greedy replies, not the text itself.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';

const baseURL = need('DEEPGO_URL');
const apiKey = need('DEEPGO_KEY');
const model = need('DEEPGO_MODEL');

function need(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (run these tests through go test -run TestNodeClients ./edge/)`);
  return v;
}

// maxRetries 0: a retried request would hide a server error behind a later success.
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 60_000 });

const messages = [{ role: 'user', content: 'Hello! Who are you?' }];

function checkUsage(usage, completion) {
  assert.ok(usage, 'usage is missing');
  assert.ok(Number.isInteger(usage.prompt_tokens) && usage.prompt_tokens > 0, `prompt_tokens ${usage.prompt_tokens}`);
  assert.equal(usage.completion_tokens, completion);
  assert.equal(usage.total_tokens, usage.prompt_tokens + usage.completion_tokens);
}

// errorOf runs fn, which must throw, and returns what it threw.
async function errorOf(fn) {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  assert.fail('the request succeeded; it should have failed');
}

test('chat completion, greedy, stream and non-stream agree', async (t) => {
  const req = { model, messages, temperature: 0, max_tokens: 8 };

  const res = await client.chat.completions.create(req);
  assert.equal(res.object, 'chat.completion');
  assert.equal(res.model, model);
  assert.match(res.id, /^chatcmpl-/);
  assert.equal(res.choices.length, 1);
  const choice = res.choices[0];
  assert.equal(choice.index, 0);
  assert.equal(choice.message.role, 'assistant');
  assert.equal(typeof choice.message.content, 'string');
  assert.ok(choice.message.content.length > 0, 'empty content');
  assert.equal(choice.finish_reason, 'length');
  checkUsage(res.usage, 8);

  await t.test('streamed with include_usage', async () => {
    const stream = await client.chat.completions.create({ ...req, stream: true, stream_options: { include_usage: true } });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    assert.ok(chunks.length >= 3, `only ${chunks.length} chunks`);
    for (const c of chunks) {
      assert.equal(c.object, 'chat.completion.chunk');
      assert.equal(c.model, model);
      assert.equal(c.id, chunks[0].id, 'chunks of one stream share an id');
    }
    const text = chunks.flatMap((c) => c.choices).map((c) => c.delta?.content ?? '').join('');
    assert.equal(text, choice.message.content, 'streamed text differs from the non-streamed reply');
    const finishes = chunks.flatMap((c) => c.choices).map((c) => c.finish_reason).filter(Boolean);
    assert.deepEqual(finishes, ['length']);
    const last = chunks.at(-1);
    assert.deepEqual(last.choices, [], 'the usage chunk has no choices');
    checkUsage(last.usage, 8);
    assert.equal(last.usage.prompt_tokens, res.usage.prompt_tokens);
    for (const c of chunks.slice(0, -1)) assert.ok(c.usage == null, 'usage before the last chunk');
  });

  await t.test('streamed without include_usage has no usage chunk', async () => {
    const stream = await client.chat.completions.create({ ...req, stream: true });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    assert.ok(chunks.every((c) => c.usage == null), 'usage sent without include_usage');
    assert.ok(chunks.every((c) => c.choices.length === 1));
    assert.equal(chunks.map((c) => c.choices[0].delta?.content ?? '').join(''), choice.message.content);
  });
});

test('completion, greedy, stream and non-stream agree', async () => {
  const req = { model, prompt: 'The capital of France is', temperature: 0, max_tokens: 6 };
  const res = await client.completions.create(req);
  assert.equal(res.object, 'text_completion');
  assert.equal(res.model, model);
  assert.equal(res.choices.length, 1);
  assert.equal(typeof res.choices[0].text, 'string');
  assert.ok(res.choices[0].text.length > 0, 'empty text');
  assert.equal(res.choices[0].finish_reason, 'length');
  checkUsage(res.usage, 6);

  const stream = await client.completions.create({ ...req, stream: true, stream_options: { include_usage: true } });
  let text = '';
  let finish = null;
  let usage = null;
  for await (const chunk of stream) {
    for (const c of chunk.choices) {
      text += c.text ?? '';
      if (c.finish_reason) finish = c.finish_reason;
    }
    if (chunk.usage) usage = chunk.usage;
  }
  assert.equal(text, res.choices[0].text, 'streamed text differs from the non-streamed reply');
  assert.equal(finish, 'length');
  checkUsage(usage, 6);
});

test('models.list names the served model', async () => {
  const ids = [];
  for await (const m of client.models.list()) ids.push(m.id);
  assert.deepEqual(ids, [model]);
  const m = await client.models.retrieve(model);
  assert.equal(m.id, model);
  assert.equal(m.object, 'model');
});

test('a wrong API key is AuthenticationError 401', async () => {
  const bad = new OpenAI({ baseURL, apiKey: 'sk-wrong', maxRetries: 0 });
  const err = await errorOf(() => bad.chat.completions.create({ model, messages, max_tokens: 1 }));
  assert.ok(err instanceof OpenAI.AuthenticationError, `got ${err?.constructor?.name}: ${err}`);
  assert.equal(err.status, 401);
  assert.equal(err.type, 'authentication_error');
  assert.ok(typeof err.error?.message === 'string' && err.error.message.length > 0, 'no error message');
  const err2 = await errorOf(() => bad.models.list());
  assert.ok(err2 instanceof OpenAI.AuthenticationError, `models.list: got ${err2?.constructor?.name}: ${err2}`);
});

test('an unknown model is NotFoundError 404 model_not_found', async () => {
  const err = await errorOf(() => client.chat.completions.create({ model: 'no-such-model', messages, max_tokens: 1 }));
  assert.ok(err instanceof OpenAI.NotFoundError, `got ${err?.constructor?.name}: ${err}`);
  assert.equal(err.status, 404);
  assert.equal(err.code, 'model_not_found');
  assert.equal(err.param, 'model');
  assert.match(err.message, /no-such-model/);
});

test('a body that is not JSON is 400 invalid_request_error', async () => {
  const resp = await fetch(`${baseURL.replace(/\/$/, '')}/chat/completions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${apiKey}` },
    body: '{"model":',
  });
  assert.equal(resp.status, 400);
  assert.match(resp.headers.get('content-type') ?? '', /application\/json/);
  const body = await resp.json();
  assert.equal(body.error?.type, 'invalid_request_error');
  assert.ok(body.error.message.length > 0, 'no error message');
});

test('n=9 is BadRequestError 400 naming n', async () => {
  const err = await errorOf(() => client.chat.completions.create({ model, messages, max_tokens: 1, n: 9 }));
  assert.ok(err instanceof OpenAI.BadRequestError, `got ${err?.constructor?.name}: ${err}`);
  assert.equal(err.status, 400);
  assert.equal(err.param, 'n');
  assert.match(err.message, /\bn\b/);
  assert.match(err.requestID ?? '', /^req_/, 'the error has no x-request-id');
});

test('n=2: two choices, streamed and not, with a request id', async () => {
  const req = { model, messages, temperature: 0, max_tokens: 6, n: 2 };
  const { data: res, response } = await client.chat.completions.create(req).withResponse();
  assert.match(response.headers.get('x-request-id') ?? '', /^req_/);
  assert.deepEqual(res.choices.map((c) => c.index), [0, 1]);
  for (const c of res.choices) {
    assert.equal(c.message.refusal, null);
    // Greedy: both copies are the same reply.
    assert.equal(c.message.content, res.choices[0].message.content);
  }
  const stream = await client.chat.completions.create({ ...req, stream: true });
  const texts = ['', ''];
  for await (const chunk of stream) {
    for (const c of chunk.choices) texts[c.index] += c.delta.content ?? '';
  }
  assert.deepEqual(texts, res.choices.map((c) => c.message.content));
});

test('completions: a list of prompts, echo and logit_bias', async () => {
  const res = await client.completions.create({
    model, prompt: ['In the beginning', 'And God said'], temperature: 0, max_tokens: 3, echo: true,
  });
  assert.deepEqual(res.choices.map((c) => c.index), [0, 1]);
  assert.ok(res.choices[0].text.startsWith('In the beginning'), res.choices[0].text);
  assert.ok(res.choices[1].text.startsWith('And God said'), res.choices[1].text);
  const err = await errorOf(() => client.completions.create({ model, prompt: 'x', logit_bias: { 'not-an-id': 1 } }));
  assert.ok(err instanceof OpenAI.BadRequestError, `got ${err?.constructor?.name}: ${err}`);
  assert.equal(err.param, 'logit_bias');
});

test('logprobs with top_logprobs=2', async () => {
  const res = await client.chat.completions.create({
    model, messages, temperature: 0, max_tokens: 4, logprobs: true, top_logprobs: 2,
  });
  const content = res.choices[0].logprobs?.content;
  assert.ok(Array.isArray(content), 'logprobs.content is missing');
  assert.equal(content.length, 4);
  // A token may be part of a UTF-8 sequence, so compare the bytes, not the token strings.
  const bytes = Buffer.from(content.flatMap((e) => e.bytes ?? [...Buffer.from(e.token)]));
  assert.equal(bytes.toString('utf8'), res.choices[0].message.content);
  for (const e of content) {
    assert.equal(typeof e.token, 'string');
    assert.ok(Number.isFinite(e.logprob) && e.logprob <= 0, `logprob ${e.logprob}`);
    assert.equal(e.top_logprobs.length, 2);
    for (const top of e.top_logprobs) {
      assert.equal(typeof top.token, 'string');
      assert.ok(Number.isFinite(top.logprob) && top.logprob <= 0);
    }
    assert.ok(e.top_logprobs[0].logprob >= e.top_logprobs[1].logprob, 'top_logprobs not in order');
    // Greedy: the chosen token is the most likely one.
    assert.equal(e.top_logprobs[0].token, e.token);
  }
});
