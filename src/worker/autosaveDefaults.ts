/** Default autosave interval, in steps: often enough to lose little, rare enough to cost little. */
export const DEFAULT_AUTOSAVE_EVERY = 10;
