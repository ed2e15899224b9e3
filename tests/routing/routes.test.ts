import fc from 'fast-check';
import { loadStageConfig, STAGE_NAMES } from '../../config/stages.js';
import { applyInputTransformer } from '../../sandbox/eventbridge/input-transformer.js';
import { matchesPattern } from '../../sandbox/eventbridge/pattern-matcher.js';
import { routesFor, UNROUTED_GROUP } from '../../src/routing/routes.js';

const local = loadStageConfig('local');
const routes = routesFor(local);

/** A whole event as EventBridge delivers it to rules. */
function event(detail: Record<string, unknown>, overrides: Record<string, unknown> = {}) {
  return {
    version: '0',
    id: 'a1b2c3d4-0000-4000-8000-000000000001',
    'detail-type': 'BatchRequested',
    source: 'local.monolith',
    account: '000000000000',
    time: '2026-12-04T12:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail,
    ...overrides,
  };
}

const matching = (e: unknown) => routes.filter((route) => matchesPattern(route.eventPattern, e));

/**
 * batchTypeId as a monolith might send it: missing, a known or unknown integer,
 * or a wrong scalar type. (Arrays and objects are outside the contract and are
 * not routed by EventBridge's leaf-value rules: see the README's routing notes.)
 */
const batchTypeIdArb = fc.oneof(
  fc.constant(undefined),
  fc.integer({ min: -3, max: 12 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ maxLength: 4 }),
  fc.boolean(),
  fc.constant(null),
);
const otherFieldsArb = fc.dictionary(
  fc.constantFrom('requestId', 'traceId', 'parameters', 'parameter', 'extra'),
  fc.jsonValue({ maxDepth: 2 }),
);

describe('routesFor', () => {
  it('makes one route per catalog type with group batch-<id>, then the catch-all', () => {
    expect(routes.map((r) => [r.name, r.messageGroupId, r.batchTypeId])).toEqual([
      ['batch-type-1', 'batch-1', 1],
      ['batch-type-2', 'batch-2', 2],
      [UNROUTED_GROUP, 'unrouted', undefined],
    ]);
  });

  it.each(STAGE_NAMES)('never reads the event id or time in the %s input templates', (stage) => {
    for (const route of routesFor(loadStageConfig(stage))) {
      const paths = Object.values(route.inputPathsMap);
      expect(paths).not.toContain('$.id');
      expect(paths).not.toContain('$.time');
      expect(route.inputTemplate).not.toMatch(/<aws\.events\.event(\.json)?>/);
    }
  });

  it('routes every BatchRequested event from the configured source to exactly one route', () => {
    fc.assert(
      fc.property(batchTypeIdArb, otherFieldsArb, (batchTypeId, others) => {
        const detail = batchTypeId === undefined ? { ...others } : { ...others, batchTypeId };
        const matched = matching(event(detail));
        expect(matched).toHaveLength(1);
        const known =
          typeof batchTypeId === 'number' && local.catalog.some((t) => t.batchTypeId === batchTypeId);
        expect(matched[0]?.messageGroupId).toBe(known ? `batch-${batchTypeId}` : UNROUTED_GROUP);
      }),
      { numRuns: 5000 },
    );
  });

  it('routes nothing from another source or of another detail type', () => {
    fc.assert(
      fc.property(
        fc.record({ source: fc.string(), 'detail-type': fc.string() }),
        fc.integer({ min: 1, max: 2 }),
        (envelope, batchTypeId) => {
          fc.pre(envelope.source !== 'local.monolith' || envelope['detail-type'] !== 'BatchRequested');
          expect(matching(event({ batchTypeId }, envelope))).toHaveLength(0);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('writes the same body for two PutEvents of one request, so content-based dedup collapses them', () => {
    const detail = { batchTypeId: 1, requestId: 'r-1', parameters: { day: '2026-12-04' } };
    const [route] = matching(event(detail));
    const first = applyInputTransformer(route!, event(detail));
    const retry = applyInputTransformer(
      route!,
      event(detail, { id: 'ffffffff-0000-4000-8000-000000000002', time: '2026-12-04T12:03:00Z' }),
    );
    expect(first).toBe(retry);
    expect(JSON.parse(first)).toEqual({ version: 1, detail });
  });

  it('keeps unknown detail fields in the body so the launcher can reject them', () => {
    const detail = { batchTypeId: 1, parameter: { typo: true } };
    const [route] = matching(event(detail));
    expect(JSON.parse(applyInputTransformer(route!, event(detail)))).toEqual({ version: 1, detail });
  });
});
