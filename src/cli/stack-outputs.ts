import {
  type CloudFormationClient,
  DescribeStacksCommand,
  type DescribeStacksCommandOutput,
} from '@aws-sdk/client-cloudformation';
import { z } from 'zod';
import { awsErrorName, errorMessage, StackNotDeployedError } from './errors.js';

/**
 * The outputs of `EcsBatchLauncher-<stage>` batchctl needs (infra/batch-launcher-stack.ts
 * declares them): the deployed stack, not a guess from naming rules, says where things are.
 */
export const stackOutputsSchema = z.object({
  EventBusName: z.string().min(1),
  EventBusArn: z.string().min(1),
  QueueUrl: z.url(),
  DeadLetterQueueUrl: z.url(),
  LifecycleTableName: z.string().min(1),
});
export type StackOutputs = z.output<typeof stackOutputsSchema>;

export interface StackLocation {
  readonly stackName: string;
  readonly stage: string;
  readonly account: string;
  readonly region: string;
}

function whereToLook(location: StackLocation): string {
  return (
    `stage ${location.stage} lives in account ${location.account}, region ${location.region}: ` +
    `are your credentials for that account? Deploy with \`npm run deploy -- -c stage=${location.stage}\`.`
  );
}

/**
 * DescribeStacks on the stage's stack and its outputs, typed.
 *
 * @throws StackNotDeployedError when the stack does not exist or lacks an output
 *   (still creating, rolled back)
 * @throws whatever the SDK threw otherwise (credentials, network), for the caller to explain
 */
export async function readStackOutputs(
  cloudformation: Pick<CloudFormationClient, 'send'>,
  location: StackLocation,
): Promise<StackOutputs> {
  let stack: DescribeStacksCommandOutput['Stacks'];
  try {
    ({ Stacks: stack } = await cloudformation.send(
      new DescribeStacksCommand({ StackName: location.stackName }),
    ));
  } catch (error) {
    // CloudFormation answers a missing stack with a ValidationError "Stack with id ... does not exist".
    if (awsErrorName(error) === 'ValidationError' && /does not exist/i.test(errorMessage(error))) {
      throw new StackNotDeployedError(
        `Stack ${location.stackName} is not deployed where your credentials point; ${whereToLook(location)}`,
        { cause: error },
      );
    }
    throw error;
  }
  const found = stack?.[0];
  if (found === undefined) {
    throw new StackNotDeployedError(`Stack ${location.stackName} was not found; ${whereToLook(location)}`);
  }
  const outputs = Object.fromEntries(
    (found.Outputs ?? []).flatMap((output) =>
      output.OutputKey === undefined ? [] : [[output.OutputKey, output.OutputValue]],
    ),
  );
  const parsed = stackOutputsSchema.safeParse(outputs);
  if (!parsed.success) {
    const missing = parsed.error.issues.map((issue) => issue.path.join('.')).join(', ');
    throw new StackNotDeployedError(
      `Stack ${location.stackName} (status ${found.StackStatus ?? 'unknown'}) lacks the output(s) ${missing}: ` +
        'is it fully deployed, from this version of the repository?',
    );
  }
  return parsed.data;
}

/** `batch-requests.fifo` from `https://sqs.eu-west-1.amazonaws.com/123456789012/batch-requests.fifo`. */
export function queueNameOf(queueUrl: string): string {
  return new URL(queueUrl).pathname.split('/').filter(Boolean).at(-1) ?? queueUrl;
}
