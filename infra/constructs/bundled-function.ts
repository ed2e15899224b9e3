import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ConstructPropsError } from '../errors.js';

/** The repository root: handlers, `package-lock.json` and `tsconfig.json` live here. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A handler file of this repository, by its path from the root (`handlers/launch-batch.ts`). */
export function handlerEntry(relativePath: string): string {
  return join(PROJECT_ROOT, relativePath);
}

export interface BundledFunctionProps {
  /** The TypeScript handler file (absolute path); it must export `handler`. */
  readonly entry: string;
  /** `POWERTOOLS_SERVICE_NAME`: how logs and metrics name the function. */
  readonly serviceName: string;
  readonly description: string;
  readonly timeout: Duration;
  /** Days CloudWatch Logs keeps the function's logs: one of the periods CloudWatch offers. */
  readonly logRetentionDays: number;
  /** The function's own variables; the Powertools and source-map variables are added. */
  readonly environment: Readonly<Record<string, string>>;
  /**
   * Memory, and with it CPU: 512 MB keeps a cold start with the AWS SDK short.
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * `POWERTOOLS_METRICS_NAMESPACE`.
   * @default 'EcsBatchLauncher'
   */
  readonly metricsNamespace?: string;
  /**
   * `POWERTOOLS_LOG_LEVEL`.
   * @default 'INFO'
   */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /**
   * Keep the log group when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/** CloudWatch Logs accepts only these retention periods. */
const RETENTION_PERIODS = Object.values(RetentionDays).filter(
  (days): days is RetentionDays => typeof days === 'number' && days !== RetentionDays.INFINITE,
);

/**
 * The house Lambda: a TypeScript handler bundled locally by esbuild (no Docker)
 * into one minified ESM file with its source map, on `nodejs24.x` and ARM64,
 * logging JSON to its own log group with a retention, under its own role with no
 * managed policy: every permission it has is granted by name, where it is used.
 * The AWS SDK is bundled, so the function runs the SDK version the tests ran.
 */
export class BundledFunction extends Construct {
  public readonly function: NodejsFunction;
  public readonly logGroup: LogGroup;
  public readonly role: Role;

  constructor(scope: Construct, id: string, props: BundledFunctionProps) {
    super(scope, id);
    checkProps(this.node.path, props);

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetentionDays as RetentionDays,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.serviceName}: only what the handler calls`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: props.metricsNamespace ?? 'EcsBatchLauncher',
        POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
        // Stack traces point at the TypeScript source, through the bundled source map.
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        mainFields: ['module', 'main'],
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        bundleAwsSDK: true,
        logLevel: LogLevel.WARNING,
        tsconfig: join(PROJECT_ROOT, 'tsconfig.json'),
        // No dependency calls require() today (the bundle has no esbuild dynamic-require shim); this keeps a
        // CommonJS dependency added later from failing at runtime with "Dynamic require of … is not supported".
        banner:
          "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
      },
    });
  }
}

function checkProps(path: string, props: BundledFunctionProps): void {
  const fail = (message: string) => new ConstructPropsError(`BundledFunction ${path}`, message);
  if (!existsSync(props.entry)) {
    throw fail(`entry ${props.entry} does not exist: point it at a handler file that exports "handler"`);
  }
  if (!(RETENTION_PERIODS as number[]).includes(props.logRetentionDays)) {
    throw fail(
      `logRetentionDays ${props.logRetentionDays} is not a CloudWatch Logs retention period: use one of ${RETENTION_PERIODS.join(', ')}`,
    );
  }
  const timeout = props.timeout.toSeconds();
  if (timeout < 1 || timeout > 900) {
    throw fail(`timeout ${timeout}s is out of range: use 1 to 900 seconds`);
  }
  const reserved = Object.keys(props.environment).filter(
    (name) => name.startsWith('POWERTOOLS_') || name === 'NODE_OPTIONS' || name.startsWith('AWS_'),
  );
  if (reserved.length > 0) {
    throw fail(`environment sets ${reserved.join(', ')}: these are set by BundledFunction or by Lambda`);
  }
}
