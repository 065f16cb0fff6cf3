// Uploaded images (for question stems, options and explanations): the type is read from the bytes,
// never from the name or the Content-Type, and each image is stored once under its SHA-256, so the
// URL of an image never changes content and can be cached for a year.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Repositories, UserRow } from '@quizarena/db';
import { AppError, notFound } from '../errors.ts';

export const MAX_IMAGE_BYTES = 2 * 1024 * 1024;

export type ImageType = 'image/png' | 'image/jpeg' | 'image/webp' | 'image/gif';
const EXT: Record<ImageType, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'image/gif': 'gif',
};

export interface SniffedImage {
  type: ImageType;
  width: number | null;
  height: number | null;
}

/** The image's type and size from its first bytes; null when it is none of the four formats. */
export function sniffImage(b: Buffer): SniffedImage | null {
  if (
    b.length >= 24 &&
    b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
  ) {
    // The IHDR chunk comes first: width and height as big-endian 32-bit integers.
    return { type: 'image/png', width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  }
  if (
    b.length >= 10 &&
    (b.toString('latin1', 0, 6) === 'GIF87a' || b.toString('latin1', 0, 6) === 'GIF89a')
  ) {
    return { type: 'image/gif', width: b.readUInt16LE(6), height: b.readUInt16LE(8) };
  }
  if (b.length >= 30 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') {
    const chunk = b.toString('latin1', 12, 16);
    if (chunk === 'VP8X')
      return { type: 'image/webp', width: 1 + b.readUIntLE(24, 3), height: 1 + b.readUIntLE(27, 3) };
    if (chunk === 'VP8L' && b[20] === 0x2f) {
      const bits = b.readUInt32LE(21);
      return { type: 'image/webp', width: 1 + (bits & 0x3fff), height: 1 + ((bits >> 14) & 0x3fff) };
    }
    if (chunk === 'VP8 ' && b[23] === 0x9d && b[24] === 0x01 && b[25] === 0x2a) {
      return { type: 'image/webp', width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
    }
    return { type: 'image/webp', width: null, height: null };
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) {
    return { type: 'image/jpeg', ...jpegSize(b) };
  }
  return null;
}

/** Walks the JPEG markers to the first start-of-frame, which holds the size. */
function jpegSize(b: Buffer): { width: number | null; height: number | null } {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return { width: null, height: null };
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i += 1;
      continue;
    }
    const length = b.readUInt16BE(i + 2);
    const sof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (sof) return { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
    i += 2 + length;
  }
  return { width: null, height: null };
}

const FILE_NAME = /^([0-9a-f]{64})\.(png|jpg|webp|gif)$/;

export function createImageService(deps: { repos: Repositories; dir: string; now: () => number }) {
  const { repos, dir, now } = deps;

  return {
    async upload(user: UserRow, bytes: Buffer) {
      if (bytes.length === 0) throw new AppError(400, 'EMPTY_IMAGE', 'The upload is empty');
      if (bytes.length > MAX_IMAGE_BYTES) {
        throw new AppError(413, 'IMAGE_TOO_LARGE', 'Images may be at most 2 MB');
      }
      const sniffed = sniffImage(bytes);
      if (!sniffed) {
        throw new AppError(415, 'UNSUPPORTED_IMAGE', 'Only PNG, JPEG, WebP and GIF images can be uploaded');
      }
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const name = `${sha256}.${EXT[sniffed.type]}`;
      const file = path.join(dir, name);
      const stored = await stat(file).then(
        (st) => st.size === bytes.length,
        () => false,
      );
      if (!stored) {
        await mkdir(dir, { recursive: true });
        // Written aside and renamed, so a reader never sees half an image.
        const temp = path.join(dir, `.${name}.${randomBytes(6).toString('hex')}`);
        await writeFile(temp, bytes);
        await rename(temp, file);
      }
      if (!(await repos.authoring.image(sha256))) {
        await repos.authoring.addImage({
          sha256,
          type: sniffed.type,
          bytes: bytes.length,
          width: sniffed.width,
          height: sniffed.height,
          createdBy: user.id,
          createdAt: now(),
        });
      }
      return {
        url: `/api/images/${name}`,
        sha256,
        type: sniffed.type,
        bytes: bytes.length,
        width: sniffed.width,
        height: sniffed.height,
      };
    },

    async read(fileName: string): Promise<{ type: string; bytes: Buffer }> {
      const m = FILE_NAME.exec(fileName);
      const row = m ? await repos.authoring.image(m[1]!) : undefined;
      if (!m || !row || EXT[row.type as ImageType] !== m[2])
        throw notFound('IMAGE_NOT_FOUND', 'No such image');
      const bytes = await readFile(path.join(dir, fileName)).catch(() => {
        throw notFound('IMAGE_NOT_FOUND', 'No such image');
      });
      return { type: row.type, bytes };
    },
  };
}

export type ImageService = ReturnType<typeof createImageService>;
