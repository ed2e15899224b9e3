import type { BatchType } from '../../config/schema.js';
import { ErrorCode, type PermanentLaunchError } from '../../src/launcher/errors.js';
import type { LaunchRequest } from '../../src/launcher/launch-request.js';
import { clientTokenFor, MAX_OVERRIDES_LENGTH, runTaskInput } from '../../src/launcher/run-task-input.js';
import { HELLO } from '../helpers/launch-batch-fixture.js';

const request = (type: BatchType, overrides: Partial<LaunchRequest> = {}): LaunchRequest => ({
  batchType: type,
  requestKey: 'req-1',
  hasRequestId: true,
  traceId: 'trace-1',
  ...overrides,
});

describe('runTaskInput', () => {
  it('pins the task definition revision and platform version when the catalog does', () => {
    const input = runTaskInput(request({ ...HELLO, taskDefinitionRevision: 7, platformVersion: '1.4.0' }));
    expect(input.taskDefinition).toBe('hello:7');
    expect(input.platformVersion).toBe('1.4.0');
  });

  it('uses the capacity provider strategy instead of a launch type', () => {
    const input = runTaskInput(
      request({
        ...HELLO,
        launch: { capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 2, base: 1 }] },
      }),
    );
    expect(input.launchType).toBeUndefined();
    expect(input.capacityProviderStrategy).toEqual([
      { capacityProvider: 'FARGATE_SPOT', weight: 2, base: 1 },
    ]);
  });

  it('assigns a public IP only when the catalog says so', () => {
    const input = runTaskInput(request({ ...HELLO, network: { ...HELLO.network, assignPublicIp: true } }));
    expect(input.networkConfiguration?.awsvpcConfiguration?.assignPublicIp).toBe('ENABLED');
  });

  it('keeps the catalog command whatever the parameters say', () => {
    const input = runTaskInput(request(HELLO, { parameters: '{"command":["rm","-rf","/"],"TRACE_ID":"x"}' }));
    expect(input.overrides?.containerOverrides?.[0]?.command).toEqual(['hello']);
    expect(input.overrides?.containerOverrides?.[0]?.environment?.map((e) => e.name)).toEqual([
      'GREETING',
      'TRACE_ID',
      'BATCH_TYPE_ID',
      'BATCH_REQUEST_ID',
      'BATCH_PARAMETERS',
    ]);
  });

  it('replaces characters ECS tags do not allow in the trace id tag', () => {
    const input = runTaskInput(request(HELLO, { traceId: 'a#b$c Root=1' }));
    expect(input.tags?.find((t) => t.key === 'batch-launcher:trace-id')?.value).toBe('a_b_c Root=1');
  });

  it('derives a 64-character client token that differs by batch type and key', () => {
    expect(clientTokenFor(1, 'r')).toHaveLength(64);
    expect(clientTokenFor(1, 'r')).not.toBe(clientTokenFor(2, 'r'));
    expect(clientTokenFor(1, 'r')).toBe(clientTokenFor(1, 'r'));
  });

  it('accepts overrides of exactly the limit and rejects one character more', () => {
    const base = JSON.stringify(runTaskInput(request(HELLO, { parameters: '' })).overrides).length;
    const fits = 'x'.repeat(MAX_OVERRIDES_LENGTH - base);
    expect(JSON.stringify(runTaskInput(request(HELLO, { parameters: fits })).overrides)).toHaveLength(
      MAX_OVERRIDES_LENGTH,
    );
    expect(() => runTaskInput(request(HELLO, { parameters: `${fits}x` }))).toThrow(
      expect.objectContaining({ code: ErrorCode.OverridesTooLarge }) as unknown as PermanentLaunchError,
    );
  });
});
