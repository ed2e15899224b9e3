/**
 * `npx tsx infra/github-deploy/print-deploy-target.ts <stage> >> "$GITHUB_OUTPUT"`:
 * the stage's account and region as step outputs, for configure-aws-credentials'
 * `aws-region` and `allowed-account-ids`.
 */
import { ConfigError } from '../../config/errors.js';
import { deployTarget, githubOutputLines } from './deploy-target.js';

try {
  process.stdout.write(githubOutputLines(deployTarget(process.argv[2])));
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`${error.name}: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
