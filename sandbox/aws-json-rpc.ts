import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The wire side of the AWS JSON 1.1 protocol the sandbox's EventBridge and ECS
 * endpoints speak: reading a request body and answering results and errors the
 * way the AWS SDKs and the AWS CLI parse them (`__type` + `x-amzn-errortype`).
 */

export const AWS_JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';
/** Larger bodies are refused: no API the sandbox serves takes more. */
export const MAX_BODY_BYTES = 1024 * 1024;

function readBody(request: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () =>
      resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')),
    );
    request.on('error', reject);
  });
}

/**
 * The request's input object. When the body is too large, not JSON or not an
 * object, answers the SerializationException itself and returns undefined.
 */
export async function readJsonInput(
  request: IncomingMessage,
  response: ServerResponse,
): Promise<Record<string, unknown> | undefined> {
  const body = await readBody(request);
  if (body === undefined) {
    sendAwsError(response, 413, 'SerializationException', {
      message: `Request body exceeds ${MAX_BODY_BYTES} bytes.`,
    });
    return undefined;
  }
  let input: unknown;
  try {
    input = body.trim() === '' ? {} : JSON.parse(body);
  } catch {
    sendAwsError(response, 400, 'SerializationException', { message: 'The request body is not valid JSON.' });
    return undefined;
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    sendAwsError(response, 400, 'SerializationException', {
      message: 'The request body must be a JSON object.',
    });
    return undefined;
  }
  return input as Record<string, unknown>;
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': AWS_JSON_CONTENT_TYPE,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  response.end(text);
}

/** An AWS error answer: `{ "__type": errorType, ...members }` with the `x-amzn-errortype` header. */
export function sendAwsError(
  response: ServerResponse,
  status: number,
  errorType: string,
  members: Record<string, unknown>,
): void {
  sendJson(response, status, { __type: errorType, ...members }, { 'x-amzn-errortype': errorType });
}

/**
 * The operation a request names in `X-Amz-Target` (`<prefix><Operation>`). When
 * the request is not a POST of a served operation, answers
 * `UnknownOperationException` itself and returns undefined.
 */
export function targetOperation<Operation>(
  request: IncomingMessage,
  response: ServerResponse,
  endpoint: {
    readonly name: string;
    readonly targetPrefix: string;
    readonly operations: Record<string, Operation>;
  },
): Operation | undefined {
  const target = request.headers['x-amz-target'];
  const name =
    typeof target === 'string' && target.startsWith(endpoint.targetPrefix)
      ? target.slice(endpoint.targetPrefix.length)
      : '';
  const operation = Object.hasOwn(endpoint.operations, name) ? endpoint.operations[name] : undefined;
  if (request.method !== 'POST' || operation === undefined) {
    sendAwsError(response, 400, 'UnknownOperationException', {
      message: `The local ${endpoint.name} endpoint supports POST with X-Amz-Target ${endpoint.targetPrefix}{${Object.keys(endpoint.operations).join(',')}}; got ${request.method} ${String(target)}.`,
    });
    return undefined;
  }
  return operation;
}
