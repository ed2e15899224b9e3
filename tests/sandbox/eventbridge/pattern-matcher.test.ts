import { describe, expect, it } from '@jest/globals';
import { InvalidEventPatternError } from '../../../sandbox/eventbridge/errors.js';
import {
  compilePattern,
  MAX_EVENT_PATTERN_LENGTH,
  matchesPattern,
  validatePattern,
} from '../../../sandbox/eventbridge/pattern-matcher.js';

// The sample event of aws/event-ruler's README ("Ruler by Example"); every rule of that section
// is documented to match it. https://github.com/aws/event-ruler#ruler-by-example
const rulerEvent = {
  version: '0',
  id: 'ddddd4-aaaa-7777-4444-345dd43cc333',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '012345679012',
  time: '2017-10-02T16:24:49Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
  detail: {
    'c-count': 5,
    'd-count': 3,
    'x-limit': 301.8,
    'source-ip': '10.0.0.33',
    'instance-id': 'i-000000aaaaaa00000',
    state: 'running',
  },
};

// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
const ec2TerminatedEvent = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
};

function withDetail(detail: Record<string, unknown>): Record<string, unknown> {
  return { ...rulerEvent, detail };
}

describe('matchesPattern', () => {
  describe('AWS documented examples', () => {
    // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
    it('matches the EC2 termination event when source, detail-type and detail.state all match', () => {
      const pattern = {
        source: ['aws.ec2'],
        'detail-type': ['EC2 Instance State-change Notification'],
        detail: { state: ['terminated'] },
      };

      expect(matchesPattern(pattern, ec2TerminatedEvent)).toBe(true);
      expect(matchesPattern(pattern, { ...ec2TerminatedEvent, source: 'aws.fargate' })).toBe(false);
    });

    it('ORs the values listed for one field when the pattern lists several sources', () => {
      const pattern = { source: ['aws.ec2', 'aws.fargate'] };

      expect(matchesPattern(pattern, ec2TerminatedEvent)).toBe(true);
      expect(matchesPattern(pattern, { ...ec2TerminatedEvent, source: 'aws.fargate' })).toBe(true);
      expect(matchesPattern(pattern, { ...ec2TerminatedEvent, source: 'aws.s3' })).toBe(false);
    });

    // https://github.com/aws/event-ruler#simple-matching
    it('matches when the event array intersects the pattern array for resources', () => {
      const pattern = {
        'detail-type': ['EC2 Instance State-change Notification'],
        resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
        detail: { state: ['initializing', 'running'] },
      };

      expect(matchesPattern(pattern, rulerEvent)).toBe(true);
    });

    // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html
    it('matches when any pattern value equals any element of the event array', () => {
      const pattern = {
        resources: [
          'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
          'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
          'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
        ],
      };
      const event = {
        resources: [
          'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate',
          'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        ],
      };

      expect(matchesPattern(pattern, event)).toBe(true);
      expect(matchesPattern(pattern, { resources: [event.resources[0]] })).toBe(false);
    });

    // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-null-values.html
    describe('null values and empty strings', () => {
      const autoscalingEvent = {
        version: '0',
        id: '3e3c153a-8339-4e30-8c35-687ebef853fe',
        'detail-type': 'EC2 Instance Launch Successful',
        source: 'aws.autoscaling',
        account: '123456789012',
        time: '2015-11-11T21:31:47Z',
        region: 'us-east-1',
        resources: [],
        detail: { eventVersion: '', responseElements: null },
      };

      it('matches an empty string when the pattern lists ""', () => {
        expect(matchesPattern({ detail: { eventVersion: [''] } }, autoscalingEvent)).toBe(true);
      });

      it('matches a null value when the pattern lists null', () => {
        expect(matchesPattern({ detail: { responseElements: [null] } }, autoscalingEvent)).toBe(true);
      });

      it('does not match null when the pattern lists "" (they are not interchangeable)', () => {
        expect(matchesPattern({ detail: { responseElements: [''] } }, autoscalingEvent)).toBe(false);
        expect(matchesPattern({ detail: { eventVersion: [null] } }, autoscalingEvent)).toBe(false);
      });
    });

    // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html (Value matching)
    it('matches nested numbers when the Macie risk-score and trigger risk are listed', () => {
      const pattern = {
        source: ['aws.macie'],
        'detail-type': ['Macie Alert'],
        detail: { 'risk-score': [80], trigger: { risk: [8] } },
      };
      const event = {
        source: 'aws.macie',
        'detail-type': 'Macie Alert',
        detail: {
          'risk-score': 80,
          tags: ['Custom_Alert', 'Insider'],
          trigger: { 'alert-type': 'basic', risk: 8 },
        },
      };

      expect(matchesPattern(pattern, event)).toBe(true);
      expect(matchesPattern(pattern, { ...event, detail: { ...event.detail, trigger: { risk: 9 } } })).toBe(
        false,
      );
    });

    // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html
    it('matches the documented complex example when prefix, anything-but and numeric all hold', () => {
      const pattern = {
        time: [{ prefix: '2017-10-02' }],
        detail: {
          state: [{ 'anything-but': 'initializing' }],
          'c-count': [{ numeric: ['>', 0, '<=', 5] }],
          'd-count': [{ numeric: ['<', 10] }],
          'x-limit': [{ 'anything-but': [100, 200, 300] }],
        },
      };

      expect(matchesPattern(pattern, rulerEvent)).toBe(true);
      expect(matchesPattern(pattern, withDetail({ ...rulerEvent.detail, 'c-count': 6 }))).toBe(false);
      expect(matchesPattern(pattern, withDetail({ ...rulerEvent.detail, 'x-limit': 200 }))).toBe(false);
      expect(matchesPattern(pattern, { ...rulerEvent, time: '2017-10-03T00:00:00Z' })).toBe(false);
    });

    // https://github.com/aws/event-ruler#numeric-matching
    it('matches the documented numeric example when every bound holds', () => {
      const pattern = {
        detail: {
          'c-count': [{ numeric: ['>', 0, '<=', 5] }],
          'd-count': [{ numeric: ['<', 10] }],
          'x-limit': [{ numeric: ['=', 3.018e2] }],
        },
      };

      expect(matchesPattern(pattern, rulerEvent)).toBe(true);
      expect(matchesPattern(pattern, withDetail({ ...rulerEvent.detail, 'c-count': 0 }))).toBe(false);
      expect(matchesPattern(pattern, withDetail({ ...rulerEvent.detail, 'd-count': 10 }))).toBe(false);
    });

    // https://github.com/aws/event-ruler#ip-address-matching
    it('matches an IPv4 address inside the documented CIDR block', () => {
      expect(matchesPattern({ detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } }, rulerEvent)).toBe(true);
      expect(matchesPattern({ detail: { 'source-ip': [{ cidr: '10.0.1.0/24' }] } }, rulerEvent)).toBe(false);
    });

    describe('exists', () => {
      const stateChangeWithoutCount = {
        'detail-type': ['EC2 Instance State-change Notification'],
        resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341'],
        detail: { state: ['initializing', 'running'] },
      };

      // https://docs.aws.amazon.com/eventbridge/latest/userguide/content-filtering-with-event-patterns.html
      it('matches exists:false when the field is missing', () => {
        expect(matchesPattern({ detail: { 'c-count': [{ exists: false }] } }, stateChangeWithoutCount)).toBe(
          true,
        );
      });

      it('matches exists:false when the field is an object, because an intermediate node is not a leaf', () => {
        const event = {
          ...stateChangeWithoutCount,
          detail: { ...stateChangeWithoutCount.detail, 'c-count': { c1: 100 } },
        };

        expect(matchesPattern({ detail: { 'c-count': [{ exists: false }] } }, event)).toBe(true);
        expect(matchesPattern({ detail: { 'c-count': [{ exists: true }] } }, event)).toBe(false);
      });

      // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html
      it('matches exists:true when detail.state is present and not when only detail.c-count is', () => {
        const pattern = { detail: { state: [{ exists: true }] } };
        const pending = {
          version: '0',
          id: '7bf73129-1428-4cd3-a780-95db273d1602',
          'detail-type': 'EC2 Instance State-change Notification',
          source: 'aws.ec2',
          detail: { 'instance-id': 'i-abcd1111', state: 'pending' },
        };
        const withoutState = {
          'detail-type': ['EC2 Instance State-change Notification'],
          detail: { 'c-count': { c1: 100 } },
        };

        expect(matchesPattern(pattern, pending)).toBe(true);
        expect(matchesPattern(pattern, withoutState)).toBe(false);
      });

      it('matches exists:true when the field is null, because null is a leaf value', () => {
        expect(matchesPattern({ detail: { x: [{ exists: true }] } }, { detail: { x: null } })).toBe(true);
      });

      it('matches exists:false when the whole parent object is missing', () => {
        expect(matchesPattern({ detail: { x: [{ exists: false }] } }, { source: 'a' })).toBe(true);
        expect(matchesPattern({ detail: { x: [{ exists: false }] } }, { detail: 'scalar' })).toBe(true);
      });

      it('treats an empty array as having no leaf when checking exists', () => {
        expect(matchesPattern({ tags: [{ exists: false }] }, { tags: [] })).toBe(true);
        expect(matchesPattern({ tags: [{ exists: true }] }, { tags: [] })).toBe(false);
      });

      it('checks exists:false over every element of an array of objects when any element has the field', () => {
        const event = { items: [{ id: 1, flag: true }, { id: 2 }] };

        expect(matchesPattern({ items: { flag: [{ exists: false }] } }, event)).toBe(false);
        expect(matchesPattern({ items: { other: [{ exists: false }] } }, event)).toBe(true);
      });

      it('ORs exists:false with other values listed for the same field', () => {
        const pattern = { detail: { requestId: [{ exists: false }, { prefix: 'req-' }] } };

        expect(matchesPattern(pattern, { detail: {} })).toBe(true);
        expect(matchesPattern(pattern, { detail: { requestId: 'req-1' } })).toBe(true);
        expect(matchesPattern(pattern, { detail: { requestId: 'other' } })).toBe(false);
      });
    });

    // https://github.com/aws/event-ruler#json-array-matching
    describe('arrays of objects', () => {
      const employees = {
        employees: [
          { firstName: 'John', lastName: 'Doe' },
          { firstName: 'Anna', lastName: 'Smith' },
          { firstName: 'Peter', lastName: 'Jones' },
        ],
      };

      it('matches a nested field when any element of the array has it', () => {
        expect(matchesPattern({ employees: { firstName: ['Anna'] } }, employees)).toBe(true);
      });

      it('does not match when the fields are satisfied by different elements of the same array', () => {
        expect(matchesPattern({ employees: { firstName: ['Anna'], lastName: ['Jones'] } }, employees)).toBe(
          false,
        );
        expect(matchesPattern({ employees: { firstName: ['Anna'], lastName: ['Smith'] } }, employees)).toBe(
          true,
        );
      });

      it('matches through nested arrays of arrays', () => {
        const nested = {
          employees: [[employees.employees[0], employees.employees[1]], [employees.employees[2]]],
        };

        expect(matchesPattern({ employees: { firstName: ['Peter'] } }, nested)).toBe(true);
      });
    });

    // https://github.com/aws/event-ruler#the-or-primitive
    describe('$or', () => {
      it('matches "source" AND ("metricName" OR "namespace") when either branch holds', () => {
        const pattern = {
          source: ['aws.cloudwatch'],
          $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
        };

        expect(matchesPattern(pattern, { source: 'aws.cloudwatch', metricName: 'ReadLatency' })).toBe(true);
        expect(matchesPattern(pattern, { source: 'aws.cloudwatch', namespace: 'AWS/ES' })).toBe(true);
        expect(matchesPattern(pattern, { source: 'aws.cloudwatch', namespace: 'AWS/S3' })).toBe(false);
        expect(matchesPattern(pattern, { source: 'aws.ec2', metricName: 'ReadLatency' })).toBe(false);
      });

      it('requires every parallel $or to hold when $or appears at two levels', () => {
        const pattern = {
          $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
          detail: {
            $or: [{ source: ['aws.cloudwatch'] }, { 'detail-type': ['CloudWatch Alarm State Change'] }],
          },
        };

        expect(matchesPattern(pattern, { namespace: 'AWS/EC2', detail: { source: 'aws.cloudwatch' } })).toBe(
          true,
        );
        expect(matchesPattern(pattern, { namespace: 'AWS/EC2', detail: { source: 'aws.ec2' } })).toBe(false);
      });

      it('evaluates nested $or and AND branches as documented', () => {
        const pattern = {
          source: ['aws.cloudwatch'],
          $or: [
            { metricName: ['CPUUtilization', 'ReadLatency'] },
            {
              metricType: ['MetricType'],
              namespace: ['AWS/EC2', 'AWS/ES'],
              $or: [{ metricId: [1234] }, { spaceId: [1000] }],
            },
            { scope: ['Service'] },
          ],
        };
        const base = { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/EC2' };

        expect(matchesPattern(pattern, { ...base, spaceId: 1000 })).toBe(true);
        expect(matchesPattern(pattern, { ...base, spaceId: 999 })).toBe(false);
        expect(matchesPattern(pattern, { source: 'aws.cloudwatch', scope: 'Service' })).toBe(true);
      });
    });
  });

  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
  describe('comparison operators', () => {
    it('matches prefix only on strings', () => {
      expect(matchesPattern({ region: [{ prefix: 'us-' }] }, { region: 'us-east-1' })).toBe(true);
      expect(matchesPattern({ region: [{ prefix: 'us-' }] }, { region: 'eu-west-1' })).toBe(false);
      expect(matchesPattern({ code: [{ prefix: '1' }] }, { code: 123 })).toBe(false);
    });

    it('matches prefix ignoring case when it wraps equals-ignore-case', () => {
      const pattern = { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] };

      expect(matchesPattern(pattern, { service: 'eventbridge' })).toBe(true);
      expect(matchesPattern(pattern, { service: 'EVENTBUS' })).toBe(true);
      expect(matchesPattern(pattern, { service: 'sqs' })).toBe(false);
    });

    it('matches suffix, and suffix ignoring case', () => {
      expect(matchesPattern({ FileName: [{ suffix: '.png' }] }, { FileName: 'a.png' })).toBe(true);
      expect(matchesPattern({ FileName: [{ suffix: '.png' }] }, { FileName: 'a.PNG' })).toBe(false);
      expect(
        matchesPattern({ FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] }, { FileName: 'a.PNG' }),
      ).toBe(true);
    });

    it('matches equals-ignore-case on strings only', () => {
      expect(matchesPattern({ Name: [{ 'equals-ignore-case': 'alice' }] }, { Name: 'Alice' })).toBe(true);
      expect(matchesPattern({ Name: [{ 'equals-ignore-case': 'alice' }] }, { Name: 'Alicia' })).toBe(false);
    });

    it('matches exact strings case-sensitively', () => {
      expect(matchesPattern({ Name: ['Alice'] }, { Name: 'alice' })).toBe(false);
    });

    it('matches wildcards across any run of characters, including none', () => {
      const pattern = { FilePath: [{ wildcard: '*/lib/*' }] };

      expect(matchesPattern(pattern, { FilePath: 'usr/lib/x.so' })).toBe(true);
      expect(matchesPattern(pattern, { FilePath: '/lib/' })).toBe(true);
      expect(matchesPattern(pattern, { FilePath: 'usr/bin/x' })).toBe(false);
      expect(
        matchesPattern({ source: [{ wildcard: 'Simple*Service' }] }, { source: 'SimpleQueueService' }),
      ).toBe(true);
    });

    it('matches an escaped asterisk literally in a wildcard', () => {
      expect(matchesPattern({ a: [{ wildcard: 'x\\*y' }] }, { a: 'x*y' })).toBe(true);
      expect(matchesPattern({ a: [{ wildcard: 'x\\*y' }] }, { a: 'xzy' })).toBe(false);
    });

    describe('anything-but', () => {
      it('excludes a single string and a list of strings', () => {
        expect(matchesPattern({ state: [{ 'anything-but': 'initializing' }] }, { state: 'running' })).toBe(
          true,
        );
        expect(
          matchesPattern({ state: [{ 'anything-but': 'initializing' }] }, { state: 'initializing' }),
        ).toBe(false);
        const list = { state: [{ 'anything-but': ['stopped', 'overloaded'] }] };
        expect(matchesPattern(list, { state: 'stopped' })).toBe(false);
        expect(matchesPattern(list, { state: 'running' })).toBe(true);
      });

      it('excludes a single number and a list of numbers numerically', () => {
        expect(matchesPattern({ 'x-limit': [{ 'anything-but': 123 }] }, { 'x-limit': 123.0 })).toBe(false);
        expect(matchesPattern({ 'x-limit': [{ 'anything-but': [100, 200, 300] }] }, { 'x-limit': 3e2 })).toBe(
          false,
        );
        expect(matchesPattern({ 'x-limit': [{ 'anything-but': [100, 200, 300] }] }, { 'x-limit': 301 })).toBe(
          true,
        );
      });

      it('does not match when the field is missing', () => {
        expect(
          matchesPattern({ detail: { state: [{ 'anything-but': 'initializing' }] } }, { detail: {} }),
        ).toBe(false);
        expect(matchesPattern({ batchTypeId: [{ 'anything-but': [1, 2] }] }, {})).toBe(false);
      });

      it('matches a present value of another type, since only the listed values are excluded', () => {
        expect(matchesPattern({ batchTypeId: [{ 'anything-but': [1, 2] }] }, { batchTypeId: '1' })).toBe(
          true,
        );
        expect(matchesPattern({ state: [{ 'anything-but': 'x' }] }, { state: null })).toBe(true);
      });

      it('excludes prefixes and suffixes', () => {
        expect(
          matchesPattern({ source: [{ 'anything-but': { prefix: 'aws.' } }] }, { source: 'aws.ec2' }),
        ).toBe(false);
        expect(
          matchesPattern({ source: [{ 'anything-but': { prefix: 'aws.' } }] }, { source: 'com.acme' }),
        ).toBe(true);
        expect(
          matchesPattern({ FileName: [{ 'anything-but': { suffix: '.png' } }] }, { FileName: 'a.png' }),
        ).toBe(false);
        expect(
          matchesPattern({ FileName: [{ 'anything-but': { suffix: '.png' } }] }, { FileName: 'a.jpg' }),
        ).toBe(true);
      });

      it('excludes values ignoring case and by wildcard', () => {
        const ignoringCase = { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] };
        expect(matchesPattern(ignoringCase, { state: 'INITIALIZING' })).toBe(false);
        expect(matchesPattern(ignoringCase, { state: 'running' })).toBe(true);
        const wildcard = { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] };
        expect(matchesPattern(wildcard, { FilePath: 'usr/lib/x' })).toBe(false);
        expect(matchesPattern(wildcard, { FilePath: 'usr/bin/x' })).toBe(true);
      });

      it('matches when any element of an event array is not excluded', () => {
        expect(matchesPattern({ tags: [{ 'anything-but': 'a' }] }, { tags: ['a', 'b'] })).toBe(true);
        expect(matchesPattern({ tags: [{ 'anything-but': 'a' }] }, { tags: ['a'] })).toBe(false);
      });
    });

    describe('numeric', () => {
      it('does not match a string that looks like a number', () => {
        expect(matchesPattern({ n: [{ numeric: ['>', 0] }] }, { n: '5' })).toBe(false);
        expect(matchesPattern({ n: [{ numeric: ['>', 0] }] }, { n: 5 })).toBe(true);
      });

      it('honours open and closed bounds', () => {
        expect(matchesPattern({ n: [{ numeric: ['>=', 1, '<', 2] }] }, { n: 1 })).toBe(true);
        expect(matchesPattern({ n: [{ numeric: ['>=', 1, '<', 2] }] }, { n: 2 })).toBe(false);
        expect(matchesPattern({ n: [{ numeric: ['<=', 2] }] }, { n: 2 })).toBe(true);
        expect(matchesPattern({ n: [{ numeric: ['>', 2] }] }, { n: 2 })).toBe(false);
      });

      it('compares with six decimal digits of precision', () => {
        expect(matchesPattern({ n: [{ numeric: ['=', 0.3] }] }, { n: 0.1 + 0.2 })).toBe(true);
      });

      it('never matches an event number outside -5e9..5e9', () => {
        expect(matchesPattern({ n: [{ numeric: ['>', 0] }] }, { n: 6e9 })).toBe(false);
      });
    });

    describe('exact values', () => {
      it('does not match a number against the same digits as a string, either way', () => {
        expect(matchesPattern({ batchTypeId: [1] }, { batchTypeId: '1' })).toBe(false);
        expect(matchesPattern({ batchTypeId: ['1'] }, { batchTypeId: 1 })).toBe(false);
        expect(matchesPattern({ batchTypeId: [1] }, { batchTypeId: 1 })).toBe(true);
      });

      it('compares numbers by value when they are written differently', () => {
        expect(matchesPattern({ n: [300] }, { n: 3.0e2 })).toBe(true);
      });

      it('matches booleans only against the same boolean', () => {
        expect(matchesPattern({ flag: [true] }, { flag: true })).toBe(true);
        expect(matchesPattern({ flag: [true] }, { flag: 'true' })).toBe(false);
      });

      it('does not match when the field is missing or is an object', () => {
        expect(matchesPattern({ detail: { state: ['running'] } }, { detail: {} })).toBe(false);
        expect(matchesPattern({ detail: ['running'] }, { detail: { state: 'running' } })).toBe(false);
        expect(matchesPattern({ detail: { state: ['running'] } }, {})).toBe(false);
      });
    });
  });

  it('accepts the pattern as JSON text, the way PutRule receives it', () => {
    expect(matchesPattern('{"source":["aws.ec2"]}', ec2TerminatedEvent)).toBe(true);
  });

  it('throws InvalidEventPatternError when the pattern is malformed', () => {
    expect(() => matchesPattern({ source: 'aws.ec2' }, ec2TerminatedEvent)).toThrow(InvalidEventPatternError);
  });
});

