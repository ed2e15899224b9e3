/**
 * How batchctl speaks: results on stdout (a human table, or with `--json` exactly
 * one JSON document), notes, warnings and progress on stderr so they never mix
 * into what a script parses.
 */

export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Whether stderr is a terminal: progress redraws itself only there. */
  readonly stderrIsTTY: boolean;
}

export class Output {
  constructor(
    readonly io: Io,
    readonly json: boolean,
  ) {}

  /**
   * The command's result: `human()` as text, or with --json `{ ok, exitCode, command, ...data }`
   * (a result can come with a non-zero exit: a redrive with failures, a filter that matched nothing).
   */
  result(command: string, data: Readonly<Record<string, unknown>>, human: () => string, exitCode = 0): void {
    if (this.json) {
      this.io.stdout(`${JSON.stringify({ ok: exitCode === 0, exitCode, command, ...data }, null, 2)}\n`);
    } else {
      const text = human();
      this.io.stdout(text.endsWith('\n') ? text : `${text}\n`);
    }
  }

  /** The failure document of --json (the human message goes to stderr either way). */
  failure(command: string | undefined, error: { code: string; message: string; exitCode: number }): void {
    if (!this.json) return;
    const document = {
      ok: false,
      exitCode: error.exitCode,
      ...(command === undefined ? {} : { command }),
      error: { code: error.code, message: error.message },
    };
    this.io.stdout(`${JSON.stringify(document, null, 2)}\n`);
  }

  note(message: string): void {
    this.io.stderr(`${message}\n`);
  }

  warn(message: string): void {
    this.io.stderr(`warning: ${message}\n`);
  }
}

/** A plain left-aligned table; `—` stands for a missing value. */
export function table(
  headers: readonly string[],
  rows: readonly (readonly (string | number | undefined)[])[],
): string {
  const cells = rows.map((row) => headers.map((_, index) => String(row[index] ?? '—')));
  const widths = headers.map((header, index) =>
    Math.max(header.length, ...cells.map((row) => row[index]?.length ?? 0)),
  );
  const line = (values: readonly string[]) =>
    values
      .map((value, index) => (index === values.length - 1 ? value : value.padEnd(widths[index] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...cells.map(line)].join('\n');
}

/** `key: value` lines, keys aligned; undefined values are left out. */
export function fields(entries: readonly (readonly [string, string | number | null | undefined])[]): string {
  const present = entries.filter(([, value]) => value !== undefined);
  const width = Math.max(0, ...present.map(([key]) => key.length));
  return present
    .map(([key, value]) => `${`${key}:`.padEnd(width + 1)} ${value === null ? '—' : value}`)
    .join('\n');
}

/** `4s`, `3m 12s`, `2h 05m`, `3d 4h`: how long ago, at a glance. */
export function formatAge(milliseconds: number): string {
  const seconds = Math.max(0, Math.floor(milliseconds / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${String(minutes % 60).padStart(2, '0')}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/** Cuts `text` to `max` characters with an ellipsis; newlines become spaces. */
export function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, Math.max(0, max - 1))}…`;
}
