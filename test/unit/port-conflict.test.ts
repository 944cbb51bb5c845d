import { describe, expect, it } from 'vitest';
import { retryOnPortConflict } from '../../src/devstack/processes.ts';

describe('retryOnPortConflict', () => {
  it('starts again after "address already in use", and only then', async () => {
    let calls = 0;
    const started = await retryOnPortConflict(() => {
      calls++;
      if (calls < 3) return Promise.reject(new Error('listen tcp 127.0.0.1:40001: bind: address already in use'));
      return Promise.resolve('up');
    });
    expect([started, calls]).toEqual(['up', 3]);

    let other = 0;
    await expect(
      retryOnPortConflict(() => {
        other++;
        return Promise.reject(new Error('permission denied'));
      }),
    ).rejects.toThrow('permission denied');
    expect(other).toBe(1);

    let always = 0;
    await expect(
      retryOnPortConflict(() => {
        always++;
        return Promise.reject(new Error('bind: address already in use'));
      }),
    ).rejects.toThrow('address already in use');
    expect(always).toBe(3);
  });
});
