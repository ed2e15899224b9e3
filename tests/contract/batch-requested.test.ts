import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { batchRequestedDetailSchema, batchRequestedJsonSchema } from '../../src/contract/batch-requested.js';

describe('BatchRequested contract v1', () => {
  it('matches the committed JSON Schema (run `npm run schema:generate` after changing the zod schema)', () => {
    const committed = JSON.parse(readFileSync('schemas/batch-requested.v1.schema.json', 'utf8'));
    expect(committed).toEqual(batchRequestedJsonSchema());
  });

  it('accepts the full and the minimal event', () => {
    expect(
      batchRequestedDetailSchema.parse({
        batchTypeId: 3,
        requestId: 'order-42_a',
        traceId: 'Root=1-5759e988-bd862e3fe1be46a994272793',
        parameters: { day: '2026-12-04' },
      }),
    ).toBeDefined();
    expect(batchRequestedDetailSchema.parse({ batchTypeId: 1, parameters: '--all' })).toEqual({
      batchTypeId: 1,
      parameters: '--all',
    });
  });

  it.each([
    [{}, 'batchTypeId'],
    [{ batchTypeId: 0 }, 'batchTypeId'],
    [{ batchTypeId: 1.5 }, 'batchTypeId'],
    [{ batchTypeId: '1' }, 'batchTypeId'],
    [{ batchTypeId: 1, requestId: 'has space' }, 'requestId'],
    [{ batchTypeId: 1, requestId: 'x'.repeat(65) }, 'requestId'],
    [{ batchTypeId: 1, traceId: '' }, 'traceId'],
    [{ batchTypeId: 1, traceId: 'tab\there' }, 'traceId'],
    [{ batchTypeId: 1, parameters: [1, 2] }, 'parameters'],
    [{ batchTypeId: 1, parameter: {} }, ''],
  ])('rejects %j at %s', (detail, path) => {
    const result = batchRequestedDetailSchema.safeParse(detail);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path.join('.')).toBe(path);
  });

  it('never throws on arbitrary JSON: it accepts or reports issues', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = batchRequestedDetailSchema.safeParse(value);
        expect(result.success || (result.error?.issues.length ?? 0) > 0).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
