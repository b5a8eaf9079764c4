// The path of a generated image as it goes into code (Insert Path at Cursor): relative to the open
// file's folder, as an import or an `<img src>` next to it would write it. Pure, so it is unit-tested.
import * as path from 'node:path';

/**
 * `imageFile` (absolute) as seen from `documentFile` (an absolute path, when the editor shows a file
 * on disk): `./x.png`, `../assets/x.png`; else relative to `workspaceRoot`; `/`-separated always.
 */
export function pathForEditor(imageFile: string, documentFile: string | undefined, workspaceRoot: string | undefined, sep: string = path.sep): string {
  const paths = sep === '\\' ? path.win32 : path.posix;
  if (documentFile) {
    let relative = paths.relative(paths.dirname(documentFile), imageFile).split(sep).join('/');
    if (!relative.startsWith('.')) relative = `./${relative}`;
    return relative;
  }
  return workspaceRoot ? paths.relative(workspaceRoot, imageFile).split(sep).join('/') : imageFile.split(sep).join('/');
}
