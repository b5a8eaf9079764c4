// Copies the release sidecar into dist/bin/ with its exec bit, where the packaged extension looks
// for it (src/sidecar/binary.ts). Part of `npm run build`, so `vscode:prepublish` (run by vsce
// before packaging) leaves a VSIX with the binary in it even on a clean clone.
import { chmodSync, copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const name = process.platform === 'win32' ? 'prototyper-sidecar.exe' : 'prototyper-sidecar';
// Where cargo put it: CARGO_TARGET_DIR when set (cargo honours it), else sidecar/target.
const targetDir = process.env.CARGO_TARGET_DIR ? resolve(process.env.CARGO_TARGET_DIR) : resolve(root, 'sidecar/target');
const built = resolve(targetDir, 'release', name);
if (!existsSync(built)) {
  console.error(`${built} is missing: build it with \`cargo build --release --manifest-path sidecar/Cargo.toml\` (npm run build does).`);
  process.exit(1);
}
mkdirSync(resolve(root, 'dist/bin'), { recursive: true });
copyFileSync(built, resolve(root, 'dist/bin', name));
chmodSync(resolve(root, 'dist/bin', name), 0o755);
console.log(`Staged dist/bin/${name}`);
