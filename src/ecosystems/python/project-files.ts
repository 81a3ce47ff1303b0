/**
 * What a project's manifests say about needing the sources: Poetry path dependencies, uv path
 * sources and workspaces, Pipfile path entries, PEP 508 `file:` references. A dependencies-only
 * install reading such a manifest still reads another directory of the context, so the manifests
 * alone are not enough. The reading is textual and errs on the side of "needs more".
 */

/** The first line of `text` that points the installer at a local directory, with its number, or null. */
export function localSourceLine(text: string): { line: number; text: string } | null {
  const lines = text.split(/\r\n|\n|\r/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').replace(/(^|\s)#.*$/, '');
    if (/^\s*\[tool\.uv\.workspace\]/.test(line) || /\b(path|workspace)\s*=\s*(["']|true\b)/.test(line) || /@\s*file:/.test(line)) {
      return { line: i + 1, text: line.trim() };
    }
  }
  return null;
}

/** Poetry's `package-mode = false`: the project itself is never installed, `--no-root` or not. */
export function poetryPackageModeOff(pyproject: string): boolean {
  return /^\s*package-mode\s*=\s*false\b/m.test(pyproject);
}
