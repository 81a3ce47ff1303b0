/**
 * Go's answers to the ecosystem-neutral patterns (src/patterns/dependency-steps.ts): a `go` command
 * other than `go install tool@version` reads the module; go.mod, go.sum and go.work are what the
 * download reads; `go mod download` writes only the module cache; and go:embed, cgo and the Go
 * sources say what the build reads (go-build-reads.ts).
 */
import type { BuildContext } from '../../context/context.js';
import { imagePath } from '../../engine/image-paths.js';
import { rootHome } from '../../engine/env.js';
import type { Instruction, ParsedDockerfile, Stage } from '../../engine/parse.js';
import type { DependencySteps, ToolInstall } from '../../patterns/dependency-steps.js';
import type { ShellCommand } from '../../shell/shell.js';
import { goSubcommand, mentionsGoCommand, stageScripts } from './go.js';
import { goBuildReads } from './go-build-reads.js';
import { goSourceFiles } from './go-sources.js';

/** `go install tool@v1.2.3` builds a tool outside the main module (`go -C dir install` is not one). */
function installsToolOnly(command: ShellCommand): boolean {
  const targets = command.words.slice(2).filter((w) => !w.value.startsWith('-'));
  return targets.length > 0 && targets.every((w) => w.value.includes('@'));
}

/** Any Go command but a tool install: `go mod init`, `go generate` and the like read the tree too. */
function isDependencyStep(command: ShellCommand): boolean {
  const sub = goSubcommand(command);
  return sub !== null && (sub !== 'install' || !installsToolOnly(command));
}

function stepRuns(doc: ParsedDockerfile, stage: Stage): readonly Instruction[] {
  const { scripts, goCommands } = stageScripts(doc, stage);
  const runs = new Set(goCommands.filter((g) => isDependencyStep(g.command)).map((g) => g.instruction));
  // a heredoc, exec form or shell we cannot parse that mentions a Go command counts as one
  return stage.instructions.filter((i) => runs.has(i) || (i.keyword === 'RUN' && scripts.get(i)?.parsed === false && mentionsGoCommand(doc, i)));
}

/** `.go` files, or a context directory holding Go sources (all directories, when there are too many to list). */
function holdsSources(path: string, build: BuildContext): boolean {
  if (/\.go$/.test(path)) return true;
  if (build.list(path) === null) return false;
  const files = goSourceFiles(build);
  return files === null || files.some((f) => f.startsWith(`${path}/`));
}

/** A RUN that only downloads or verifies modules (after an optional cd): it writes the module cache only. */
function onlyDownloads(commands: readonly ShellCommand[]): boolean {
  const rest = commands[0]?.words[0]?.value === 'cd' ? commands.slice(1) : commands;
  return rest.length > 0 && rest.every((c) => c.words[0]?.value === 'go' && c.words[1]?.value === 'mod' && ['download', 'verify'].includes(c.words[2]?.value ?? ''));
}

/** `go install tool@version`: writes GOBIN, the module cache and the build cache, never the copied tree. */
const toolInstall: ToolInstall = {
  tool: 'go',
  installs: (command) => command.words[1]?.value === 'install',
  writes(command, env) {
    const words = command.words.slice(1);
    if (words[0]?.value !== 'install') return { reason: `go ${words[0]?.value ?? ''}`.trim() + ' may read the copied sources' };
    const rest = words.slice(1);
    const targets = rest.filter((w) => !w.value.startsWith('-'));
    if (targets.length === 0 || !targets.every((w) => w.value.includes('@'))) return { reason: 'go install without @version builds the copied module' };
    const relative = rest.find((w) => w.value.startsWith('-') && isRelativePath(w.value.replace(/^--?[\w.-]+=/, '')));
    if (relative) return { reason: `go install gets the relative path in ${relative.text}` };
    const home = rootHome(env);
    const get = (name: string) => env.vars.get(name);
    if (home === null) return { reason: `cannot tell the home directory of USER ${env.user}, where go install writes` };
    // null: set to something unknown, which must not fall back to the default
    const unknown = ['GOPATH', 'GOBIN', 'GOMODCACHE', 'GOCACHE'].find((name) => get(name) === null);
    if (unknown !== undefined) return { reason: `cannot tell where go install writes (${unknown} has a value I cannot resolve)` };
    const first = (get('GOPATH') ?? `${home}/go`).split(':')[0] ?? '';
    const paths = [get('GOBIN') ?? `${first}/bin`, get('GOMODCACHE') ?? `${first}/pkg/mod`, get('GOCACHE') ?? `${home}/.cache/go-build`, `${home}/.config/go`];
    const notAbsolute = paths.find((p) => !p.startsWith('/'));
    if (notAbsolute !== undefined) return { reason: `cannot tell where go install writes (${notAbsolute} is not an absolute path)` };
    return { paths: paths.map((p) => imagePath(null, p) ?? '/'), by: 'go install' };
  },
  env: /^(PATH|LD_\w+|HOME|TMPDIR|GO\w*|CGO_\w+|CC|CXX|AR|PKG_CONFIG\w*|GIT_\w+|SSH_\w+|XDG_\w+|SSL_CERT_\w+|https?_proxy|no_proxy|all_proxy)$/i,
};

/** `./x`, `~/x`, `dir/file`, `x.deb`: a flag value relative to the working directory (or home). */
function isRelativePath(value: string): boolean {
  if (value === '' || value.startsWith('/') || /:\/\//.test(value)) return false;
  if (value === '.' || value === '..' || /^\.\.?\//.test(value) || value.startsWith('~')) return true;
  return /\.(deb|rpm|apk)$/.test(value) || value.includes('/');
}

/**
 * Words a Dockerfile holds when Go's transforms can find something in it: the fixer's cheap first
 * test (Transform.mentions). A Go command is a word `go` (`/usr/local/go/bin/go`, `xx-go`, `go1.22`)
 * or a wrapper that names itself; make, scripts and drivers are read only in stages FROM a golang
 * image; and the Go settings (GOPATH, GOFLAGS, CGO_ENABLED) hold `GO`. Case-sensitive on purpose:
 * `cargo` and `mongo` are not Go.
 */
export const GO_MENTIONS = /\bgo(?:\d|\b)|golang|GO|gotestsum|goreleaser|\bmage\b/;

export const goSteps: DependencySteps = {
  ecosystem: 'go',
  mentions: GO_MENTIONS,
  manifests: ['go.mod', 'go.sum', 'go.work', 'go.work.sum'],
  isDependencyStep,
  stepRuns,
  holdsSources,
  onlyDownloads,
  toolInstall,
  buildReads: goBuildReads,
};
