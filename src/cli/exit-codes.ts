/**
 * batchctl's exit codes: the contract scripts and runbooks rely on. Documented in
 * `batchctl --help` and docs/batchctl.md; change them only with both.
 */
export const ExitCode = {
  /** The command did what was asked. */
  Ok: 0,
  /** AWS (or the sandbox) refused or failed the operation, or part of it (a redrive with failures). */
  OperationFailed: 1,
  /** The command line is wrong: an unknown option or stage, an invalid event, `purge` without `--yes`. */
  Usage: 2,
  /** What the command works on does not exist: an undeployed stack, an empty DLQ, an unknown request id, no archive. */
  NotFound: 3,
  /** Cannot reach AWS at all: no (or expired) credentials, an unreachable or unset endpoint. */
  Unreachable: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The `--help` epilogue: exit codes and the environment batchctl reads. */
export const HELP_EPILOGUE = `
Targets:
  --stage <name> (or BATCHCTL_STAGE; default "local") picks config/stages/<name>.ts.
  A deployed stage is reached through the default AWS credential chain (AWS_PROFILE,
  aws sso login, ...) in the stage's region; names come from the outputs of the
  CloudFormation stack EcsBatchLauncher-<stage>.
  The sandbox (npm start) is reached through the variables it prints:
    AWS_ENDPOINT_URL_SQS, AWS_ENDPOINT_URL_EVENTBRIDGE, AWS_ENDPOINT_URL_DYNAMODB
  (or AWS_ENDPOINT_URL / --endpoint-url for a single endpoint serving every service).
  Stage "local", or any of those variables, means sandbox mode: nothing goes to AWS.

Exit codes:
  0  ok
  1  the operation failed (AWS refused it, or part of a redrive failed)
  2  usage error (bad option, unknown stage, invalid event, purge without --yes)
  3  not found (stack not deployed, empty DLQ, no match, unknown request id, no archive)
  4  cannot reach AWS (no or expired credentials, endpoint unreachable or not set)

--json prints exactly one JSON document on stdout, also on failure:
  {"ok": true, "exitCode": 0, "command": "...", ...}      a result
  {"ok": false, "exitCode": N, "command": "...", ...}     a result with a non-zero exit (e.g. a
                                                         redrive where some messages failed)
  {"ok": false, "exitCode": N, "error": {"code", "message"}}   an error
`;
