import { loadStageConfig } from '../../config/stages.js';

/** Where a stage deploys: what a workflow checks its credentials against. */
export interface DeployTarget {
  readonly stage: string;
  readonly account: string;
  readonly region: string;
}

/**
 * The account and region of a stage, from its validated config: the workflows
 * read them here instead of repeating them in GitHub variables that could drift.
 *
 * @throws ConfigError when the stage is unknown or its config is invalid
 */
export function deployTarget(stageName: string | undefined): DeployTarget {
  const { stage, account, region } = loadStageConfig(stageName);
  return { stage, account, region };
}

/** `key=value` lines for `$GITHUB_OUTPUT`: `steps.<id>.outputs.account` and `.region`. */
export function githubOutputLines(target: DeployTarget): string {
  return `account=${target.account}\nregion=${target.region}\n`;
}
