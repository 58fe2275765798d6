// A greyscale image as a PNG data URL, for charts that show images (vega's image mark takes a URL).
// The pixel data goes into stored (uncompressed) deflate blocks: the images are a few hundred
// pixels, and stored blocks need no compressor, so this runs in a browser as it does in Node.
import { crc32 } from "../io/crc32.js";

function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (const v of bytes) {
    a = (a + v) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** A zlib stream of stored blocks (at most 65,535 bytes each). */
function zlibStored(raw: Uint8Array): Uint8Array {
  const blocks = Math.max(1, Math.ceil(raw.length / 65535));
  const out = new Uint8Array(2 + blocks * 5 + raw.length + 4);
  out[0] = 0x78;
  out[1] = 0x01;
  let o = 2;
  for (let k = 0; k < blocks; k++) {
    const part = raw.subarray(k * 65535, Math.min(raw.length, (k + 1) * 65535));
    out[o] = k === blocks - 1 ? 1 : 0;
    out[o + 1] = part.length & 0xff;
    out[o + 2] = part.length >>> 8;
    out[o + 3] = ~part.length & 0xff;
    out[o + 4] = (~part.length >>> 8) & 0xff;
    out.set(part, o + 5);
    o += 5 + part.length;
  }
  new DataView(out.buffer).setUint32(o, adler32(raw));
  return out;
}

/** Rows of values in [0, 1] (0 black, 1 white; clamped) as an 8-bit greyscale PNG. */
export function encodePng(pixels: ReadonlyArray<readonly number[]>): Uint8Array {
  const height = pixels.length;
  const width = pixels[0]?.length ?? 0;
  const raw = new Uint8Array(height * (width + 1));
  for (let r = 0; r < height; r++) {
    raw[r * (width + 1)] = 0; // filter type None
    for (let c = 0; c < width; c++) raw[r * (width + 1) + 1 + c] = Math.round(Math.min(1, Math.max(0, pixels[r][c])) * 255);
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header[8] = 8; // bit depth
  header[9] = 0; // colour type: greyscale
  const parts = [new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", header), chunk("IDAT", zlibStored(raw)), chunk("IEND", new Uint8Array(0))];
  const png = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    png.set(p, o);
    o += p.length;
  }
  return png;
}

export function pngDataUrl(pixels: ReadonlyArray<readonly number[]>): string {
  let binary = "";
  for (const b of encodePng(pixels)) binary += String.fromCharCode(b);
  return `data:image/png;base64,${btoa(binary)}`;
}
