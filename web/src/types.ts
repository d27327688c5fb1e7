/**
 * The page's shared types: what main.ts hands each view. In a module of their own so that the views do not
 * import main.ts (which imports every view).
 */

export interface ViewContext {
  params: URLSearchParams;
  /** Replace the hash's parameters for this view (no reload). */
  setParams(p: Record<string, string | undefined>): void;
  /** Called by a view once its first content is on screen (for the first-view benchmark). */
  drawn(): void;
  navigate(view: string, params?: Record<string, string>): void;
}

/** A view: draws itself into `el`; returns what to do when the page leaves it. */
export type Mount = (el: HTMLElement, ctx: ViewContext) => (() => void) | void;
