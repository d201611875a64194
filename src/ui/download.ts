/** Hands bytes or text to the user as a file download. */
export function downloadBytes(
  data: BlobPart,
  name: string,
  type = 'application/octet-stream',
): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
