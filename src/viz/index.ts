/** Pictures: PNG encoding, image grids, SVG charts and heatmaps, self-contained HTML reports. */
export { encodePng, writePng, tileImages, type Image } from './png.js';
export {
  heatmapSvg,
  barChartSvg,
  lineChartSvg,
  scatterSvg,
  colourRamp,
  fmtNum,
  type HeatmapOptions,
  type BarSeries,
} from './svg.js';
export { escapeHtml, pngDataUri, imgTag, htmlTable, htmlPage } from './html.js';
