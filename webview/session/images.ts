// Images attached to a message (pasted, dropped or picked): checked for a type and size every
// provider takes, read as base64 for the request, and shown as thumbnails from `data:` URLs.
import type { Attachment } from '../../src/protocol/webviewMessages';

/** The image types Ollama, OpenAI and Anthropic all accept. */
export const IMAGE_TYPES: readonly string[] = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];
/** Anthropic refuses images over 5 MB; the others accept that much too. */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
/** Images per message: enough to compare screenshots, few enough to keep a request reasonable. */
export const MAX_IMAGES = 4;

/** Reads `file` as an image attachment, or throws an Error that names the file and the fix. */
export async function readImage(file: Blob & { name?: string }, index = 1): Promise<Attachment> {
  const name = file.name || `pasted image ${index}`;
  if (!IMAGE_TYPES.includes(file.type)) {
    throw new Error(`${name} (${file.type || 'unknown type'}) is not an image the models take; attach a PNG, JPEG, GIF or WebP image.`);
  }
  if (file.size > MAX_IMAGE_BYTES) {
    throw new Error(`${name} is ${(file.size / 1024 / 1024).toFixed(1)} MB; images can be at most 5 MB. Shrink it or crop it, then attach it again.`);
  }
  return { kind: 'image', path: name, content: '', mimeType: file.type, data: toBase64(new Uint8Array(await file.arrayBuffer())) };
}

/** The `src` of an image attachment's thumbnail. */
export function imageSource(attachment: Attachment): string {
  return `data:${attachment.mimeType ?? 'image/png'};base64,${attachment.data ?? ''}`;
}

function toBase64(bytes: Uint8Array): string {
  // String.fromCharCode takes a bounded number of arguments: convert in slices.
  let binary = '';
  for (let start = 0; start < bytes.length; start += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(start, start + 0x8000));
  }
  return btoa(binary);
}
