import type { EventPattern as CdkEventPattern } from 'aws-cdk-lib/aws-events';
import type { EventPattern } from '../../src/routing/routes.js';
import { ConstructPropsError } from '../errors.js';

/**
 * A pattern from `src/routing` (spelled as EventBridge spells it: `detail-type`)
 * as the CDK's `EventPattern`, so the deployed rule is the very object the
 * sandbox routes with.
 */
export function cdkEventPattern(pattern: EventPattern, where: string): CdkEventPattern {
  const { source, 'detail-type': detailType, detail, ...rest } = pattern;
  if (Object.keys(rest).length > 0) {
    throw new ConstructPropsError(
      where,
      `event pattern fields ${Object.keys(rest).join(', ')} are not supported: match on source, detail-type and detail`,
    );
  }
  return {
    source: source as string[],
    detailType: detailType as string[],
    detail: detail as Record<string, unknown>,
  };
}
