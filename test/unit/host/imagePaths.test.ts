// Insert Path at Cursor: the image's path as the open file would reference it.
import { describe, expect, it } from 'vitest';
import { pathForEditor } from '../../../src/images/paths';

describe('pathForEditor', () => {
  it('is relative to the open file, starting with ./ or ../', () => {
    expect(pathForEditor('/ws/assets/generated/a.png', '/ws/src/App.tsx', '/ws', '/')).toBe('../assets/generated/a.png');
    expect(pathForEditor('/ws/src/img/a.png', '/ws/src/App.tsx', '/ws', '/')).toBe('./img/a.png');
  });

  it('is workspace-relative when no file on disk is open', () => {
    expect(pathForEditor('/ws/assets/generated/a.png', undefined, '/ws', '/')).toBe('assets/generated/a.png');
  });

  it('uses / on Windows too', () => {
    expect(pathForEditor('C:\\ws\\assets\\a.png', 'C:\\ws\\src\\App.tsx', 'C:\\ws', '\\')).toBe('../assets/a.png');
  });
});
