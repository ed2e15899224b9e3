import {
  classifyEcsError,
  ErrorCode,
  PermanentLaunchError,
  TransientLaunchError,
} from '../../src/launcher/errors.js';

describe('classifyEcsError', () => {
  it('treats something that is not an Error as transient', () => {
    const error = classifyEcsError('socket hang up');
    expect(error).toBeInstanceOf(TransientLaunchError);
    expect(error.code).toBe(ErrorCode.EcsUnavailable);
    expect(error.message).toBe('ecs:RunTask failed with UnknownError: socket hang up');
  });

  it('keeps an already classified error', () => {
    const original = new PermanentLaunchError('X', 'y');
    expect(classifyEcsError(original)).toBe(original);
  });

  it('treats a 5xx as transient', () => {
    const error = classifyEcsError(Object.assign(new Error('boom'), { name: 'ServerException' }));
    expect(error).toBeInstanceOf(TransientLaunchError);
  });
});
