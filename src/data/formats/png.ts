/** PNG decoding for datasets read from image folders (encoding for pictures lives in viz/). */
import { PNG } from 'pngjs';
import { readFileSync } from 'node:fs';

/** HWC uint8 pixels. */
export interface DecodedPng {
  data: Uint8Array;
  height: number;
  width: number;
  channels: 1 | 3 | 4;
}

/** Decode a PNG file (or bytes) to uint8 RGBA, RGB or grey. */
export function readPng(pathOrBytes: string | Uint8Array, channels: 1 | 3 | 4 = 3): DecodedPng {
  const bytes = typeof pathOrBytes === 'string' ? readFileSync(pathOrBytes) : Buffer.from(pathOrBytes);
  const png = PNG.sync.read(bytes as Buffer);
  const out = new Uint8Array(png.width * png.height * channels);
  for (let p = 0; p < png.width * png.height; p++) {
    const r = png.data[p * 4],
      g = png.data[p * 4 + 1],
      b = png.data[p * 4 + 2],
      a = png.data[p * 4 + 3];
    if (channels === 1) out[p] = Math.round((r + g + b) / 3);
    else {
      out[p * channels] = r;
      out[p * channels + 1] = g;
      out[p * channels + 2] = b;
      if (channels === 4) out[p * 4 + 3] = a;
    }
  }
  return { data: out, height: png.height, width: png.width, channels };
}
