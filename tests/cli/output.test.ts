import { ExitCode } from '../../src/cli/exit-codes.js';
import { fields, formatAge, Output, table, truncate } from '../../src/cli/output.js';
import { progressLine } from '../../src/cli/progress.js';

function capture(stderrIsTTY = false) {
  const streams = { stdout: '', stderr: '' };
  const io = {
    stdout: (text: string) => {
      streams.stdout += text;
    },
    stderr: (text: string) => {
      streams.stderr += text;
    },
    stderrIsTTY,
  };
  return { io, streams };
}

describe('formatAge', () => {
  it.each([
    [0, '0s'],
    [59_999, '59s'],
    [192_000, '3m 12s'],
    [7_500_000, '2h 05m'],
    [273_600_000, '3d 4h'],
    [-5, '0s'],
  ])('%d ms reads %s', (milliseconds, text) => {
    expect(formatAge(milliseconds)).toBe(text);
  });
});

describe('table', () => {
  it('aligns columns and shows a missing value as —', () => {
    expect(
      table(
        ['A', 'LONGER'],
        [
          ['x', 1],
          [undefined, 'two'],
        ],
      ),
    ).toBe('A  LONGER\nx  1\n—  two');
  });
});

describe('fields', () => {
  it('aligns keys and leaves out undefined values', () => {
    expect(
      fields([
        ['a', 1],
        ['long key', 'x'],
        ['gone', undefined],
        ['none', null],
      ]),
    ).toBe('a:        1\nlong key: x\nnone:     —');
  });
});

describe('truncate', () => {
  it('flattens whitespace and cuts with an ellipsis', () => {
    expect(truncate('a\n  b', 10)).toBe('a b');
    expect(truncate('abcdefghij', 5)).toBe('abcd…');
  });
});

describe('Output', () => {
  it('writes one JSON document with ok and exitCode in --json mode', () => {
    const { io, streams } = capture();

    new Output(io, true).result('status', { a: 1 }, () => 'human', ExitCode.NotFound);

    expect(JSON.parse(streams.stdout)).toEqual({ ok: false, exitCode: 3, command: 'status', a: 1 });
  });

  it('writes the human text otherwise, and nothing for failures', () => {
    const { io, streams } = capture();
    const output = new Output(io, false);

    output.result('status', { a: 1 }, () => 'human');
    output.failure('status', { code: 'X', message: 'm', exitCode: 1 });

    expect(streams.stdout).toBe('human\n');
  });
});

describe('progressLine', () => {
  it('redraws in place on a terminal', () => {
    const { io, streams } = capture(true);
    const progress = progressLine(io, 'redriving');

    progress.update(1, 4, 'moved 1');
    progress.update(4, 4, 'moved 4');
    progress.finish();

    expect(streams.stderr).toBe(
      '\r\x1b[2Kredriving [######------------------] 1/4 moved 1' +
        '\r\x1b[2Kredriving [########################] 4/4 moved 4\n',
    );
  });

  it('prints only the final state elsewhere', () => {
    const { io, streams } = capture(false);
    const progress = progressLine(io, 'move task');

    progress.update(1, undefined, 'RUNNING');
    progress.update(2, undefined, 'COMPLETED');
    progress.finish();

    expect(streams.stderr).toBe('move task 2 COMPLETED\n');
  });
});
