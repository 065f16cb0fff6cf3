// Uploaded images: the type and size come from the bytes (never from the Content-Type), each image is
// stored once under its SHA-256 and served to everyone with a year-long cache; anything that is not
// a PNG, JPEG, WebP or GIF is refused, as are oversized uploads and file names that are not a hash.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { call, makeAdmin, makeApp, makeOrganiser, ok, refusal, register, type Account } from '../helpers.ts';

interface ImageView {
  url: string;
  sha256: string;
  type: string;
  bytes: number;
  width: number | null;
  height: number | null;
}

const u16be = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
const u16le = (n: number) => Buffer.from([n & 0xff, (n >> 8) & 0xff]);
const u24le = (n: number) => Buffer.from([n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff]);
const u32be = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};
const u32le = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};

/** A valid PNG: signature, IHDR, one IDAT of grey RGB rows, IEND, each chunk with its CRC. */
function png(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    return Buffer.concat([u32be(data.length), body, u32be(crc32(body))]);
  };
  const ihdr = Buffer.concat([u32be(width), u32be(height), Buffer.from([8, 2, 0, 0, 0])]);
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3, 0x80)]);
  const pixels = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(pixels)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A GIF89a with a two-colour table and one image block covering the screen. */
function gif(width: number, height: number): Buffer {
  return Buffer.concat([
    Buffer.from('GIF89a', 'latin1'),
    u16le(width),
    u16le(height),
    Buffer.from([0x80, 0x00, 0x00]), // global colour table of 2 entries
    Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff, 0xff]),
    Buffer.from([0x2c]),
    u16le(0),
    u16le(0),
    u16le(width),
    u16le(height),
    Buffer.from([0x00, 0x02, 0x02, 0x44, 0x01, 0x00]), // LZW minimum code size 2, one data block
    Buffer.from([0x3b]),
  ]);
}

/**
 * A JPEG's headers: SOI, APP0 (JFIF), a DHT (marker C4, which is not a frame) and then SOF0 with
 * the size, and EOI. The size must come from SOF0, not from the Huffman table before it.
 */
function jpeg(width: number, height: number): Buffer {
  const segment = (marker: number, data: Buffer) =>
    Buffer.concat([Buffer.from([0xff, marker]), u16be(data.length + 2), data]);
  const jfif = Buffer.concat([Buffer.from('JFIF\0', 'latin1'), Buffer.from([1, 1, 0, 0, 1, 0, 1, 0, 0])]);
  const counts = Buffer.alloc(16);
  counts[0] = 1;
  const dht = Buffer.concat([Buffer.from([0x00]), counts, Buffer.from([0x00])]);
  const sof0 = Buffer.concat([
    Buffer.from([8]),
    u16be(height),
    u16be(width),
    Buffer.from([3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]),
  ]);
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    segment(0xe0, jfif),
    segment(0xc4, dht),
    segment(0xc0, sof0),
    Buffer.from([0xff, 0xd9]),
  ]);
}

const riff = (chunks: Buffer) =>
  Buffer.concat([
    Buffer.from('RIFF', 'latin1'),
    u32le(4 + chunks.length),
    Buffer.from('WEBP', 'latin1'),
    chunks,
  ]);

/** An extended WebP (VP8X): the canvas size is stored minus one, 24 bits each. */
function webpVp8x(width: number, height: number): Buffer {
  const data = Buffer.concat([Buffer.from([0x10, 0, 0, 0]), u24le(width - 1), u24le(height - 1)]);
  return riff(Buffer.concat([Buffer.from('VP8X', 'latin1'), u32le(data.length), data]));
}

