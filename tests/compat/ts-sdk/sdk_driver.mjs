// Drives the official TypeScript SDK (@openai/codex-sdk) for tests/e2e/test_ts_sdk.py.
//
// Reads a JSON spec on stdin:
//   { "codex": CodexOptions, "thread": ThreadOptions, "resumeThreadId"?: string,
//     "steps": [{ "input": Input, "turn"?: TurnOptions, "streamed"?: boolean }] }
// runs every step on one thread (`thread.run` or `thread.runStreamed`), and prints a JSON array
// with one result per step: { ok, threadId, finalResponse, items, usage } for `run`,
// { ok, threadId, events } for `runStreamed`, { ok: false, threadId, error } when it threw.
import { Codex } from "@openai/codex-sdk";

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

const spec = JSON.parse(await readStdin());
const codex = new Codex(spec.codex ?? {});
const thread = spec.resumeThreadId
  ? codex.resumeThread(spec.resumeThreadId, spec.thread ?? {})
  : codex.startThread(spec.thread ?? {});
const results = [];
for (const step of spec.steps) {
  try {
    if (step.streamed) {
      const { events } = await thread.runStreamed(step.input, step.turn ?? {});
      const seen = [];
      for await (const event of events) seen.push(event);
      results.push({ ok: true, threadId: thread.id, events: seen });
    } else {
      const turn = await thread.run(step.input, step.turn ?? {});
      results.push({ ok: true, threadId: thread.id, ...turn });
    }
  } catch (error) {
    results.push({ ok: false, threadId: thread.id, error: error instanceof Error ? error.message : String(error) });
  }
}
process.stdout.write(JSON.stringify(results) + "\n");
