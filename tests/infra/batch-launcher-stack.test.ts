import type { CfnElement } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { batchRequestedJsonSchema } from '../../src/contract/batch-requested.js';
import { routesFor, UNROUTED_GROUP } from '../../src/routing/routes.js';
import {
  arnOf,
  logicalId,
  normalise,
  onlyResource,
  roleStatements,
  type Statement,
  stageStack,
  statementsAllowing,
} from './stage-stack.js';

/**
 * The properties of the stack that change behaviour (issue 3 "Show", issue 4
 * stack part), each asserted on the template `cdk synth` produces for the dev
 * stage (prod where only prod has the setting).
 */

const { stack, template, config } = stageStack('dev');
const account = config.account;
const region = config.region;
const ecsArn = (resource: string) => `arn:aws:ecs:${region}:${account}:${resource}`;
/** CloudFormation writes a one-element list as the element. */
const oneOrMany = <T>(values: T[]): T | T[] => (values.length === 1 ? (values[0] as T) : values);

/** Every rule on the batch-requests bus (the routing rules). */
function busRules() {
  return Object.values(
    template.findResources('AWS::Events::Rule', {
      Properties: { EventBusName: { Ref: logicalId(stack.bus.eventBus) } },
    }),
  );
}

describe('BatchLauncherStack', () => {
  describe('request queue', () => {
    it('is a FIFO queue named batch-requests.fifo with content-based deduplication', () => {
      template.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: 'batch-requests.fifo',
        FifoQueue: true,
        ContentBasedDeduplication: true,
      });
    });

    it('redrives to the FIFO DLQ batch-requests-dlq.fifo after the stage maxReceiveCount, kept 14 days', () => {
      // Arrange
      const dlq = onlyResource(template, 'AWS::SQS::Queue', { QueueName: 'batch-requests-dlq.fifo' });
      // Assert
      expect(dlq.Properties).toMatchObject({ FifoQueue: true, MessageRetentionPeriod: 14 * 86_400 });
      template.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: 'batch-requests.fifo',
        RedrivePolicy: {
          deadLetterTargetArn: { 'Fn::GetAtt': [dlq.id, 'Arn'] },
          maxReceiveCount: config.launcher.maxReceiveCount,
        },
      });
    });

    it('keeps messages invisible for at least 6 × the launch-batch timeout', () => {
      // Arrange
      const queue = onlyResource(template, 'AWS::SQS::Queue', { QueueName: 'batch-requests.fifo' });
      const fn = onlyResource(template, 'AWS::Lambda::Function', {
        Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'launch-batch' } },
      });
      // Act
      const visibility = queue.Properties.VisibilityTimeout;
      const timeout = fn.Properties.Timeout;
      // Assert
      expect(timeout).toBe(config.launcher.timeoutSeconds);
      expect(visibility).toBeGreaterThanOrEqual(6 * timeout);
    });

    it('encrypts every queue with the stack key and refuses requests without TLS', () => {
      // Arrange
      const queues = template.findResources('AWS::SQS::Queue');
      const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy'));
      // Assert
      expect(Object.keys(queues)).toHaveLength(3);
      for (const [id, queue] of Object.entries(queues)) {
        expect(queue.Properties.KmsMasterKeyId).toEqual(arnOf(stack.key.key));
        const policy = policies.find(
          (p) => JSON.stringify(p.Properties.Queues) === JSON.stringify([{ Ref: id }]),
        );
        expect(policy?.Properties.PolicyDocument.Statement).toContainEqual(
          expect.objectContaining({
            Effect: 'Deny',
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        );
      }
    });
  });

  describe('launch-batch event source mapping', () => {
    it('takes batches of 10, reports item failures and caps concurrency at the stage maxConcurrency', () => {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: arnOf(stack.requests.queue),
        FunctionName: { Ref: logicalId(stack.launchBatch.function) },
        BatchSize: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: config.launcher.maxConcurrency },
      });
    });
  });

  describe('routing rules', () => {
    it('has one rule per catalog batch type, writing to message group batch-<id>', () => {
      // Arrange
      const typed = busRules().filter(
        (rule) => rule.Properties.Targets[0].SqsParameters.MessageGroupId !== UNROUTED_GROUP,
      );
      // Assert
      expect(typed).toHaveLength(config.catalog.length);
      for (const type of config.catalog) {
        template.hasResourceProperties('AWS::Events::Rule', {
          EventBusName: { Ref: logicalId(stack.bus.eventBus) },
          EventPattern: {
            source: [config.monolith.eventSource],
            'detail-type': ['BatchRequested'],
            detail: { batchTypeId: [type.batchTypeId] },
          },
          Targets: [
            Match.objectLike({
              Arn: arnOf(stack.requests.queue),
              SqsParameters: { MessageGroupId: `batch-${type.batchTypeId}` },
            }),
          ],
        });
      }
    });

    it('has a catch-all rule for unknown, missing and null batchTypeId into the unrouted group', () => {
      // Arrange
      const ids = config.catalog.map((type) => type.batchTypeId);
      // Act (the assertions matcher cannot express the pattern's null, so compare the rule itself)
      const catchAll = busRules().filter(
        (rule) => rule.Properties.Targets[0].SqsParameters.MessageGroupId === UNROUTED_GROUP,
      );
      // Assert
      expect(catchAll).toHaveLength(1);
      expect(catchAll[0]?.Properties.EventPattern).toEqual({
        source: [config.monolith.eventSource],
        'detail-type': ['BatchRequested'],
        detail: {
          $or: [
            { batchTypeId: [{ 'anything-but': ids }] },
            { batchTypeId: [{ exists: false }] },
            { batchTypeId: [null] },
          ],
        },
      });
    });

    it('deploys exactly the patterns and input transformers of the routing module the sandbox uses', () => {
      // Arrange
      const routes = routesFor(config);
      // Act
      const deployed = busRules().map((rule) => ({
        eventPattern: rule.Properties.EventPattern,
        inputPathsMap: rule.Properties.Targets[0].InputTransformer.InputPathsMap,
        inputTemplate: rule.Properties.Targets[0].InputTransformer.InputTemplate,
        messageGroupId: rule.Properties.Targets[0].SqsParameters.MessageGroupId,
      }));
      // Assert
      expect(deployed).toEqual(
        routes.map(({ eventPattern, inputPathsMap, inputTemplate, messageGroupId }) => ({
          eventPattern,
          inputPathsMap,
          inputTemplate,
          messageGroupId,
        })),
      );
    });

    it('builds every message body from business fields only: no event id, time or whole event', () => {
      for (const rule of busRules()) {
        const target = rule.Properties.Targets[0];
        // Without a transformer EventBridge sends the whole event, id and time included.
        expect(target.InputTransformer).toBeDefined();
        const paths = Object.values(target.InputTransformer.InputPathsMap as Record<string, string>);
        expect(paths).not.toContain('$');
        expect(paths.filter((path) => /^\$\.(id|time)$/.test(path))).toEqual([]);
        expect(target.InputTransformer.InputTemplate).not.toMatch(/<aws\.events\.event/);
      }
    });

    it('dead-letters undeliverable events to a standard queue after a retry policy', () => {
      // Arrange
      const targetDlq = onlyResource(template, 'AWS::SQS::Queue', { QueueName: Match.absent() });
      // Assert: EventBridge rejects FIFO DLQs
      expect(targetDlq.Properties.FifoQueue).toBeUndefined();
      for (const rule of busRules()) {
        expect(rule.Properties.Targets[0]).toMatchObject({
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [targetDlq.id, 'Arn'] } },
          RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 },
        });
      }
    });

    it('lets only the routing rules send to the request queue, each named by its ARN', () => {
      // Arrange
      const policy = onlyResource(template, 'AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: logicalId(stack.requests.queue) }],
      });
      const allows = (policy.Properties.PolicyDocument.Statement as Record<string, unknown>[])
        .map(normalise)
        .filter((statement) => statement.Effect === 'Allow');
      // Assert
      expect(allows).toEqual(
        [...stack.routing.rules.values()].map((rule) =>
          expect.objectContaining({
            Principal: { Service: 'events.amazonaws.com' },
            Action: ['sqs:SendMessage'],
            Condition: { ArnEquals: { 'aws:SourceArn': arnOf(rule) } },
          }),
        ),
      );
    });
  });

  describe('event bus', () => {
    it('is named batch-requests and lets only the monolith accounts put events with the stage source', () => {
      // Arrange
      const policy = onlyResource(template, 'AWS::Events::EventBusPolicy');
      // Assert
      template.hasResourceProperties('AWS::Events::EventBus', { Name: 'batch-requests' });
      expect(policy.Properties).toMatchObject({
        EventBusName: { Ref: logicalId(stack.bus.eventBus) },
        Statement: {
          Effect: 'Allow',
          Action: 'events:PutEvents',
          Principal: { AWS: oneOrMany(config.monolith.accountIds.map((id) => `arn:aws:iam::${id}:root`)) },
          Condition: {
            StringEquals: {
              'events:source': [config.monolith.eventSource],
              'events:detail-type': ['BatchRequested'],
            },
          },
        },
      });
    });

    it('archives the requests for replay, as long as a replay is still deduplicated', () => {
      template.hasResourceProperties('AWS::Events::Archive', {
        SourceArn: arnOf(stack.bus.eventBus),
        EventPattern: { source: [config.monolith.eventSource] },
        RetentionDays: config.retention.idempotencyDays,
      });
    });

    it('publishes the event JSON Schema (draft-04) to a schema registry', () => {
      template.hasResourceProperties('AWS::EventSchemas::Schema', {
        RegistryName: { 'Fn::GetAtt': [logicalId(stack.eventSchema.registry), 'RegistryName'] },
        Type: 'JSONSchemaDraft4',
        Content: JSON.stringify(batchRequestedJsonSchema()),
      });
    });
  });

  describe('launch-batch permissions', () => {
    const role = stack.launchBatch.function.role;
    if (role === undefined) throw new Error('launch-batch has no role');

    it('runs only the catalog task definition families, only in the catalog clusters', () => {
      // Arrange
      const families = [...new Set(config.catalog.map((type) => type.taskDefinitionFamily))].sort();
      const clusters = [...new Set(config.catalog.map((type) => type.cluster))].sort();
      // Assert
      expect(statementsAllowing(template, role, 'ecs:RunTask')).toEqual([
        {
          Effect: 'Allow',
          Action: ['ecs:RunTask'],
          Resource: families.map((family) => ecsArn(`task-definition/${family}:*`)),
          Condition: {
            ArnEquals: { 'ecs:cluster': clusters.map((cluster) => ecsArn(`cluster/${cluster}`)) },
          },
        },
      ]);
    });

    it('passes only the catalog task and execution roles, and only to ECS tasks', () => {
      // Arrange
      const roles = [
        ...new Set(config.catalog.flatMap((type) => [type.taskRoleName, type.executionRoleName])),
      ].sort();
      // Assert
      expect(statementsAllowing(template, role, 'iam:PassRole')).toEqual([
        {
          Effect: 'Allow',
          Action: ['iam:PassRole'],
          Resource: roles.map((name) => `arn:aws:iam::${account}:role/${name}`),
          Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
        },
      ]);
    });

    it('tags tasks only while RunTask creates them, in the catalog clusters', () => {
      const clusters = [...new Set(config.catalog.map((type) => type.cluster))].sort();
      expect(statementsAllowing(template, role, 'ecs:TagResource')).toEqual([
        {
          Effect: 'Allow',
          Action: ['ecs:TagResource'],
          Resource: oneOrMany(clusters.map((cluster) => ecsArn(`task/${cluster}/*`))),
          Condition: { StringEquals: { 'ecs:CreateAction': 'RunTask' } },
        },
      ]);
    });

    it('sends only to the FIFO DLQ and uses the tables only as the handler does', () => {
      // Arrange
      const on = (construct: Parameters<typeof arnOf>[0]) =>
        roleStatements(template, role)
          .filter((statement) => JSON.stringify(statement.Resource) === JSON.stringify(arnOf(construct)))
          .flatMap((statement) => statement.Action)
          .sort();
      // Assert
      expect(on(stack.requests.deadLetterQueue)).toEqual(['sqs:SendMessage']);
      expect(on(stack.tables.idempotencyTable)).toEqual([
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
      ]);
      expect(on(stack.tables.lifecycleTable)).toEqual(['dynamodb:PutItem', 'dynamodb:UpdateItem']);
    });
  });

  describe('least privilege', () => {
    it('allows no wildcard action in any role policy or resource policy', () => {
      // Arrange
      const identity = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
        (policy) => policy.Properties.PolicyDocument.Statement as Record<string, unknown>[],
      );
      const resource = [
        ...Object.values(template.findResources('AWS::SQS::QueuePolicy')),
        ...Object.values(template.findResources('AWS::SNS::TopicPolicy')),
      ].flatMap((policy) => policy.Properties.PolicyDocument.Statement as Record<string, unknown>[]);
      const busPolicies = Object.values(template.findResources('AWS::Events::EventBusPolicy')).map(
        (policy) => policy.Properties.Statement as Record<string, unknown>,
      );
      // Act
      const wildcards = [...identity, ...resource, ...busPolicies]
        .map(normalise)
        .filter((statement) => statement.Effect === 'Allow')
        .flatMap((statement) => statement.Action)
        .filter((action) => action.includes('*'));
      // Assert
      expect(identity.length).toBeGreaterThan(0);
      expect(wildcards).toEqual([]);
    });

    it('attaches no managed policy to any role', () => {
      for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
        expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      }
    });
  });

  describe('encryption key', () => {
    it('lets EventBridge rules and CloudWatch alarms of this account, and no one else, encrypt with it', () => {
      // Arrange
      const key = onlyResource(template, 'AWS::KMS::Key');
      const statements = (key.Properties.KeyPolicy.Statement as Record<string, unknown>[]).map(normalise);
      const service = (name: string, sourceArn: string): Statement =>
        expect.objectContaining({
          Effect: 'Allow',
          Principal: { Service: name },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          Condition: {
            StringEquals: { 'aws:SourceAccount': account },
            ArnLike: { 'aws:SourceArn': sourceArn },
          },
        });
      // Assert
      expect(key.Properties.EnableKeyRotation).toBe(true);
      expect(statements).toEqual([
        // CDK's default: key access is delegated to the account's IAM policies.
        expect.objectContaining({ Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: ['kms:*'] }),
        service('events.amazonaws.com', `arn:aws:events:${region}:${account}:rule/*`),
        service('cloudwatch.amazonaws.com', `arn:aws:cloudwatch:${region}:${account}:alarm:*`),
      ]);
    });
  });

  describe('alarms', () => {
    const alarmOn = (metricName: string, dimensions: unknown[], threshold: number) =>
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: metricName,
        Dimensions: dimensions,
        Threshold: threshold,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 1,
        AlarmActions: [{ Ref: logicalId(stack.alarms.topic) }],
        OKActions: [{ Ref: logicalId(stack.alarms.topic) }],
      });
    const queueDimension = (queue: Parameters<typeof logicalId>[0]) => [
      { Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(queue), 'QueueName'] } },
    ];
    const functionDimension = (fn: Parameters<typeof logicalId>[0]) => [
      { Name: 'FunctionName', Value: { Ref: logicalId(fn) } },
    ];

    it('alarms on any message in the FIFO DLQ and in the rule target DLQ', () => {
      alarmOn('ApproximateNumberOfMessagesVisible', queueDimension(stack.requests.deadLetterQueue), 0);
      alarmOn('ApproximateNumberOfMessagesVisible', queueDimension(stack.deliveryFailures.queue), 0);
    });

    it('alarms when the oldest request has waited longer than the stage allows', () => {
      alarmOn(
        'ApproximateAgeOfOldestMessage',
        queueDimension(stack.requests.queue),
        config.alarms.oldestMessageAgeSeconds,
      );
    });

    it('alarms on errors and throttles of both functions', () => {
      for (const fn of [stack.launchBatch.function, stack.trackTask.function]) {
        alarmOn('Errors', functionDimension(fn), 0);
        alarmOn('Throttles', functionDimension(fn), 0);
      }
    });

    it('notifies through a KMS-encrypted, TLS-only topic', () => {
      template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: arnOf(stack.key.key) });
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    });

    it('subscribes the stage e-mail when one is configured, and nothing otherwise', () => {
      // Arrange
      const prod = stageStack('prod');
      // Assert
      prod.template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: prod.config.alarms.email,
      });
      expect(config.alarms.email).toBeUndefined();
      template.resourceCountIs('AWS::SNS::Subscription', 0);
    });
  });

  describe('functions', () => {
    it('run nodejs24.x on ARM64 with JSON logs to a log group kept for the stage retention', () => {
      for (const { function: fn, logGroup } of [stack.launchBatch, stack.trackTask]) {
        if (fn.role === undefined) throw new Error(`${fn.node.path} has no role`);
        template.hasResourceProperties('AWS::Lambda::Function', {
          FunctionName: Match.absent(),
          Runtime: 'nodejs24.x',
          Architectures: ['arm64'],
          Handler: 'index.handler',
          LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: logicalId(logGroup) } },
          Role: arnOf(fn.role),
        });
        template.hasResourceProperties('AWS::Logs::LogGroup', {
          RetentionInDays: config.retention.logDays,
        });
      }
    });

    it('give launch-batch the environment its settings module reads', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: {
            STAGE: config.stage,
            SOURCE_QUEUE_URL: { Ref: logicalId(stack.requests.queue) },
            DLQ_URL: { Ref: logicalId(stack.requests.deadLetterQueue) },
            IDEMPOTENCY_TABLE: { Ref: logicalId(stack.tables.idempotencyTable) },
            LIFECYCLE_TABLE: { Ref: logicalId(stack.tables.lifecycleTable) },
            POWERTOOLS_SERVICE_NAME: 'launch-batch',
            POWERTOOLS_METRICS_NAMESPACE: 'EcsBatchLauncher',
            POWERTOOLS_LOG_LEVEL: 'INFO',
            NODE_OPTIONS: '--enable-source-maps',
          },
        },
      });
    });

    it('give track-task the environment its settings module reads', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: {
            STAGE: config.stage,
            LIFECYCLE_TABLE: { Ref: logicalId(stack.tables.lifecycleTable) },
            EVENT_BUS_NAME: { Ref: logicalId(stack.bus.eventBus) },
            POWERTOOLS_SERVICE_NAME: 'track-task',
            POWERTOOLS_METRICS_NAMESPACE: 'EcsBatchLauncher',
            POWERTOOLS_LOG_LEVEL: 'INFO',
            NODE_OPTIONS: '--enable-source-maps',
          },
        },
      });
    });
  });

  describe('lifecycle tables (issue 4)', () => {
    const common = {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: arnOf(stack.key.key) },
    };

    it('keeps idempotency records under Powertools defaults: key id (S), TTL expiration, on demand, PITR, KMS', () => {
      template.hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: 'Retain',
        Properties: {
          ...common,
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
        },
      });
    });

    it('keeps one lifecycle record per requestId (S) and batchTypeId (N), TTL expiresAt, on demand, PITR, KMS', () => {
      template.hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: 'Retain',
        Properties: {
          ...common,
          KeySchema: [
            { AttributeName: 'requestId', KeyType: 'HASH' },
            { AttributeName: 'batchTypeId', KeyType: 'RANGE' },
          ],
          AttributeDefinitions: [
            { AttributeName: 'requestId', AttributeType: 'S' },
            { AttributeName: 'batchTypeId', AttributeType: 'N' },
          ],
          TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        },
      });
    });
  });

  describe('track-task (issue 4)', () => {
    const role = stack.trackTask.function.role;
    if (role === undefined) throw new Error('track-task has no role');

    it('is fed by a default-bus rule matching only RUNNING and STOPPED tasks this system started in catalog clusters', () => {
      // Arrange
      const clusters = [...new Set(config.catalog.map((type) => type.cluster))].sort();
      // Assert
      template.hasResourceProperties('AWS::Events::Rule', {
        EventBusName: Match.absent(),
        EventPattern: {
          source: ['aws.ecs'],
          'detail-type': ['ECS Task State Change'],
          detail: {
            startedBy: [{ prefix: 'batch-launcher/' }],
            clusterArn: clusters.map((cluster) => ecsArn(`cluster/${cluster}`)),
            lastStatus: ['RUNNING', 'STOPPED'],
          },
        },
        Targets: [
          Match.objectLike({
            Arn: arnOf(stack.trackTask.function),
            DeadLetterConfig: { Arn: arnOf(stack.deliveryFailures.queue) },
            RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 },
          }),
        ],
      });
    });

    it('reads and writes only the lifecycle table', () => {
      // Act
      const dynamo = roleStatements(template, role).filter((statement) =>
        statement.Action.some((action) => action.startsWith('dynamodb:')),
      );
      // Assert
      expect(dynamo).toEqual([
        {
          Effect: 'Allow',
          Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
          Resource: arnOf(stack.tables.lifecycleTable),
        },
      ]);
    });

    it('may put only result events on the bus, and cannot launch anything', () => {
      // Act
      const actions = roleStatements(template, role).flatMap((statement) => statement.Action);
      // Assert
      expect(statementsAllowing(template, role, 'events:PutEvents')).toEqual([
        {
          Effect: 'Allow',
          Action: ['events:PutEvents'],
          Resource: arnOf(stack.bus.eventBus),
          Condition: { StringEquals: { 'events:detail-type': ['BatchSucceeded', 'BatchFailed'] } },
        },
      ]);
      expect(actions.filter((action) => /^(ecs|iam):/.test(action))).toEqual([]);
    });

    it('sends a state change it keeps failing on to the delivery-failure DLQ instead of dropping it', () => {
      // Assert
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: stack.getLogicalId(stack.trackTask.function.node.defaultChild as CfnElement) },
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: arnOf(stack.deliveryFailures.queue) } },
      });
      expect(statementsAllowing(template, role, 'sqs:SendMessage')).toEqual([
        expect.objectContaining({ Effect: 'Allow', Resource: arnOf(stack.deliveryFailures.queue) }),
      ]);
    });
  });

  describe('outputs', () => {
    it('names the bus, the queues, the alarm topic and the tables', () => {
      expect(Object.keys(template.findOutputs('*')).sort()).toEqual([
        'AlarmTopicArn',
        'DeadLetterQueueUrl',
        'EventBusArn',
        'EventBusName',
        'EventSchemaArn',
        'IdempotencyTableName',
        'LifecycleTableName',
        'QueueUrl',
        'RuleTargetDeadLetterQueueUrl',
      ]);
    });
  });
});
