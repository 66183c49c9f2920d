// The same scripted tool loop tfa runs in `npm run bench`, in a peer: LangGraph.js with SqliteSaver
// or MemorySaver, or a plain loop with no framework. Each step asks the scripted model (real HTTP,
// Chat Completions) for one tool call with the whole conversation, runs the no-op tool, appends both.
// Usage: node tool-loop.mjs <langgraph-sqlite|langgraph-memory|plain> <baseURL> <steps> <rounds> (plus one warm-up round)
// Prints one JSON line: { "wallMsPerStep": [per round] }.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [peer, baseURL, stepsArg, roundsArg] = process.argv.slice(2);
const steps = Number(stepsArg);
const rounds = Number(roundsArg);
const tools = ['list_releases', 'done_for_now'].map((name) => ({
  type: 'function',
  function: { name, description: name, parameters: { type: 'object', properties: {}, additionalProperties: true } },
}));

/** One model call: the conversation in, one tool call out. */
async function chooseTool(messages) {
  const response = await fetch(`${baseURL}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer scripted' },
    body: JSON.stringify({ model: 'scripted', messages, tools, tool_choice: 'required' }),
  });
  if (!response.ok) throw new Error(`model HTTP ${response.status}: ${await response.text()}`);
  return (await response.json()).choices[0].message;
}

const runTool = async () => '[]'; // no-op, as in tfa's loop: only the engine is measured

async function plainLoop(task) {
  const messages = [{ role: 'user', content: task }];
  for (;;) {
    const message = await chooseTool(messages);
    messages.push(message);
    const call = message.tool_calls[0];
    if (call.function.name === 'done_for_now') return;
    messages.push({ role: 'tool', tool_call_id: call.id, content: await runTool() });
  }
}

async function langGraphLoop(checkpointer, task, threadId) {
  const { Annotation, END, START, StateGraph } = await import('@langchain/langgraph');
  const State = Annotation.Root({ messages: Annotation({ reducer: (a, b) => a.concat(b), default: () => [] }) });
  const lastCall = (state) => state.messages.at(-1).tool_calls[0];
  const graph = new StateGraph(State)
    .addNode('agent', async (state) => ({ messages: [await chooseTool(state.messages)] }))
    .addNode('tools', async (state) => ({
      messages: [{ role: 'tool', tool_call_id: lastCall(state).id, content: await runTool() }],
    }))
    .addEdge(START, 'agent')
    .addConditionalEdges('agent', (state) => (lastCall(state).function.name === 'done_for_now' ? END : 'tools'))
    .addEdge('tools', 'agent')
    .compile({ checkpointer });
  await graph.invoke(
    { messages: [{ role: 'user', content: task }] },
    { configurable: { thread_id: threadId }, recursionLimit: 4 * steps + 10 },
  );
}

async function checkpointerFor(kind) {
  if (kind === 'langgraph-memory') return new (await import('@langchain/langgraph')).MemorySaver();
  const { SqliteSaver } = await import('@langchain/langgraph-checkpoint-sqlite');
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tfa-peer-')), 'checkpoints.db');
  return SqliteSaver.fromConnString(file);
}

const checkpointer = peer === 'plain' ? null : await checkpointerFor(peer);
const wallMsPerStep = [];
// One warm-up round first (module loading, JIT), left out of the figures as in tfa's loops.
for (let round = -1; round < rounds; round++) {
  const task = `list the staging releases ${steps - 1} times`;
  const started = performance.now();
  if (peer === 'plain') await plainLoop(task);
  else await langGraphLoop(checkpointer, task, `round-${round}`);
  if (round >= 0) wallMsPerStep.push((performance.now() - started) / steps);
}
console.log(JSON.stringify({ wallMsPerStep }));
