/**
 * The cold-start baseline: the least a launcher can be — middy, partial batch
 * responses and one ECS client, no validation, no idempotency, no logging.
 * Bundled exactly like launch-batch, so the difference is what our features cost.
 */
import { ECSClient, RunTaskCommand } from '@aws-sdk/client-ecs';
import middy from '@middy/core';
import sqsPartialBatchFailure from '@middy/sqs-partial-batch-failure';
import type { SQSEvent } from 'aws-lambda';

const ecs = new ECSClient({});

export const handler = middy(async (event: SQSEvent) =>
  Promise.allSettled(
    event.Records.map((record) =>
      ecs.send(new RunTaskCommand({ cluster: 'c', taskDefinition: JSON.parse(record.body).taskDefinition })),
    ),
  ),
).use(sqsPartialBatchFailure());
