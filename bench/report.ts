import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { arch, cpus, platform } from 'node:os';

/** Where each benchmark writes its figures, for comparing runs and machines. */
export function writeResult(name: string, result: unknown): string {
  mkdirSync('bench/results', { recursive: true });
  const path = `bench/results/${name}.json`;
  const machine = {
    node: process.version,
    platform: platform(),
    arch: arch(),
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
  };
  writeFileSync(
    path,
    `${JSON.stringify({ name, at: new Date().toISOString(), machine, result }, null, 2)}\n`,
  );
  return path;
}

/** Replaces the README's block between `<!-- bench:<name> -->` and `<!-- /bench:<name> -->`. */
export function writeReadmeTable(name: string, markdown: string): void {
  const readme = readFileSync('README.md', 'utf8');
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) {
    throw new Error(`README.md has no ${start} … ${end} block: add one where the ${name} table belongs`);
  }
  writeFileSync(
    'README.md',
    `${readme.slice(0, from + start.length)}\n${markdown.trim()}\n${readme.slice(to)}`,
  );
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}
