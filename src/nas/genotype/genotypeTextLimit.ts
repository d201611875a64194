/**
 * The size limit on genotype texts read from users (JSON, NNI JSON, Python repr). A genotype
 * of any published cell is under 2 KiB; the limit keeps a pasted or dropped file from tying
 * up the parser before it is looked at.
 */
export const MAX_GENOTYPE_TEXT_CHARS = 64 * 1024;

/** Throws when the text is over the limit; `what` names the text in the message. */
export function checkGenotypeTextSize(text: string, what: string): void {
  if (text.length > MAX_GENOTYPE_TEXT_CHARS) {
    throw new Error(
      `${what} is ${text.length} characters long; genotype texts are limited to ${MAX_GENOTYPE_TEXT_CHARS} (64 KiB)`,
    );
  }
}
