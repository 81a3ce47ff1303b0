/**
 * The build information Go (1.18 and later) embeds in every binary: its version, main package,
 * module versions and build settings (`go version -m` prints it). Two binaries whose bytes differ
 * differ in behaviour only where this does or their sources do, so the comparison reads it. Pure.
 */

const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
const ALIGN = 16;

/** `go1.19.8` and the module info lines (`path`, `mod`, `dep`, `build -trimpath=true`), or null when absent or in the pre-1.18 layout. */
export function goBuildInfo(binary: Buffer): { readonly version: string; readonly lines: readonly string[] } | null {
  for (let at = binary.indexOf(MAGIC); at !== -1; at = binary.indexOf(MAGIC, at + 1)) {
    if (at % ALIGN !== 0) continue;
    const flags = binary[at + 15] ?? 0;
    // Go 1.18+ puts the strings right after the 32-byte header; older ones point into the data
    if ((flags & 0x2) === 0) return null;
    const version = varintString(binary, at + 32);
    if (version === null) return null;
    const info = varintString(binary, version.end);
    if (info === null) return null;
    let text = info.text;
    // the module info sits between two 16-byte sentinels
    if (text.length >= 33 && text[text.length - 17] === '\n') text = text.slice(16, -16);
    return { version: version.text, lines: text.split('\n').filter((l) => l !== '') };
  }
  return null;
}

function varintString(data: Buffer, start: number): { text: string; end: number } | null {
  let length = 0;
  let shift = 0;
  let at = start;
  for (;;) {
    const byte = data[at];
    if (byte === undefined || shift > 28) return null;
    at++;
    length |= (byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) break;
    shift += 7;
  }
  if (at + length > data.length) return null;
  return { text: data.subarray(at, at + length).toString('latin1'), end: at + length };
}

/** Build settings a transform changes on purpose, by transform; the rest of the build info must agree. */
export function unexplainedBuildInfo(a: readonly string[], b: readonly string[], applied: readonly string[], gitKeptOut: boolean): string[] {
  const setting = (line: string) => /^build\t([^=]+)=(.*)$/.exec(line);
  const explained = (line: string, other: readonly string[]): boolean => {
    const s = setting(line);
    if (!s) return false;
    const [, key = '', value = ''] = s;
    if (key === '-trimpath') return applied.includes('go/trimpath');
    // -trimpath leaves out what may hold paths: CGO_CFLAGS and the like, and -ldflags (go.dev/issue/52372)
    const trimmedAway = applied.includes('go/trimpath') && other.includes('build\t-trimpath=true') && !other.some((o) => o.startsWith(`build\t${key}=`));
    if (key === 'CGO_ENABLED') return applied.includes('go/static-binary-for-minimal-final');
    // CGO_CFLAGS and the like are recorded only with cgo on
    if (key.startsWith('CGO_')) return trimmedAway || applied.includes('go/static-binary-for-minimal-final');
    if (key === '-ldflags' && trimmedAway) return true;
    if (key.startsWith('vcs')) return gitKeptOut && applied.includes('docker/dockerignore');
    if (key === 'GOOS' || key === 'GOARCH' || /^GO(AMD64|ARM|ARM64|386|MIPS|PPC64)$/.test(key)) return applied.includes('go/cross-compile');
    if (key === '-ldflags' && applied.includes('go/strip-symbols')) {
      // Go quotes a value with blanks: -ldflags="-s -w -X main.v=1"
      const without = (flags: string) => flags.replace(/^"(.*)"$/, '$1').replace(/(^|\s)-[sw](?=\s|$)/g, ' ').trim().replace(/\s+/g, ' ');
      const counterpart = other.map(setting).find((o) => o?.[1] === '-ldflags');
      return without(value) === without(counterpart?.[2] ?? '');
    }
    return false;
  };
  const onlyA = a.filter((l) => !b.includes(l));
  const onlyB = b.filter((l) => !a.includes(l));
  return [...onlyA.filter((l) => !explained(l, b)).map((l) => `- ${l}`), ...onlyB.filter((l) => !explained(l, a)).map((l) => `+ ${l}`)];
}
