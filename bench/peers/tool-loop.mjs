// The same scripted tool loop tfa runs in `npm run bench`, in a peer: LangGraph.js with SqliteSaver
// or MemorySaver, or a plain loop with no framework. Each step asks the scripted model (real HTTP,
// Chat Completions, through the openai client as tfa does) for one tool call with the whole
// conversation, runs the no-op tool, appends both. The requests carry what tfa's carry: the agent's
// instructions, its tool definitions and the tool's output, from the workload file the bench writes.
// Usage: node tool-loop.mjs <langgraph-sqlite|langgraph-memory|plain> <baseURL> <steps> <rounds> <workload.json>
// (plus one warm-up round). Prints one JSON line: { "wallMsPerStep": [per round] }.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';

const [peer, baseURL, stepsArg, roundsArg, workloadFile] = process.argv.slice(2);
const steps = Number(stepsArg);
const rounds = Number(roundsArg);
/** { model, instructions, tools, toolOutput }: see PeerWorkload in run-peers.ts. */
const workload = JSON.parse(fs.readFileSync(workloadFile, 'utf8'));
const openai = new OpenAI({ baseURL, apiKey: 'scripted', maxRetries: 0 });

/** One model call: the instructions and the conversation in, one tool call out. */
async function chooseTool(messages) {
  const completion = await openai.chat.completions.create({
    model: workload.model,
    messages: [{ role: 'system', content: workload.instructions }, ...messages],
    tools: workload.tools,
    tool_choice: 'required',
    parallel_tool_calls: false,
  });
  return completion.choices[0].message;
}

/** No-op, as in tfa's loop (only the engine is measured), with the output tfa's no-op gives. */
const runTool = async () => workload.toolOutput;

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
