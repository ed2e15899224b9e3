import type { RunTaskCommandInput } from '@aws-sdk/client-ecs';
import { ObservedLocalEcs, type RunTaskAnswer } from '../../../sandbox/observed-local-ecs.js';

const INPUT: RunTaskCommandInput = {
  cluster: 'local',
  taskDefinition: 'hello',
  launchType: 'FARGATE',
  startedBy: 'batch-launcher/r-1',
  networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-00000000'] } },
};

/** A local ECS whose tasks exit at once; `random` decides placement failures. */
function observedEcs(options: Partial<ConstructorParameters<typeof ObservedLocalEcs>[0]> = {}) {
  const answers: RunTaskAnswer['kind'][] = [];
  const ecs = new ObservedLocalEcs({
    clusters: ['local'],
    taskRunner: (family) =>
      family === 'hello'
        ? { command: process.execPath, args: ['-e', 'process.exit(0)'], env: {} }
        : undefined,
    onRunTask: (answer) => answers.push(answer.kind),
    ...options,
  });
  return { ecs, answers };
}

describe('ObservedLocalEcs', () => {
  it('reports and counts every RunTask answer: started, repeated, unplaced, throttled, refused', async () => {
    // Arrange
    const sequence = [0.99, 0];
    const { ecs, answers } = observedEcs({
      placementFailureRate: 0.5,
      random: () => sequence.shift() ?? 0.99,
      runTaskRateLimit: { ratePerSecond: 0.001, burst: 4 },
    });

    // Act
    await ecs.runTask({ ...INPUT, clientToken: 'token-1' });
    await ecs.runTask({ ...INPUT, clientToken: 'token-1' });
    await ecs.runTask(INPUT);
    await expect(ecs.runTask({ ...INPUT, taskDefinition: 'unknown' })).rejects.toThrow(
      'Unable to find task definition',
    );
    await expect(ecs.runTask(INPUT)).rejects.toThrow('Rate exceeded');
    await ecs.close();

    // Assert
    expect(answers).toEqual(['started', 'repeated', 'unplaced', 'refused', 'throttled']);
    expect(ecs.runTaskStats).toEqual({
      calls: 5,
      started: 1,
      repeated: 1,
      unplaced: 1,
      throttled: 1,
      refused: 1,
    });
  });
});
