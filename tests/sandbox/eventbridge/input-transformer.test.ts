import { describe, expect, it } from '@jest/globals';
import { InvalidInputTransformerError } from '../../../sandbox/eventbridge/errors.js';
import {
  applyInputTransformer,
  MAX_INPUT_PATHS,
  validateInputTransformer,
} from '../../../sandbox/eventbridge/input-transformer.js';

// The example event and templates of AWS's "Amazon EventBridge input transformation" guide:
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
const ec2Event = {
  version: '0',
  id: '7bf73129-1428-4cd3-a780-95db273d1602',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '123456789012',
  time: '2015-11-11T21:29:54Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
  detail: { 'instance-id': 'i-0123456789', state: 'RUNNING' },
};

const inputPathsMap = {
  timestamp: '$.time',
  instance: '$.detail.instance-id',
  state: '$.detail.state',
};

function transform(inputTemplate: string, event: unknown = ec2Event): string {
  return applyInputTransformer({ inputPathsMap, inputTemplate }, event);
}

describe('applyInputTransformer', () => {
  describe('AWS documented examples', () => {
    it('inserts values as text when the template is a simple string', () => {
      expect(transform('"instance <instance> is in <state>"')).toBe('"instance i-0123456789 is in RUNNING"');
    });

    it('keeps escaped quotes around a value when the string template escapes them', () => {
      expect(transform('"instance \\"<instance>\\" is in <state>"')).toBe(
        '"instance \\"i-0123456789\\" is in RUNNING"',
      );
    });

    it('inserts strings as JSON strings when placeholders are JSON values', () => {
      const output = transform('{\n  "instance" : <instance>,\n  "state": <state>\n}');

      expect(output).toBe('{\n  "instance" : "i-0123456789",\n  "state": "RUNNING"\n}');
      expect(JSON.parse(output)).toEqual({ instance: 'i-0123456789', state: 'RUNNING' });
    });

    it('mixes quoted and unquoted placeholders in one JSON template', () => {
      const output = transform(
        '{"instance" : <instance>, "state": "<state>", "instanceStatus": "instance \\"<instance>\\" is in <state>"}',
      );

      expect(JSON.parse(output)).toEqual({
        instance: 'i-0123456789',
        state: 'RUNNING',
        instanceStatus: 'instance "i-0123456789" is in RUNNING',
      });
    });

    it('mixes variables and static information in arrays', () => {
      const output = transform(
        '{"instance" : <instance>, "state": [ 9, <state>, true ], "Transformed" : "Yes"}',
      );

      expect(JSON.parse(output)).toEqual({
        instance: 'i-0123456789',
        state: [9, 'RUNNING', true],
        Transformed: 'Yes',
      });
    });

    it('includes reserved variables in JSON and in a string', () => {
      const context = { ruleArn: 'arn:aws:events:us-east-2:123456789012:rule/example', ruleName: 'example' };
      const json = applyInputTransformer(
        {
          inputPathsMap,
          inputTemplate:
            '{"instance": <instance>, "ruleArn": <aws.events.rule-arn>, "ruleName": <aws.events.rule-name>, "originalEvent": <aws.events.event.json>}',
        },
        ec2Event,
        context,
      );
      const text = applyInputTransformer(
        { inputTemplate: '"<aws.events.rule-name> triggered"' },
        ec2Event,
        context,
      );

      expect(JSON.parse(json)).toEqual({
        instance: 'i-0123456789',
        ruleArn: context.ruleArn,
        ruleName: 'example',
        originalEvent: ec2Event,
      });
      expect(text).toBe('"example triggered"');
    });

    // https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_InputTransformer.html
    it('inserts plain text when the template is not JSON', () => {
      const output = applyInputTransformer(
        {
          inputPathsMap: { instance: '$.detail.instance', status: '$.detail.status' },
          inputTemplate: '<instance> is in state <status>',
        },
        { detail: { instance: 'i-1', status: 'running' } },
      );

      expect(output).toBe('i-1 is in state running');
    });
  });

  describe('predefined variables', () => {
    it('gives the event without detail for aws.events.event', () => {
      const output = applyInputTransformer({ inputTemplate: '{"e": <aws.events.event>}' }, ec2Event);
      const { detail: _detail, ...withoutDetail } = ec2Event;

      expect(JSON.parse(output)).toEqual({ e: withoutDetail });
    });

    it('gives the ingestion time as ISO 8601 when the context holds a Date', () => {
      const output = applyInputTransformer(
        { inputTemplate: '{"at": <aws.events.event.ingestion-time>}' },
        ec2Event,
        { ingestionTime: new Date('2024-05-01T10:00:00.000Z') },
      );

      expect(output).toBe('{"at": "2024-05-01T10:00:00.000Z"}');
    });

    it('rejects aws.events.event.json inside a string, since AWS inserts it unescaped', () => {
      expect(() => applyInputTransformer({ inputTemplate: '"<aws.events.event.json>"' }, ec2Event)).toThrow(
        InvalidInputTransformerError,
      );
    });
  });

  describe('values of every JSON type', () => {
    const event = {
      detail: {
        batchTypeId: 7,
        parameters: { date: '2024-01-01', n: [1, 2] },
        flag: false,
        none: null,
        text: 'a"b\\c\n',
      },
    };
    const paths = {
      batchTypeId: '$.detail.batchTypeId',
      parameters: '$.detail.parameters',
      flag: '$.detail.flag',
      none: '$.detail.none',
      text: '$.detail.text',
    };

    it('inserts numbers, objects, booleans and null as JSON outside quotes', () => {
      const output = applyInputTransformer(
        {
          inputPathsMap: paths,
          inputTemplate: '{"id":<batchTypeId>,"p":<parameters>,"f":<flag>,"n":<none>}',
        },
        event,
      );

      expect(output).toBe('{"id":7,"p":{"date":"2024-01-01","n":[1,2]},"f":false,"n":null}');
    });

    it('escapes quotes, backslashes and newlines of a string inserted outside quotes', () => {
      const output = applyInputTransformer({ inputPathsMap: paths, inputTemplate: '{"t":<text>}' }, event);

      expect(JSON.parse(output)).toEqual({ t: 'a"b\\c\n' });
    });

    it('escapes a string inserted inside quotes so the output stays valid JSON', () => {
      const output = applyInputTransformer(
        { inputPathsMap: paths, inputTemplate: '{"t":"x <text> y"}' },
        event,
      );

      expect(JSON.parse(output)).toEqual({ t: 'x a"b\\c\n y' });
    });

    it('inserts an object inside quotes as its escaped JSON text', () => {
      const output = applyInputTransformer(
        { inputPathsMap: paths, inputTemplate: '{"p":"<parameters>"}' },
        event,
      );

      expect(JSON.parse(output)).toEqual({ p: '{"date":"2024-01-01","n":[1,2]}' });
    });

    it('reads array elements when the path has an index', () => {
      const output = applyInputTransformer(
        { inputPathsMap: { second: '$.detail.parameters.n[1]' }, inputTemplate: '{"s":<second>}' },
        event,
      );

      expect(output).toBe('{"s":2}');
    });
  });

  describe('missing paths', () => {
    it('inserts null outside quotes when the path does not exist', () => {
      expect(transform('{"instance": <instance>}', { detail: {} })).toBe('{"instance": null}');
    });

    it('inserts an empty string inside quotes when the path does not exist', () => {
      expect(transform('{"instance": "id-<instance>"}', { detail: {} })).toBe('{"instance": "id-"}');
    });

    it('treats a path through a scalar as missing', () => {
      expect(transform('{"state": <state>}', { detail: 'flat' })).toBe('{"state": null}');
    });
  });

  it('keeps a "<" that does not start a placeholder as text', () => {
    expect(transform('{"cmp": "a < b", "s": <state>}')).toBe('{"cmp": "a < b", "s": "RUNNING"}');
  });

  it('produces identical text for two events that differ only in id and time', () => {
    const transformer = {
      inputPathsMap: { batchTypeId: '$.detail.batchTypeId', requestId: '$.detail.requestId' },
      inputTemplate: '{"batchTypeId":<batchTypeId>,"requestId":<requestId>}',
    };
    const first = { id: 'a', time: '2024-01-01T00:00:00Z', detail: { batchTypeId: 1, requestId: 'r-1' } };
    const retry = { id: 'b', time: '2024-01-01T00:00:07Z', detail: { batchTypeId: 1, requestId: 'r-1' } };

    expect(applyInputTransformer(transformer, first)).toBe(applyInputTransformer(transformer, retry));
  });
});