/** A lossless WebP (VP8L): signature 0x2f, then 14 bits of width - 1 and 14 of height - 1. */
function webpVp8l(width: number, height: number): Buffer {
  const data = Buffer.concat([
    Buffer.from([0x2f]),
    u32le((width - 1) | ((height - 1) << 14)),
    Buffer.from([0x00, 0x00, 0x00, 0x00, 0x00]),
  ]);
  return riff(Buffer.concat([Buffer.from('VP8L', 'latin1'), u32le(data.length), data]));
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const OCTETS = { 'content-type': 'application/octet-stream' };

describe('images', async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'quizarena-images-'));
  const t = await makeApp({ dataDir });
  after(async () => {
    await t.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const { app } = t;
  let org: Account;
  let participant: string;

  before(async () => {
    org = await makeOrganiser(app);
    participant = await register(app);
  });

  const upload = (bytes: Buffer, headers: Record<string, string> = OCTETS, cookie = org.cookie) =>
    call(app, 'POST', '/api/images', { cookie, headers, payload: bytes });

  test('each format is recognised from its bytes, with its size and hash', async () => {
    const cases: [string, Buffer, string, string, number, number][] = [
      ['PNG', png(3, 2), 'image/png', 'png', 3, 2],
      ['GIF', gif(5, 4), 'image/gif', 'gif', 5, 4],
      ['JPEG', jpeg(640, 480), 'image/jpeg', 'jpg', 640, 480],
      ['WebP VP8X', webpVp8x(1024, 768), 'image/webp', 'webp', 1024, 768],
      ['WebP VP8L', webpVp8l(7, 9), 'image/webp', 'webp', 7, 9],
    ];
    for (const [label, bytes, type, ext, width, height] of cases) {
      const { image } = ok<{ image: ImageView }>(await upload(bytes), 201);
      const hash = sha256(bytes);
      assert.deepEqual(
        image,
        { url: `/api/images/${hash}.${ext}`, sha256: hash, type, bytes: bytes.length, width, height },
        label,
      );
    }
  });

  test('the Content-Type of the upload does not decide the type; image/png works too', async () => {
    const bytes = png(11, 13);
    const asPng = ok<{ image: ImageView }>(await upload(bytes, { 'content-type': 'image/png' }), 201).image;
    assert.equal(asPng.type, 'image/png');
    assert.deepEqual([asPng.width, asPng.height], [11, 13]);

    const other = png(12, 13);
    const asGif = ok<{ image: ImageView }>(await upload(other, { 'content-type': 'image/gif' }), 201).image;
    assert.equal(asGif.type, 'image/png', 'a PNG sent as image/gif is still a PNG');
    assert.equal(asGif.url, `/api/images/${sha256(other)}.png`);
  });

  test('the same bytes twice give the same URL and are stored once', async () => {
    const bytes = jpeg(20, 10);
    const first = ok<{ image: ImageView }>(await upload(bytes), 201).image;
    const second = ok<{ image: ImageView }>(await upload(bytes, { 'content-type': 'image/jpeg' }), 201).image;
    assert.deepEqual(second, first);
    const stored = readdirSync(path.join(dataDir, 'images')).filter((f) => f.startsWith(first.sha256));
    assert.deepEqual(stored, [`${first.sha256}.jpg`]);
  });

  test('anyone may fetch an image: same bytes, its type, a year of cache, no sniffing', async () => {
    const bytes = png(4, 4);
    const { image } = ok<{ image: ImageView }>(await upload(bytes), 201);
    const res = await call(app, 'GET', image.url);
    assert.equal(res.statusCode, 200);
    assert.ok(res.rawPayload.equals(bytes), 'the bytes come back unchanged');
    assert.equal(res.headers['content-type'], 'image/png');
    assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');

    const webp = webpVp8x(2, 2);
    const w = ok<{ image: ImageView }>(await upload(webp), 201).image;
    const got = await call(app, 'GET', w.url, { cookie: participant });
    assert.equal(got.statusCode, 200);
    assert.equal(got.headers['content-type'], 'image/webp');
    assert.ok(got.rawPayload.equals(webp));
  });

  test('unknown hashes, wrong extensions and other names are 404', async () => {
    const bytes = gif(2, 3);
    const { image } = ok<{ image: ImageView }>(await upload(bytes), 201);
    refusal(await call(app, 'GET', `/api/images/${'0'.repeat(64)}.png`), 404);
    refusal(await call(app, 'GET', `/api/images/${image.sha256}.png`), 404);
    refusal(await call(app, 'GET', `/api/images/${image.sha256}.svg`), 404);
    refusal(await call(app, 'GET', `/api/images/${image.sha256}`), 404);
    refusal(await call(app, 'GET', `/api/images/${image.sha256.toUpperCase()}.gif`), 404);
    refusal(await call(app, 'GET', '/api/images/..%2F..%2Fetc%2Fpasswd'), 404);
    refusal(await call(app, 'GET', '/api/images/..%2Fquizarena.sqlite'), 404);
    refusal(await call(app, 'GET', `/api/images/..%2Fimages%2F${image.sha256}.gif`), 404);
    const traversal = await call(app, 'GET', '/api/images/../../etc/passwd');
    assert.equal(traversal.statusCode, 404);
    assert.ok(!traversal.body.includes('root:'));
  });

  test('anything but the four formats is 415 UNSUPPORTED_IMAGE', async () => {
    const text = Buffer.from('Đây là một tệp văn bản, không phải ảnh.\n', 'utf8');
    refusal(await upload(text), 415, 'UNSUPPORTED_IMAGE');
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>',
    );
    refusal(await upload(svg), 415, 'UNSUPPORTED_IMAGE');
    refusal(await upload(svg, { 'content-type': 'image/svg+xml' }), 415, 'UNSUPPORTED_IMAGE');
    // Only the magic bytes of a PNG, without its header, is not an image either.
    refusal(await upload(png(1, 1).subarray(0, 10)), 415, 'UNSUPPORTED_IMAGE');
    // A text body with a text type has no parser here.
    refusal(await upload(text, { 'content-type': 'text/plain' }), 415);
    refusal(await call(app, 'POST', '/api/images', { cookie: org.cookie, payload: { image: 'x' } }), 415);
    assert.equal(existsSync(path.join(dataDir, 'images', `${sha256(svg)}.svg`)), false);
  });

  test('2 MB is the limit; an empty body is refused', async () => {
    const limit = 2 * 1024 * 1024;
    // Exactly 2 MB is allowed: a PNG header padded with bytes after IEND.
    const head = png(1, 1);
    const exact = Buffer.concat([head, Buffer.alloc(limit - head.length)]);
    const accepted = ok<{ image: ImageView }>(await upload(exact), 201).image;
    assert.equal(accepted.bytes, limit);
    refusal(await upload(Buffer.concat([exact, Buffer.from([0])])), 413);
    refusal(await upload(Buffer.concat([exact, Buffer.from([0])]), { 'content-type': 'image/png' }), 413);
    const empty = await upload(Buffer.alloc(0));
    assert.ok(empty.statusCode >= 400 && empty.statusCode < 500, `${empty.statusCode} ${empty.body}`);
    refusal(empty, empty.statusCode);
  });

  test('uploading needs an organiser (or an admin); a participant is 403, an anonymous caller 401', async () => {
    const bytes = png(6, 6);
    refusal(await upload(bytes, OCTETS, participant), 403, 'FORBIDDEN');
    refusal(await upload(bytes, OCTETS, ''), 401, 'UNAUTHENTICATED');
    const admin = await makeAdmin(app);
    const { image } = ok<{ image: ImageView }>(await upload(bytes, OCTETS, admin.cookie), 201);
    assert.equal(image.type, 'image/png');
    // The refused uploads stored nothing; the admin's did.
    assert.equal((await call(app, 'GET', image.url)).statusCode, 200);
  });

  test('uploading an image again restores its file when the file went missing', async () => {
    const bytes = png(8, 5);
    const { image } = ok<{ image: ImageView }>(await upload(bytes), 201);
    // A restored database without its images folder, or a data folder cleaned by hand.
    rmSync(path.join(dataDir, 'images', `${image.sha256}.png`));
    refusal(await call(app, 'GET', image.url), 404);
    ok(await upload(bytes), 201);
    const res = await call(app, 'GET', image.url);
    assert.equal(res.statusCode, 200, 'the second upload wrote the file again');
    assert.ok(res.rawPayload.equals(bytes));
  });

  test('uploads are audited with the image hash', async () => {
    const admin = await makeAdmin(app);
    const bytes = gif(9, 9);
    const { image } = ok<{ image: ImageView }>(await upload(bytes), 201);
    const page = ok<{ total: number; entries: { action: string; targetType: string; actorId: number }[] }>(
      await call(app, 'GET', `/api/audit?action=image.upload&targetId=${image.sha256}`, {
        cookie: admin.cookie,
      }),
    );
    assert.equal(page.total, 1);
    assert.deepEqual([page.entries[0]!.targetType, page.entries[0]!.actorId], ['image', org.id]);
  });
});
