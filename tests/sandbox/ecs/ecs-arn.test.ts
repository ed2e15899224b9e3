import { describe, expect, it } from '@jest/globals';
import { clusterNameOf, parseTaskDefinition, taskIdOf } from '../../../sandbox/ecs/ecs-arn.js';

describe('clusterNameOf', () => {
  it.each([
    [undefined, 'default'],
    ['', 'default'],
    ['local', 'local'],
    ['arn:aws:ecs:us-east-1:000000000000:cluster/local', 'local'],
  ])('reads %j as cluster %j', (reference, name) => {
    expect(clusterNameOf(reference)).toBe(name);
  });
});

describe('taskIdOf', () => {
  it.each([
    ['0123abcd', '0123abcd'],
    ['arn:aws:ecs:us-east-1:000000000000:task/local/0123abcd', '0123abcd'],
    ['arn:aws:ecs:us-east-1:000000000000:task/0123abcd', '0123abcd'],
  ])('reads %j as task id %j', (reference, id) => {
    expect(taskIdOf(reference)).toBe(id);
  });
});

describe('parseTaskDefinition', () => {
  it.each([
    ['hello', { family: 'hello', revision: 1 }],
    ['hello:7', { family: 'hello', revision: 7 }],
    ['arn:aws:ecs:us-east-1:000000000000:task-definition/hello:3', { family: 'hello', revision: 3 }],
  ])('reads %j when it is a family, family:revision or an ARN', (reference, expected) => {
    expect(parseTaskDefinition(reference)).toEqual(expected);
  });

  it.each(['hello:', 'hel lo', 'arn:aws:ecs:us-east-1:0:cluster/x'])(
    'answers undefined when %j is malformed',
    (reference) => {
      expect(parseTaskDefinition(reference)).toBeUndefined();
    },
  );
});
