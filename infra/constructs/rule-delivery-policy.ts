import { Names } from 'aws-cdk-lib';
import type { IRule } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';

/**
 * Lets one EventBridge rule send to a queue: the queue policy names the rule's
 * ARN, so no other rule (nor any other account's) can write to it. Shared by the
 * request queue (rule targets) and the target DLQ (their dead letters).
 */
export function allowRuleToSend(queue: IQueue, rule: IRule): void {
  queue.addToResourcePolicy(
    new PolicyStatement({
      sid: `AllowRule${Names.nodeUniqueId(rule.node)}`,
      principals: [new ServicePrincipal('events.amazonaws.com')],
      actions: ['sqs:SendMessage'],
      resources: [queue.queueArn],
      conditions: { ArnEquals: { 'aws:SourceArn': rule.ruleArn } },
    }),
  );
}
