import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { VALIDATION_REPORT_FILE } from 'aws-cdk-lib/cx-api';
import { STAGE_NAMES } from '../../config/stages.js';
import { addLauncherStack } from '../../infra/launcher-app.js';
import { nagAcknowledgements } from '../../infra/nag-suppressions.js';
import { cliLikeApp, quietlySynthesise } from './stage-stack.js';

/**
 * cdk-nag AwsSolutions runs as a validation plugin on every synthesis. Every
 * stage must synthesise with no unacknowledged finding, error or warning, and
 * the gate must actually close on a finding nobody reviewed.
 */

interface ValidationReport {
  readonly pluginReports: { pluginName: string; violations: { ruleName: string; severity: string }[] }[];
}

function synthesise(stage: string) {
  const app = cliLikeApp(stage);
  const stack = addLauncherStack(app);
  // In tests the app runs "in memory": an error-level finding throws here, with the report.
  const assembly = quietlySynthesise(() => app.synth());
  const report: ValidationReport = JSON.parse(
    readFileSync(join(assembly.directory, VALIDATION_REPORT_FILE), 'utf8'),
  );
  return { stack, report };
}

describe('cdk-nag AwsSolutions', () => {
  it.each(STAGE_NAMES)('finds nothing unacknowledged, error or warning, in stage %s', (stage) => {
    // Act
    const { stack, report } = synthesise(stage);
    // Assert
    const findings = report.pluginReports.flatMap((plugin) =>
      plugin.violations.map(
        (violation) => `${plugin.pluginName} ${violation.severity} ${violation.ruleName}`,
      ),
    );
    expect(findings).toEqual([]);
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
    expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
  });

  it('fails synthesis on a finding nobody acknowledged', () => {
    // Arrange: a queue with neither TLS enforcement nor a DLQ
    const app = cliLikeApp('dev');
    const stack = addLauncherStack(app);
    new Queue(stack, 'Unreviewed');
    // Act / Assert
    expect(() => quietlySynthesise(() => app.synth())).toThrow(/Unreviewed[\s\S]*AwsSolutions-SQS4/);
  });

  it('acknowledges only named findings, each with its reason', () => {
    // Arrange
    const app = cliLikeApp('dev');
    const stack = addLauncherStack(app);
    // Act
    const acknowledgements = nagAcknowledgements(stack).map(({ id, reason }) => ({ id, reason }));
    // Assert: 1 SQS3 + 2 L1 + one IAM5 per catalog family and per catalog cluster (dev: 2 + 1)
    expect(acknowledgements.map(({ id }) => id)).toEqual([
      'AwsSolutions-SQS3',
      'AwsSolutions-L1',
      'AwsSolutions-L1',
      'AwsSolutions-IAM5[Resource::arn:aws:ecs:eu-west-1:111111111111:task-definition/invoice-export:*]',
      'AwsSolutions-IAM5[Resource::arn:aws:ecs:eu-west-1:111111111111:task-definition/nightly-reconciliation:*]',
      'AwsSolutions-IAM5[Resource::arn:aws:ecs:eu-west-1:111111111111:task/batch-dev/*]',
    ]);
    for (const { reason } of acknowledgements) expect(reason.length).toBeGreaterThan(80);
  });
});
