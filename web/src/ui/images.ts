/**
 * Images on canvases, exactly: float HWC values in [0, 1] become bytes as `data export` writes them
 * (round(clamp(v)·255)), one canvas pixel per image pixel, scaled up by CSS with no smoothing.
 */
import { h } from './dom.js';

export interface PlainImage {
  data: Float32Array | Uint8Array | Uint8ClampedArray;
  height: number;
  width: number;
  channels: number;
}

export function toByte(v: number): number {
  return Math.round(Math.min(1, Math.max(0, v)) * 255);
}

/** RGBA bytes of an image (grey expanded; floats scaled like `data export`). */
export function rgba(img: PlainImage): Uint8ClampedArray<ArrayBuffer> {
  const { data, height, width, channels } = img;
  const isFloat = data instanceof Float32Array;
  const out = new Uint8ClampedArray(height * width * 4);
  for (let p = 0; p < height * width; p++) {
    const v = (c: number) => (isFloat ? toByte(data[p * channels + c]) : data[p * channels + c]);
    if (channels === 1) out[p * 4] = out[p * 4 + 1] = out[p * 4 + 2] = v(0);
    else {
      out[p * 4] = v(0);
      out[p * 4 + 1] = v(1);
      out[p * 4 + 2] = v(2);
    }
    out[p * 4 + 3] = channels === 4 ? v(3) : 255;
  }
  return out;
}

export function imageCanvas(img: PlainImage, scale = 2, label = ''): HTMLCanvasElement {
  const c = h('canvas.pix', { width: img.width, height: img.height, 'aria-label': label });
  c.style.width = `${img.width * scale}px`;
  c.style.maxWidth = '100%';
  c.getContext('2d')!.putImageData(new ImageData(rgba(img), img.width, img.height), 0, 0);
  return c;
}

/**
 * A grid of `count` observations (packed HWC floats), `cols` per row, separated by `pad` mid-grey pixels.
 * Tile k's pixels start at (pad + col·(w + pad), pad + row·(h + pad)).
 */
export function tile(images: Float32Array, count: number, shape: readonly number[], cols: number, pad = 2): PlainImage {
  const [ih, iw, ic] = shape;
  const rows = Math.ceil(count / cols);
  const H = rows * ih + (rows + 1) * pad;
  const W = cols * iw + (cols + 1) * pad;
  const out = new Float32Array(H * W * ic).fill(0.5);
  for (let n = 0; n < count; n++) {
    const y0 = pad + Math.floor(n / cols) * (ih + pad);
    const x0 = pad + (n % cols) * (iw + pad);
    for (let y = 0; y < ih; y++) {
      const src = (n * ih + y) * iw * ic;
      out.set(images.subarray(src, src + iw * ic), ((y0 + y) * W + x0) * ic);
    }
  }
  return { data: out, height: H, width: W, channels: ic };
}
