import { describe, expect, it } from 'vitest';
import { defaultToolCap, ToolSlots } from '../../src/tools/tool-slots.ts';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('tool process cap', () => {
  it('runs at most `limit` calls at once and starts the waiting ones in order as slots free', async () => {
    const slots = new ToolSlots(2);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const gates = Array.from({ length: 5 }, deferred);
    const calls = gates.map((gate, i) =>
      slots.run(async () => {
        running++;
        most = Math.max(most, running);
        order.push(i);
        await gate.promise;
        running--;
      }),
    );
    await Promise.resolve();
    expect(order).toEqual([0, 1]);
    for (const gate of gates) gate.resolve();
    await Promise.all(calls);
    expect(most).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4]);
  });

  it('keeps a waiting call alive (whileWaiting, meant to re-send the heartbeat) and frees the slot on failure', async () => {
    const slots = new ToolSlots(1);
    let keptAlive = 0;
    slots.whileWaiting = () => keptAlive++;
    const first = deferred();
    const holding = slots.run(async () => {
      await first.promise;
      throw new Error('tool failed');
    });
    const waiting = slots.run(() => Promise.resolve('second ran'));
    expect(keptAlive).toBeGreaterThan(0);
    first.resolve();
    await expect(holding).rejects.toThrow('tool failed');
    await expect(waiting).resolves.toBe('second ran');
  });

  it('a larger cap lets waiting calls start at once', async () => {
    const slots = new ToolSlots(1);
    const first = deferred();
    const started: string[] = [];
    const one = slots.run(async () => {
      started.push('one');
      await first.promise;
    });
    const two = slots.run(() => {
      started.push('two');
      return Promise.resolve();
    });
    await Promise.resolve();
    expect(started).toEqual(['one']);
    slots.resize(2);
    await two;
    expect(started).toEqual(['one', 'two']);
    first.resolve();
    await one;
  });

  it('refuses a cap that is not a whole number of at least 1, naming the variable', () => {
    expect(defaultToolCap({})).toBe(4);
    expect(defaultToolCap({ SHIPGATE_MAX_TOOLS: '8' })).toBe(8);
    expect(() => defaultToolCap({ SHIPGATE_MAX_TOOLS: '0' })).toThrow(/SHIPGATE_MAX_TOOLS "0" must be a whole number/);
    expect(() => defaultToolCap({ SHIPGATE_MAX_TOOLS: 'lots' })).toThrow(/SHIPGATE_MAX_TOOLS/);
    expect(() => new ToolSlots(1).resize(0)).toThrow(/at least 1/);
  });
});
