import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { dropLines, EMPTY_METRICS_WARNING } from './support/dropped-lines.js';
import { describeReport, type ReliabilityReport, runReliability } from './support/reliability-run.js';

/**
 * The reliability run of `npm run test:reliability`, scaled down to fit `npm test`: 400 events
 * of the same mix (10 % duplicates, 5 % malformed), 20 % placement failures, RunTask limited to
 * 20/s with a burst of 20 (Fargate's rate, the burst scaled with the run), and one launcher
 * crash mid-run. Asserts correctness only: the machine is shared, its timings are not ours.
 */
// The run waits with its own deadline (below); this only bounds a stuck run.
jest.setTimeout(180_000);

describe('launch-batch through the sandbox under duplicates, malformed input, ECS faults, throttling and a crash', () => {
  let report: ReliabilityReport;
  const quiet: ReturnType<typeof dropLines>[] = [];

  beforeAll(async () => {
    quiet.push(
      dropLines(process.stdout, [EMPTY_METRICS_WARNING]),
      dropLines(process.stderr, [EMPTY_METRICS_WARNING]),
    );
    report = await runReliability({
      events: 400,
      runTaskRateLimit: { ratePerSecond: 20, burst: 20 },
      crashAt: [0.5],
      timeoutMs: 150_000,
    });
  });

  afterAll(() => {
    for (const q of quiet) q.restore();
  });

  it('holds every invariant of the run when faults hit it', () => {
    expect({ violations: report.violations, figures: describeReport(report) }).toEqual({
      violations: [],
      figures: expect.any(Array),
    });
  });

  it('launches exactly one task per unique valid request when duplicates and a crash redeliver it', () => {
    const { figures } = report;

    expect(figures).toMatchObject({
      uniqueValid: 340,
      tasks: 340,
      exactlyOneTask: 340,
      lost: 0,
      duplicated: 0,
      unexpectedTasks: 0,
    });
  });

  it('dead-letters every malformed request with its errorCode when the mix holds four kinds', () => {
    expect(report.figures).toMatchObject({
      malformed: 20,
      deadLetters: 20,
      malformedDeadLetteredWithCode: 20,
      deadLetteredByCode: { SchemaViolation: 10, UnknownBatchType: 5, OverridesTooLarge: 5 },
      validDeadLettered: 0,
      deadLetterCopies: 0,
    });
  });

  it('meets the faults it claims when RunTask throttles and fails placement', () => {
    const { figures } = report;

    expect(figures.runTask.unplaced).toBeGreaterThan(0);
    expect(figures.runTask.throttled).toBeGreaterThan(0);
    expect(figures.crashes).toBe(1);
    expect(figures.duplicatesAfterWindow).toBe(20);
    // Every late duplicate reached the launcher as its own message (fresh deduplication id).
    expect(figures.messagesSeen).toBeGreaterThanOrEqual(340 + 20 + 20);
  });
});
