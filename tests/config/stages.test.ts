import { ConfigError } from '../../config/errors.js';
import type { StageConfigInput } from '../../config/schema.js';
import { loadStageConfig, parseStageConfig, STAGE_NAMES, STAGES } from '../../config/stages.js';

const clone = (): StageConfigInput => structuredClone(STAGES.local) as StageConfigInput;

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('stage config', () => {
  it.each(STAGE_NAMES)('validates the %s stage', (name) => {
    const config = loadStageConfig(name);
    expect(config.stage).toBe(name);
    expect(config.catalog.length).toBeGreaterThan(0);
  });

  it('gives the local stage the demo batch types and the local.monolith source', () => {
    const config = loadStageConfig('local');
    expect(config.monolith.eventSource).toBe('local.monolith');
    expect(config.catalog.map((t) => [t.batchTypeId, t.name])).toEqual([
      [1, 'hello'],
      [2, 'always-fails'],
    ]);
  });

  it('fills defaults', () => {
    const config = loadStageConfig('local');
    expect(config.retention).toEqual({ dlqDays: 14, logDays: 30, idempotencyDays: 7, lifecycleDays: 90 });
    expect(config.catalog[0]?.network.assignPublicIp).toBe(false);
  });

  it('names the stage, the field path and the expectation when an account id is bad', () => {
    const input = clone();
    input.account = '12345';
    expect(messageOf(() => parseStageConfig('local', input))).toBe(
      'Stage "local" config is invalid (config/stages/local.ts):\n  - account: an AWS account id: exactly 12 digits',
    );
  });

  it('rejects duplicate batch type ids, naming both places', () => {
    const input = clone();
    input.catalog[1] = { ...input.catalog[1]!, batchTypeId: 1 };
    expect(messageOf(() => parseStageConfig('local', input))).toContain(
      'catalog[1].batchTypeId: duplicate batchTypeId 1 (also at catalog[0])',
    );
  });

  it('rejects duplicate batch type names', () => {
    const input = clone();
    input.catalog[1] = { ...input.catalog[1]!, name: 'hello' };
    expect(messageOf(() => parseStageConfig('local', input))).toContain(
      'catalog[1].name: duplicate name "hello"',
    );
  });

  it('rejects an empty catalog', () => {
    const input = clone();
    input.catalog = [];
    expect(messageOf(() => parseStageConfig('local', input))).toContain('catalog: at least one batch type');
  });

  it('rejects unknown keys, such as a typo', () => {
    const input = clone() as StageConfigInput & { catalogue?: unknown };
    input.catalogue = [];
    expect(messageOf(() => parseStageConfig('local', input))).toContain('Unrecognized key: "catalogue"');
  });

  it('refuses catalog environment variables the launcher owns', () => {
    const input = clone();
    input.catalog[0] = { ...input.catalog[0]!, environment: { TRACE_ID: 'x' } };
    expect(messageOf(() => parseStageConfig('local', input))).toContain(
      'catalog[0].environment: must not set TRACE_ID, BATCH_TYPE_ID, BATCH_REQUEST_ID, BATCH_PARAMETERS',
    );
  });

  it('reports a nested network field by its path', () => {
    const input = clone();
    input.catalog[0] = { ...input.catalog[0]!, network: { subnets: ['vpc-1'] } };
    expect(messageOf(() => parseStageConfig('local', input))).toContain(
      'catalog[0].network.subnets[0]: a subnet id such as subnet-0abc12345',
    );
  });

  it('accepts a capacity provider strategy instead of a launch type', () => {
    const input = clone();
    input.catalog[0] = {
      ...input.catalog[0]!,
      launch: { capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT' }] },
    };
    const config = parseStageConfig('local', input);
    expect(config.catalog[0]?.launch).toEqual({
      capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1, base: 0 }],
    });
  });

  it('refuses an event source AWS reserves', () => {
    const input = clone();
    input.monolith = { ...input.monolith, eventSource: 'aws.ecs' };
    expect(messageOf(() => parseStageConfig('local', input))).toContain(
      'monolith.eventSource: must not start with "aws."',
    );
  });

  it('refuses a file whose stage field disagrees with its name', () => {
    expect(messageOf(() => parseStageConfig('dev', clone()))).toBe(
      'Stage "dev" config is invalid: field "stage" is "local", expected "dev"',
    );
  });

  it('lists the known stages for an unknown one', () => {
    expect(messageOf(() => loadStageConfig('staging'))).toBe(
      'Unknown stage "staging": expected one of dev, prod, local (config/stages/)',
    );
    expect(messageOf(() => loadStageConfig(undefined))).toContain('Unknown stage undefined');
  });
});
