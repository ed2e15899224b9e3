import { UsageError } from './errors.js';

/**
 * The services batchctl calls, with the suffix of the SDKs' per-service endpoint
 * variable (`AWS_ENDPOINT_URL_SQS`, ...): the sandbox prints exactly these.
 */
export const Service = {
  sqs: 'SQS',
  events: 'EVENTBRIDGE',
  dynamodb: 'DYNAMODB',
  cloudformation: 'CLOUDFORMATION',
} as const;
export type ServiceKey = keyof typeof Service;

export type Endpoints = Readonly<Partial<Record<ServiceKey, string>>>;

export type Environment = Readonly<Record<string, string | undefined>>;

function checkedUrl(value: string, from: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${from} is "${value}": expected a URL such as http://127.0.0.1:4566`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${from} is "${value}": expected an http:// or https:// URL`);
  }
  return value.replace(/\/+$/, '');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/**
 * Per-service endpoints with the AWS CLI's precedence: `--endpoint-url` (one
 * endpoint for every service), then `AWS_ENDPOINT_URL_<SERVICE>`, then
 * `AWS_ENDPOINT_URL`. An empty result means "real AWS".
 */
export function endpointsFrom(env: Environment, endpointUrlOption: string | undefined): Endpoints {
  const option = nonEmpty(endpointUrlOption);
  const global = nonEmpty(env.AWS_ENDPOINT_URL);
  const endpoints: Partial<Record<ServiceKey, string>> = {};
  for (const key of Object.keys(Service) as ServiceKey[]) {
    const variable = `AWS_ENDPOINT_URL_${Service[key]}`;
    const own = nonEmpty(env[variable]);
    if (option !== undefined) endpoints[key] = checkedUrl(option, '--endpoint-url');
    else if (own !== undefined) endpoints[key] = checkedUrl(own, variable);
    else if (global !== undefined) endpoints[key] = checkedUrl(global, 'AWS_ENDPOINT_URL');
  }
  return endpoints;
}

/** True when any endpoint is set: batchctl then talks to the sandbox, never to AWS. */
export function hasEndpoints(endpoints: Endpoints): boolean {
  return Object.values(endpoints).some((value) => value !== undefined);
}
