// End-to-end tests of structured outputs with the clients applications use for them: the
// AI SDK's generateObject (ai, @ai-sdk/openai) and LangChain's withStructuredOutput
// (@langchain/openai), with zod schemas, on the trained model and on one of random
// weights. The server constrains the reply to the schema, so even random weights must give
// an object the schema accepts.
//
// Environment (edge/e2e_test.go sets it): DEEPGO_URL and DEEPGO_MODEL (the trained model),
// DEEPGO_RANDOM_URL and DEEPGO_RANDOM_MODEL (random weights), DEEPGO_KEY (an API key for
// both).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { generateObject } from 'ai';
import { createOpenAI } from '@ai-sdk/openai';
import { ChatOpenAI } from '@langchain/openai';

function need(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (run these tests through go test -run TestNodeClients ./edge/)`);
  return v;
}

const apiKey = need('DEEPGO_KEY');
const servers = [
  { name: 'trained', baseURL: need('DEEPGO_URL'), model: need('DEEPGO_MODEL') },
  { name: 'random', baseURL: need('DEEPGO_RANDOM_URL'), model: need('DEEPGO_RANDOM_MODEL') },
];

// Order has what schemas of applications have: nested objects, an array with bounds,
// an enum, a nullable field, integers and numbers. Strings are bounded so that a model of
// random weights, which seldom closes a string, finishes within maxTokens.
const Order = z.object({
  customer: z.object({ name: z.string().max(20), vip: z.boolean() }),
  items: z.array(z.object({ sku: z.string().max(12), qty: z.number().int().min(1).max(99), price: z.number().min(0).max(10000) })).min(1).max(2),
  status: z.enum(['open', 'paid', 'shipped']),
  note: z.string().max(10).nullable(),
});

// Verdict is the schema of the function-calling tests: small, because the tool's
// description goes into the prompt, and the trained model's context is 1024 tokens.
const Verdict = z.object({ answer: z.enum(['yes', 'no']), confidence: z.number().int().min(0).max(100), reason: z.string().max(16) });

const prompt = 'Write the order of a customer as JSON.';
// Within what the trained model's 1024-token context leaves after the function-calling
// prompt (a max_tokens beyond the room left is refused, not cut short).
const maxTokens = 500;

for (const s of servers) {
  test(`AI SDK generateObject, ${s.name} model`, async () => {
    const openai = createOpenAI({ baseURL: s.baseURL, apiKey });
    for (const temperature of [0, 1]) {
      const res = await generateObject({
        model: openai.chat(s.model),
        schema: Order,
        schemaName: 'order',
        prompt,
        temperature,
        seed: 7,
        maxOutputTokens: maxTokens,
        maxRetries: 0,
      });
      assert.equal(res.finishReason, 'stop');
      Order.parse(res.object); // generateObject validated it too: this says it again
      assert.ok(res.usage.outputTokens > 0, `usage ${JSON.stringify(res.usage)}`);
    }
  });

  for (const [method, schema] of [['jsonSchema', Order], ['functionCalling', Verdict]]) {
    test(`LangChain withStructuredOutput (${method}), ${s.name} model`, async () => {
      const llm = new ChatOpenAI({
        model: s.model,
        apiKey,
        configuration: { baseURL: s.baseURL },
        temperature: 0,
        maxTokens,
        maxRetries: 0,
      });
      const out = await llm.withStructuredOutput(schema, { name: 'answer', method }).invoke(prompt);
      schema.parse(out);
    });
  }
}

test('a schema the server cannot enforce is a 400 naming the keyword', async () => {
  const s = servers[0];
  const openai = createOpenAI({ baseURL: s.baseURL, apiKey });
  const Email = z.object({ email: z.string().email() }); // "format": "email", "pattern": ...
  await assert.rejects(
    generateObject({ model: openai.chat(s.model), schema: Email, prompt, maxOutputTokens: 50, maxRetries: 0 }),
    (err) => {
      assert.equal(err.statusCode, 400, String(err));
      const { error } = JSON.parse(err.responseBody);
      assert.equal(error.param, 'response_format');
      assert.match(error.message, /"(format|pattern)"/);
      return true;
    },
  );
});
