import { execFileSync } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';
import { startTaskProcess } from '../../../sandbox/ecs/task-process.js';
import { eventually, isAlive } from './local-ecs-fixture.js';

/** The process group of a process, as `ps` reports it. */
function processGroupOf(pid: number): number {
  return Number(execFileSync('ps', ['-o', 'pgid=', '-p', String(pid)], { encoding: 'utf8' }).trim());
}

/**
 * Starts a task that starts a grandchild, writes "pids <task> <grandchild>", and ignores SIGTERM
 * when asked to, so only SIGKILL ends it.
 */
function startTaskWithGrandchild(ignoreSigterm: boolean) {
  const script = [
    "const { spawn } = require('node:child_process');",
    "const grandchild = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });",
    ignoreSigterm ? "process.on('SIGTERM', () => console.log('ignoring SIGTERM'));" : '',
    "console.log('pids ' + process.pid + ' ' + grandchild.pid);",
    'setInterval(() => {}, 1000);',
  ].join('\n');
  const lines: string[] = [];
  const task = startTaskProcess(
    { command: process.execPath, args: ['-e', script], env: {} },
    { onStart: () => undefined, onLine: (line) => lines.push(line) },
  );
  return { task, lines };
}

async function pidsOf(lines: string[]): Promise<{ task: number; grandchild: number }> {
  await eventually(() => lines.some((line) => line.startsWith('pids ')));
  const [, task, grandchild] = (lines.find((line) => line.startsWith('pids ')) as string).split(' ');
  return { task: Number(task), grandchild: Number(grandchild) };
}

describe('startTaskProcess process groups', () => {
  it('runs the task in its own process group, out of reach of a Ctrl-C to the sandbox', async () => {
    // Arrange
    const { task, lines } = startTaskWithGrandchild(false);
    const pids = await pidsOf(lines);

    // Act
    const group = processGroupOf(pids.task);

    // Assert
    expect(group).toBe(pids.task);
    expect(group).not.toBe(processGroupOf(process.pid));
    expect(processGroupOf(pids.grandchild)).toBe(pids.task);
    await task.stop(2_000);
  });

  it('stops the whole group with SIGTERM, the task and what it started', async () => {
    const { task, lines } = startTaskWithGrandchild(false);
    const pids = await pidsOf(lines);

    await task.stop(5_000);
    await eventually(() => !isAlive(pids.grandchild));

    expect(await task.outcome).toEqual({ kind: 'exited', exitCode: 143 });
    expect(isAlive(pids.task)).toBe(false);
  });

  it('kills the whole group with SIGKILL when the task ignores SIGTERM', async () => {
    const { task, lines } = startTaskWithGrandchild(true);
    const pids = await pidsOf(lines);

    await task.stop(200);
    await eventually(() => !isAlive(pids.grandchild));

    expect(await task.outcome).toEqual({ kind: 'exited', exitCode: 137 });
    expect(lines).toContain('ignoring SIGTERM');
    expect(isAlive(pids.task)).toBe(false);
  });
});
