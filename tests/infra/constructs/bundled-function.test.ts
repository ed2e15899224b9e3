import { App, Duration, Stack } from 'aws-cdk-lib';
import { BundledFunction, handlerEntry } from '../../../infra/constructs/bundled-function.js';

function bundledWith(logRetentionDays: number, entry = handlerEntry('handlers/track-task.ts')) {
  return () =>
    new BundledFunction(new Stack(new App(), 'Test'), 'Fn', {
      entry,
      serviceName: 'test',
      description: 'test',
      timeout: Duration.seconds(30),
      logRetentionDays,
      environment: {},
    });
}

describe('BundledFunction', () => {
  it('refuses a log retention CloudWatch Logs does not offer, listing the ones it does', () => {
    expect(bundledWith(45)).toThrow(
      /logRetentionDays 45 is not a CloudWatch Logs retention period: use one of 1, 3, 5, 7, 14, 30/,
    );
  });

  it('refuses a handler file that does not exist', () => {
    expect(bundledWith(14, handlerEntry('handlers/missing.ts'))).toThrow(
      /handlers\/missing\.ts does not exist/,
    );
  });
});
