/** PNG encoding in the page (8-bit RGB or grey, zlib by fflate), for the downloaded run folder's pictures. */
import { zlibSync } from 'fflate';
import { toByte, type PlainImage } from '../ui/images.js';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
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

/** Grey images stay grey (colour type 0), others RGB (colour type 2); floats are scaled as `data export` does. */
export function encodePng(img: PlainImage): Uint8Array {
  const { width, height, channels, data } = img;
  const grey = channels === 1;
  const bpp = grey ? 1 : 3;
  const raw = new Uint8Array(height * (1 + width * bpp));
  const isFloat = data instanceof Float32Array;
  for (let y = 0; y < height; y++) {
    const row = y * (1 + width * bpp); // filter byte 0 (none)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < bpp; c++) {
        const v = data[(y * width + x) * channels + c];
        raw[row + 1 + x * bpp + c] = isFloat ? toByte(v) : v;
      }
  }
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr[8] = 8;
  ihdr[9] = grey ? 0 : 2;
  const parts = [
    new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlibSync(raw, { level: 6 })),
    chunk('IEND', new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
