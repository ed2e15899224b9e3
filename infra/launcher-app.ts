import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseStageConfig, STAGES } from '../config/stages.js';
import { BatchLauncherStack } from './batch-launcher-stack.js';
import { StageSelectionError } from './errors.js';
import { acknowledgeNagFindings } from './nag-suppressions.js';

/** The context key that picks the stage: `cdk synth -c stage=dev`. */
export const STAGE_CONTEXT_KEY = 'stage';

/** `EcsBatchLauncher-dev`: one stack per stage, each in its own account. */
export function stackNameFor(stage: string): string {
  return `EcsBatchLauncher-${stage}`;
}

/**
 * Adds the stage named by `--context stage=<name>` to the app: validates its
 * config (a bad catalog or account id fails here, naming the field), builds the
 * stack, acknowledges the reviewed cdk-nag findings and registers the
 * AwsSolutions checks, which fail synthesis on anything unacknowledged.
 *
 * @param stages where stage configs come from: the repository's `config/stages/`
 *   by default; tests pass broken ones to prove synthesis refuses them.
 * @throws StageSelectionError when the stage is missing or unknown
 * @throws ConfigError when the stage's config is invalid
 */
export function addLauncherStack(
  app: App,
  stages: Readonly<Record<string, unknown>> = STAGES,
): BatchLauncherStack {
  const stageName: unknown = app.node.tryGetContext(STAGE_CONTEXT_KEY);
  const known = Object.keys(stages);
  if (typeof stageName !== 'string' || stageName === '') {
    throw new StageSelectionError(
      `No stage selected: pass --context ${STAGE_CONTEXT_KEY}=<name> (one of ${known.join(', ')}), ` +
        'or run `npm run synth` to synthesise every stage',
    );
  }
  if (!Object.hasOwn(stages, stageName)) {
    throw new StageSelectionError(
      `Unknown stage "${stageName}": expected one of ${known.join(', ')} (config/stages/)`,
    );
  }
  const config = parseStageConfig(stageName, stages[stageName]);
  const stack = new BatchLauncherStack(app, stackNameFor(config.stage), { config });
  acknowledgeNagFindings(stack);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}
