// The store's batching: stream updates notify once per animation frame, user actions at once, and
// a pending frame is cancelled with cancelAnimationFrame only (frame and timer ids are separate
// number spaces: clearTimeout(frameId) once killed an unrelated timer and stalled a stream).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Store } from '../../../webview/state/store';

afterEach(() => vi.unstubAllGlobals());

describe('Store', () => {
  it('batches to one notification per frame and never clears a timer with a frame id', () => {
    const frames: (() => void)[] = [];
    const clearTimeoutSpy = vi.fn();
    vi.stubGlobal('requestAnimationFrame', (fn: () => void) => frames.push(fn));
    vi.stubGlobal('cancelAnimationFrame', vi.fn());
    vi.stubGlobal('clearTimeout', clearTimeoutSpy);
    const store = new Store(0);
    const seen: number[] = [];
    store.subscribe(() => seen.push(store.get()));
    store.set(1, true);
    store.set(2, true);
    store.set(3, true);
    expect(seen).toEqual([]);
    expect(frames).toHaveLength(1);
    frames[0]();
    expect(seen).toEqual([3]);
    store.set(4, true);
    store.set(5);
    expect(seen).toEqual([3, 5]);
    expect(clearTimeoutSpy).not.toHaveBeenCalled();
  });
});
