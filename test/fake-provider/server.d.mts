// Types of the fake provider's in-process API (server.mjs), for the TypeScript tests that start it.
export interface FakeProvider {
  port: number;
  url: string;
  close(): Promise<void>;
}

/** Starts the server on 127.0.0.1; `port` 0 picks a free one; `noModels`: Ollama has nothing pulled. */
export function startFakeProvider(options?: { port?: number; host?: string; noModels?: boolean }): Promise<FakeProvider>;
