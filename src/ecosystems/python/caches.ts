/**
 * Where Python's installers keep their caches (the targets of their cache mounts), and what turns a
 * cache off. Each follows the XDG rule: its own variable, else $XDG_CACHE_HOME/<name>, else
 * $HOME/.cache/<name>. Built wheels are what the caches save: with a mount, a package built from
 * source is compiled once.
 */
export type CacheTool = 'pip' | 'poetry' | 'uv' | 'pipenv';

/** The installer's own variable naming its cache, and the directory name under ~/.cache. */
const CACHE_VARS: Readonly<Record<CacheTool, { variable: string; name: string }>> = {
  pip: { variable: 'PIP_CACHE_DIR', name: 'pip' },
  poetry: { variable: 'POETRY_CACHE_DIR', name: 'pypoetry' },
  uv: { variable: 'UV_CACHE_DIR', name: 'uv' },
  pipenv: { variable: 'PIPENV_CACHE_DIR', name: 'pipenv' },
};

/** Variables whose mere presence turns a cache off (pip reads any PIP_NO_CACHE_DIR value as "no cache"). */
export const CACHE_OFF_VARS: Readonly<Record<CacheTool, readonly string[]>> = {
  pip: ['PIP_NO_CACHE_DIR'],
  poetry: ['POETRY_NO_CACHE'],
  uv: ['UV_NO_CACHE'],
  pipenv: ['PIP_NO_CACHE_DIR'],
};

/** The variables that decide where a tool's cache is (a RUN's environment must resolve each). */
export function cacheVariables(tool: CacheTool): readonly string[] {
  return [CACHE_VARS[tool].variable, 'XDG_CACHE_HOME', 'HOME'];
}

/**
 * The tool's cache directory, given the RUN's variables (null = set to something we cannot resolve)
 * and the home directory of the user it runs as; or why it cannot be told.
 */
export function cacheDir(tool: CacheTool, vars: ReadonlyMap<string, string | null>, home: string | null): string | { reason: string } {
  const { variable, name } = CACHE_VARS[tool];
  for (const v of [variable, 'XDG_CACHE_HOME']) {
    if (vars.get(v) === null) return { reason: `ENV ${v} uses a value I cannot resolve` };
  }
  const own = vars.get(variable);
  const xdg = vars.get('XDG_CACHE_HOME');
  const dir = own ?? (xdg ? `${xdg}/${name}` : home !== null ? `${home}/.cache/${name}` : null);
  if (dir === null) return { reason: `the home directory of the user is unknown (set ENV ${variable})` };
  if (!dir.startsWith('/')) return { reason: `${variable} ${dir} is a relative path` };
  return dir.length > 1 ? dir.replace(/\/+$/, '') : dir;
}

/** The tools whose cache a RUN's installer fills: Pipenv installs through pip, so both. */
export function cacheToolsOf(tool: 'pip' | 'uv pip' | 'poetry' | 'uv' | 'pipenv'): CacheTool[] {
  if (tool === 'uv pip' || tool === 'uv') return ['uv'];
  if (tool === 'pipenv') return ['pipenv', 'pip'];
  return [tool];
}
