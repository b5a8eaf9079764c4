// Image attachments: what is refused (type, size) with a sentence naming the file and the fix,
// how the bytes reach the request (`images`, base64, not in the text), and when the selected
// model cannot see them.
import { describe, expect, it } from 'vitest';
import { buildApiMessages } from '../../../webview/chat/apiMessages';
import type { ChatMessage, ModelInfo } from '../../../webview/chat/types';
import { MAX_IMAGE_BYTES, readImage } from '../../../webview/session/images';
import { imagesRefusedBy, session } from '../../../webview/session/session';
import type { ChatSettings } from '../../../src/protocol/webviewMessages';

const PNG_BYTES: Uint8Array<ArrayBuffer> = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const png = (name: string, bytes: Uint8Array<ArrayBuffer> = PNG_BYTES) => Object.assign(new Blob([bytes], { type: 'image/png' }), { name });

describe('readImage', () => {
  it('reads an image as base64 without a data: prefix', async () => {
    const attachment = await readImage(png('shot.png'));
    expect(attachment).toEqual({ kind: 'image', path: 'shot.png', content: '', mimeType: 'image/png', data: Buffer.from(PNG_BYTES).toString('base64') });
  });

  it('names a pasted image that has no name', async () => {
    expect((await readImage(Object.assign(new Blob([PNG_BYTES], { type: 'image/png' }), { name: '' }), 2)).path).toBe('pasted image 2');
  });

  it('refuses other types and oversized images, saying what to do', async () => {
    await expect(readImage(Object.assign(new Blob(['x'], { type: 'image/heic' }), { name: 'photo.heic' }))).rejects.toThrow(
      'photo.heic (image/heic) is not an image the models take; attach a PNG, JPEG, GIF or WebP image.',
    );
    await expect(readImage(png('huge.png', new Uint8Array(MAX_IMAGE_BYTES + 1)))).rejects.toThrow(/huge\.png is 5\.0 MB; images can be at most 5 MB\. Shrink it/);
  });
});

describe('images in the request', () => {
  it('go in `images`, and only text attachments go in the text', () => {
    const user: ChatMessage = {
      id: 'u1',
      role: 'user',
      content: 'what is wrong here?',
      attachments: [
        { kind: 'image', path: 'shot.png', content: '', mimeType: 'image/png', data: 'iVBORw0K' },
        { kind: 'file', path: 'src/app.ts', content: 'let x = 1;', languageId: 'typescript' },
      ],
    };
    const [, message] = buildApiMessages([user]);
    expect(message.images).toEqual(['iVBORw0K']);
    expect(message.content).toContain('src/app.ts:\n```typescript\nlet x = 1;\n```');
    expect(message.content).not.toContain('iVBORw0K');
    expect(buildApiMessages([{ id: 'u2', role: 'user', content: 'hi' }])[1]).toEqual({ role: 'user', content: 'hi' });
  });
});

describe('imagesRefusedBy', () => {
  const qwen: ModelInfo = { id: 'qwen3:8b', label: 'qwen3:8b', capabilities: ['tools'] };
  const llava: ModelInfo = { id: 'llava:7b', label: 'llava:7b', capabilities: ['vision'] };
  const image = { kind: 'image' as const, path: 'a.png', content: '', data: 'iVBORw0K', mimeType: 'image/png' };
  const with_ = (provider: ChatSettings['provider'], model: ModelInfo, attachments = [image]) => ({
    ...session.get(),
    settings: { ...session.get().settings, provider, model: model.id } as ChatSettings,
    models: [model],
    attachments,
  });

  it('names an Ollama model without vision, and what to do', () => {
    expect(imagesRefusedBy(with_('ollama', qwen))).toBe('qwen3:8b cannot see images. Pick a model with vision, or remove the images.');
  });

  it('lets vision models, models nobody describes and image-less messages through', () => {
    expect(imagesRefusedBy(with_('ollama', llava))).toBeNull();
    expect(imagesRefusedBy(with_('openai', { id: 'local-model', label: 'local-model', capabilities: [] }))).toBeNull();
    expect(imagesRefusedBy(with_('ollama', qwen, []))).toBeNull();
  });

  it('refuses for any provider whose server says the model does not see', () => {
    expect(imagesRefusedBy(with_('openai', { id: 'gpt-3.5-turbo', label: 'gpt-3.5-turbo', capabilities: ['completion', 'tools'] }))).toContain('cannot see images');
  });
});