describe('compilePattern', () => {
  it('returns a matcher reusable for many events when the pattern is valid', () => {
    const matches = compilePattern({ detail: { batchTypeId: [1, 2] } });

    expect([1, 2, 3].map((batchTypeId) => matches({ detail: { batchTypeId } }))).toEqual([true, true, false]);
  });
});

describe('validatePattern', () => {
  it.each<[string, unknown, string]>([
    ['the pattern is not an object', ['aws.ec2'], 'Filter is not an object'],
    ['the pattern is not valid JSON text', '{"source":', 'not valid JSON'],
    ['the pattern is empty', {}, 'Empty objects are not allowed'],
    ['a nested object is empty', { detail: {} }, 'Empty objects are not allowed (at "detail")'],
    ['a field value is a bare string', { source: 'aws.ec2' }, '"source" must be an object or an array'],
    ['a value list is empty', { source: [] }, 'Empty arrays are not allowed (at "source")'],
    [
      'a value list holds an array',
      { source: [['a']] },
      'Match value must be String, number, true, false, or null',
    ],
    ['a match expression is unknown', { source: [{ contains: 'x' }] }, 'Unrecognized match type contains'],
    ['a match expression has two keys', { source: [{ prefix: 'a', suffix: 'b' }] }, 'Only one key allowed'],
    ['a match expression is empty', { source: [{}] }, 'Match expression name not found'],
    ['prefix is not a string', { source: [{ prefix: 1 }] }, 'prefix match pattern must be a string'],
    [
      'exists is not a boolean',
      { source: [{ exists: 'yes' }] },
      'exists match pattern must be either true or false',
    ],
    ['numeric is not an array', { n: [{ numeric: '>' }] }, 'Value of numeric must be an array'],
    [
      'numeric has an unknown operator',
      { n: [{ numeric: ['!=', 1] }] },
      'Unrecognized numeric range operator: !=',
    ],
    ['a numeric operand is a string', { n: [{ numeric: ['>', '1'] }] }, 'Value of > must be numeric'],
    ['numeric equality has a second term', { n: [{ numeric: ['=', 1, '<', 2] }] }, 'Too many elements'],
    [
      'a numeric range is upside down',
      { n: [{ numeric: ['>', 5, '<', 1] }] },
      'Bottom must be less than top',
    ],
    [
      'a numeric range uses > as upper bound',
      { n: [{ numeric: ['>', 1, '>', 2] }] },
      'Bad numeric range operator',
    ],
    ['a numeric operand is out of range', { n: [{ numeric: ['>', 6e9] }] }, 'Value must be between'],
    ['anything-but mixes types', { n: [{ 'anything-but': [1, 'a'] }] }, 'mixed type is not supported'],
    ['anything-but lists null', { n: [{ 'anything-but': [null] }] }, 'start|null|boolean is not supported'],
    ['anything-but has an empty prefix', { n: [{ 'anything-but': { prefix: '' } }] }, 'Null prefix/suffix'],
    [
      'anything-but nests numeric',
      { n: [{ 'anything-but': { numeric: ['>', 1] } }] },
      'Unsupported anything-but',
    ],
    [
      'anything-but is a boolean',
      { n: [{ 'anything-but': true }] },
      'Value of anything-but must be an array',
    ],
    ['a wildcard has consecutive stars', { n: [{ wildcard: 'a**b' }] }, 'Consecutive wildcard characters'],
    ['a wildcard escapes a letter', { n: [{ wildcard: 'a\\b' }] }, 'Invalid escape character'],
    ['a cidr is malformed', { ip: [{ cidr: '10.0.0.0' }] }, 'Malformed CIDR'],
    ['$or is not an array', { $or: { a: ['x'] } }, 'It must be an Array followed with $or'],
    ['$or has one branch', { $or: [{ a: ['x'] }] }, 'at least 2 Objects in $or'],
    ['$or holds a non-object', { $or: [{ a: ['x'] }, 'b'] }, 'Only JSON object is allowed in array of $or'],
    [
      '$or uses a reserved field name',
      { $or: [{ prefix: ['x'] }, { a: ['y'] }] },
      'prefix is a reserved field name',
    ],
  ])('throws InvalidEventPatternError when %s', (_case, pattern, reason) => {
    expect(() => validatePattern(pattern)).toThrow(InvalidEventPatternError);
    expect(() => validatePattern(pattern)).toThrow(reason);
  });

  it('throws when the pattern is longer than PutRule accepts', () => {
    const pattern = { source: ['x'.repeat(MAX_EVENT_PATTERN_LENGTH)] };

    expect(() => validatePattern(pattern)).toThrow(`at most ${MAX_EVENT_PATTERN_LENGTH}`);
  });

  it('reports the AWS error type PutRule would answer with', () => {
    const error = captureError(() => validatePattern({ source: [] }));

    expect(error).toBeInstanceOf(InvalidEventPatternError);
    expect((error as InvalidEventPatternError).awsErrorType).toBe('InvalidEventPatternException');
  });

  it('accepts every documented operator when the pattern is well formed', () => {
    const pattern = {
      source: ['a', 1, true, null, { prefix: 'p' }, { suffix: 's' }, { 'equals-ignore-case': 'E' }],
      detail: {
        a: [{ wildcard: 'x*y' }, { 'anything-but': { 'equals-ignore-case': ['a', 'b'] } }],
        b: [{ numeric: ['>=', -5e9, '<=', 5e9] }, { exists: false }, { cidr: '2001:db8::/32' }],
        $or: [{ c: [{ 'anything-but': { wildcard: ['*.png', '*.jpg'] } }] }, { d: [{ exists: true }] }],
      },
    };

    expect(() => validatePattern(pattern)).not.toThrow();
  });
});

function captureError(action: () => void): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to throw');
}
