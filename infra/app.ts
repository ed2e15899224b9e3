/**
 * The CDK app (cdk.json: `npx tsx infra/app.ts`): one stage per synthesis.
 *
 *   npm run synth                         every stage, offline, into cdk.out/<stage>/
 *   npm run diff -- -c stage=dev          against the deployed stack
 *   npm run deploy -- -c stage=dev        needs the stage account's credentials,
 *                                         after a one-time `npx cdk bootstrap aws://<account>/<region>`
 */
import { App } from 'aws-cdk-lib';
import { ConfigError } from '../config/errors.js';
import { InfraError } from './errors.js';
import { addLauncherStack } from './launcher-app.js';

const app = new App();
try {
  addLauncherStack(app);
} catch (error) {
  // A wrong stage or config is the user's to fix: say what, without a stack trace.
  if (error instanceof ConfigError || error instanceof InfraError) {
    console.error(`\n${error.name}: ${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
// cdk-nag's EventBridge rules read CfnEventBusPolicy#principal (deprecated) while validating: that notice
// concerns cdk-nag, not this app. Deprecations met while building the stack above were already printed.
process.env.JSII_DEPRECATED ??= 'quiet';
app.synth();
