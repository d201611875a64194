/** The line `retrain` and `evaluate` both end with, on stdout, so that their results compare. */
export function formatTestResult(
  result: { readonly loss: number; readonly accuracy: number },
  images: number,
): string {
  return `test accuracy ${(result.accuracy * 100).toFixed(2)}% (test loss ${result.loss.toFixed(4)}, ${images} test images)\n`;
}
