import fs from 'node:fs';

/** The pids whose parent is this process, read from /proc (Linux). */
export function childPids(): number[] {
  const children: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // pid (comm) state ppid ...: comm may hold spaces and parentheses, so read after the last ')'.
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (parent === process.pid) children.push(Number(entry));
  }
  return children;
}

/**
 * SIGKILLs each of `pids` and its process group (the cluster's servers and tfa's processes each
 * lead their own group): what a failed or timed-out test left running.
 */
export function killProcessGroups(pids: readonly number[]): void {
  for (const pid of pids) {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // not a group leader, or already gone
      }
    }
  }
}
