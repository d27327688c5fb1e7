/** The headline report: the main job (`disentangle report`, run by `npm start`). */
export { runHeadline, headlineDefaults, type HeadlineOptions } from './headline.js';
