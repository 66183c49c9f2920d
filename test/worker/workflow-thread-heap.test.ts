import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * In a fresh process (V8 flags are process-wide, so not in jest's): the heap limit of the main thread and
 * of a worker thread (how the SDK runs workflows), started before and after capWorkflowThreadHeap.
 */
function heapLimits(): { mainBefore: number; threadBefore: number; threadAfter: number; mainAfter: number } {
  const probe = `
    const { Worker } = require('node:worker_threads');
    const v8 = require('node:v8');
    const { capWorkflowThreadHeap } = require('./worker/workflow-thread-heap');
    const report = "require('node:worker_threads').parentPort.postMessage(require('node:v8').getHeapStatistics().heap_size_limit)";
    const threadLimit = () =>
      new Promise((resolve) => {
        const thread = new Worker(report, { eval: true });
        thread.once('message', (limit) => thread.terminate().then(() => resolve(limit)));
      });
    (async () => {
      const mainBefore = v8.getHeapStatistics().heap_size_limit;
      const threadBefore = await threadLimit();
      capWorkflowThreadHeap();
      const threadAfter = await threadLimit();
      const mainAfter = v8.getHeapStatistics().heap_size_limit;
      console.log(JSON.stringify({ mainBefore, threadBefore, threadAfter, mainAfter }));
    })();`;
  const output = execFileSync(process.execPath, ['--import', 'tsx', '-e', probe], {
    cwd: path.join(__dirname, '..', '..'),
    encoding: 'utf8',
  });
  return JSON.parse(output) as ReturnType<typeof heapLimits>;
}

test('capWorkflowThreadHeap shrinks the young generation of threads started after it, not of the main thread', () => {
  const limits = heapLimits();
  expect(limits.threadAfter).toBeLessThan(limits.threadBefore);
  expect(limits.mainAfter).toBe(limits.mainBefore);
});
