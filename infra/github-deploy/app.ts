/**
 * The GitHub deploy app: the OIDC provider and the deploy and diff roles GitHub
 * Actions assumes, one stack per AWS account of the deployed stages. Deployed by
 * a person with admin rights, once per account, after `cdk bootstrap`:
 *
 *   npm run synth:github-deploy -- -c owner=acme -c repo=ecs-batch-launcher
 *   npm run deploy:github-deploy -- -c owner=acme -c repo=ecs-batch-launcher EcsBatchLauncher-GithubDeploy-dev
 *
 * Optional: -c stages=dev,prod  -c oidcProviderArn=<existing provider ARN>, and a bootstrap qualifier
 * other than hnb659fds as "@aws-cdk/core:bootstrapQualifier" in cdk.json (both apps read it).
 */
import { App } from 'aws-cdk-lib';
import { ConfigError } from '../../config/errors.js';
import { InfraError } from '../errors.js';
import { addGithubDeployStacks } from './github-deploy-app.js';

const app = new App();
try {
  addGithubDeployStacks(app);
} catch (error) {
  // Missing or wrong context is the user's to fix: say what, without a stack trace.
  if (error instanceof ConfigError || error instanceof InfraError) {
    console.error(`\n${error.name}: ${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
app.synth();
