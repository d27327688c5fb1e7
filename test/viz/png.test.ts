import { describe, expect, it } from 'vitest';
import { encodePng } from '../../src/viz/index.js';
import { readPng } from '../../src/data/formats/png.js';

describe('PNG pictures', () => {
  it('two-channel observations (pinwheel points) are drawn as red and green, not an error', () => {
    const png = encodePng({ data: Float32Array.of(1, 0, 0, 1), height: 1, width: 2, channels: 2 });
    expect(Array.from(readPng(png, 3).data)).toEqual([255, 0, 0, 0, 255, 0]);
  });
});