describe('validateInputTransformer', () => {
  it.each<[string, { inputPathsMap?: Record<string, string>; inputTemplate: string }, string]>([
    [
      'a variable name starts with aws.',
      { inputPathsMap: { 'aws.x': '$.a' }, inputTemplate: '<aws.x>' },
      'reserved',
    ],
    [
      'a variable name has a space',
      { inputPathsMap: { 'a b': '$.a' }, inputTemplate: '"x"' },
      'must use letters',
    ],
    [
      'a path uses brackets for a key',
      { inputPathsMap: { a: "$['a']" }, inputTemplate: '<a>' },
      'dotted JSON path',
    ],
    [
      'a path does not start with $',
      { inputPathsMap: { a: 'detail.a' }, inputTemplate: '<a>' },
      'dotted JSON path',
    ],
    ['the template uses an undefined variable', { inputTemplate: '{"a": <a>}' }, 'does not define'],
    ['the template is empty', { inputTemplate: '' }, 'must not be empty'],
  ])('throws InvalidInputTransformerError when %s', (_case, transformer, reason) => {
    expect(() => validateInputTransformer(transformer)).toThrow(InvalidInputTransformerError);
    expect(() => validateInputTransformer(transformer)).toThrow(reason);
  });

  it('throws when InputPathsMap has more entries than PutTargets accepts', () => {
    const inputPathsMap = Object.fromEntries(
      Array.from({ length: MAX_INPUT_PATHS + 1 }, (_, index) => [`v${index}`, '$.a']),
    );

    expect(() => validateInputTransformer({ inputPathsMap, inputTemplate: '"x"' })).toThrow(
      `at most ${MAX_INPUT_PATHS}`,
    );
  });

  it('accepts a transformer that only uses defined and predefined variables', () => {
    expect(() =>
      validateInputTransformer({
        inputPathsMap: { requestId: '$.detail.requestId', first: '$.resources[0]' },
        inputTemplate: '{"r": <requestId>, "f": "<first>", "rule": "<aws.events.rule-name>"}',
      }),
    ).not.toThrow();
  });
});
