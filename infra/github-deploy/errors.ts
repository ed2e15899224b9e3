import { InfraError } from '../errors.js';

/**
 * The GitHub deploy app was run without what it needs (`-c owner=… -c repo=…`)
 * or with a value it cannot use. The message names the context key and what to pass.
 */
export class GithubDeployConfigError extends InfraError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'GithubDeployConfigError';
  }
}
