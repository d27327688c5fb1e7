import { PNG } from 'pngjs';
import { writeFileAtomic } from '../util/fs.js';

/**
 * A plain image: HWC values, float in [0, 1] or uint8 in [0, 255]; 1 (grey), 3 (RGB) or 4 (RGBA) channels,
 * or 2 (two-channel observations such as pinwheel's points, drawn as red and green).
 */
export interface Image {
  data: Float32Array | Uint8Array;
  height: number;
  width: number;
  channels: number;
}

function toByte(v: number, isFloat: boolean): number {
  const b = isFloat ? Math.round(v * 255) : v;
  return b < 0 ? 0 : b > 255 ? 255 : b;
}

/** Encode an image as PNG bytes (grey is expanded to RGB; two channels become red and green). */
export function encodePng(img: Image): Uint8Array {
  const { data, height, width, channels } = img;
  if (![1, 2, 3, 4].includes(channels)) throw new Error(`encodePng: channels must be 1 to 4, got ${channels}`);
  if (data.length !== height * width * channels)
    throw new Error(`encodePng: ${data.length} values for ${height}×${width}×${channels}`);
  const isFloat = data instanceof Float32Array;
  const png = new PNG({ width, height });
  for (let p = 0; p < height * width; p++) {
    const o = p * 4;
    const i = p * channels;
    if (channels === 1) {
      const g = toByte(data[i], isFloat);
      png.data[o] = png.data[o + 1] = png.data[o + 2] = g;
      png.data[o + 3] = 255;
    } else {
      png.data[o] = toByte(data[i], isFloat);
      png.data[o + 1] = toByte(data[i + 1], isFloat);
      png.data[o + 2] = channels === 2 ? 0 : toByte(data[i + 2], isFloat);
      png.data[o + 3] = channels === 4 ? toByte(data[i + 3], isFloat) : 255;
    }
  }
  return PNG.sync.write(png);
}

/** Write an image as a PNG file, atomically. */
export function writePng(path: string, img: Image): void {
  writeFileAtomic(path, encodePng(img));
}

/**
 * Tile `count` images of one shape (packed HWC float32 in [0,1], one after another) into a grid
 * with `cols` columns and `pad` pixels of `padValue` between tiles. Grey tiles stay grey.
 */
export function tileImages(
  images: Float32Array,
  count: number,
  height: number,
  width: number,
  channels: number,
  cols: number,
  pad = 2,
  padValue = 1,
): Image {
  const rows = Math.ceil(count / cols);
  const H = rows * height + (rows + 1) * pad;
  const W = cols * width + (cols + 1) * pad;
  const out = new Float32Array(H * W * channels).fill(padValue);
  const tile = height * width * channels;
  for (let n = 0; n < count; n++) {
    const r = Math.floor(n / cols),
      c = n % cols;
    const y0 = pad + r * (height + pad),
      x0 = pad + c * (width + pad);
    for (let y = 0; y < height; y++) {
      const src = n * tile + y * width * channels;
      const dst = ((y0 + y) * W + x0) * channels;
      out.set(images.subarray(src, src + width * channels), dst);
    }
  }
  return { data: out, height: H, width: W, channels };
}
