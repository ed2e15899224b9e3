import { lambdaContext } from '../../../sandbox/lambda-context.js';

describe('lambdaContext', () => {
  it('counts the remaining time down from the timeout, never below 0', () => {
    // Arrange
    let now = 1_000;
    const context = lambdaContext({
      functionName: 'launch-batch',
      timeoutMs: 30_000,
      region: 'eu-west-1',
      accountId: '111111111111',
      now: () => now,
    });

    // Act
    const atStart = context.getRemainingTimeInMillis();
    now += 12_000;
    const later = context.getRemainingTimeInMillis();
    now += 60_000;
    const afterTimeout = context.getRemainingTimeInMillis();

    // Assert
    expect([atStart, later, afterTimeout]).toEqual([30_000, 18_000, 0]);
    expect(context).toMatchObject({
      functionName: 'launch-batch',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111111111111:function:launch-batch',
      memoryLimitInMB: '1024',
      logGroupName: '/aws/lambda/launch-batch',
      awsRequestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
  });

  it('refuses the legacy callback API', () => {
    const context = lambdaContext({ functionName: 'f', timeoutMs: 1, region: 'r', accountId: 'a' });
    expect(() => context.succeed('x')).toThrow('legacy callback API');
  });
});
