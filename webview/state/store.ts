// A minimal observable store: synchronous state, subscribers told at most once per animation frame
// for stream updates (so a burst of chunks costs one render), or at once for user actions.
import { useEffect, useRef, useState } from 'preact/hooks';

type Listener = () => void;

export class Store<T> {
  private state: T;
  private readonly listeners = new Set<Listener>();
  /** The pending notification: an animation frame, or a timer while the view is hidden. */
  private pending: { kind: 'frame' | 'timer'; id: number } | null = null;

  constructor(initial: T) {
    this.state = initial;
  }

  get(): T {
    return this.state;
  }

  /** Replaces the state; `batched` defers the notification to the next animation frame. */
  set(next: T, batched = false): void {
    if (next === this.state) return;
    this.state = next;
    if (batched) this.schedule();
    else this.notify();
  }

  update(change: (state: T) => T, batched = false): void {
    this.set(change(this.state), batched);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private schedule(): void {
    if (this.pending !== null) return;
    const run = () => this.notify();
    // Hidden webviews get no animation frames; a timer keeps the state and the DOM in step.
    this.pending =
      typeof document !== 'undefined' && document.hidden
        ? { kind: 'timer', id: setTimeout(run, 100) as unknown as number }
        : { kind: 'frame', id: requestAnimationFrame(run) };
  }

  private notify(): void {
    // Frame and timer ids are separate number spaces: cancel each with its own function only.
    if (this.pending?.kind === 'frame') cancelAnimationFrame(this.pending.id);
    else if (this.pending?.kind === 'timer') clearTimeout(this.pending.id);
    this.pending = null;
    for (const listener of [...this.listeners]) listener();
  }
}

/** Subscribes a component to `select(store state)`; re-renders only when the selection changes. */
export function useStore<T, S>(store: Store<T>, select: (state: T) => S): S {
  const [, force] = useState(0);
  const selected = select(store.get());
  const latest = useRef({ select, selected });
  latest.current = { select, selected };
  useEffect(() => {
    const check = () => {
      const next = latest.current.select(store.get());
      if (!Object.is(next, latest.current.selected)) force((n) => n + 1);
    };
    const unsubscribe = store.subscribe(check);
    check();
    return unsubscribe;
  }, [store]);
  return selected;
}
