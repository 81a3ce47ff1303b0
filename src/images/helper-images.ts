/**
 * What well-known build helper images hold, so that `COPY --from=<helper> / /` is not taken for a
 * copy that may put files anywhere. Data only: the directories their files live in.
 */

/** `tonistiigi/xx` (Docker's cross-compilation helpers): the `xx-*` scripts in /usr/bin, nothing else. */
const HELPERS: readonly { readonly name: RegExp; readonly dirs: readonly string[] }[] = [
  { name: /^(docker\.io\/)?tonistiigi\/xx(:[\w.-]+)?(@sha256:[0-9a-f]+)?$/, dirs: ['/usr/bin'] },
];

/** The directories a helper image's files are in, or null when the image is not one we know. */
export function helperImageDirs(image: string): readonly string[] | null {
  return HELPERS.find((h) => h.name.test(image.toLowerCase()))?.dirs ?? null;
}
