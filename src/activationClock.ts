// When the extension's code began to run. Imported first by extension.ts, so this runs before the
// rest of the bundle is evaluated, and `activate` can log how long loading and activating took
// (the figure bench/startup reads from the output channel).
export const codeStartedAt = performance.now();
