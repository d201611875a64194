/**
 * The recurrent search's corpus in the lab: the built-in text (src/data/builtinText.ts), served by
 * the page's own origin next to the embedded images.
 */
import { BUILTIN_TEXT_FOLDER } from '../data/builtinText';

/**
 * The URL of the built-in text folder, next to the embedded images' folder the page sends
 * (…/data/fashion-mnist/ → …/data/<BUILTIN_TEXT_FOLDER>/), so the page needs no second URL.
 */
export function builtinTextUrl(imageDataUrl: string): string {
  return new URL(`../${BUILTIN_TEXT_FOLDER}/`, imageDataUrl).href;
}
