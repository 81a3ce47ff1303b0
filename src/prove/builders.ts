/**
 * The user's image builder, driven as an external process: `docker buildx build`, `docker build`
 * with BuildKit, `buildah bud` or `podman build`. Builds, reads an image's file tree and config,
 * runs a command in an image, and removes what it made.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { BuilderRules } from '../explain/cache-model.js';
import type { ImageConfig, ImageSnapshot, TreeEntry } from './image-compare.js';
import { committedImages, type LogFormat } from './step-log.js';
import { goBuildLines, isElf, MAX_BINARY, TarTree } from './tar-tree.js';

export type BuilderKind = 'buildx' | 'docker' | 'buildah' | 'podman';
/** What `--builder` names: docker means buildx when it is there, else `docker build` with BuildKit. */
export type BuilderChoice = 'docker' | 'buildah' | 'podman';

export interface BuildRequest {
  readonly context: string;
  readonly dockerfile: string;
  readonly tag: string;
  readonly target: string | null;
  readonly buildArgs: readonly string[];
  readonly network: string | null;
  /** Passed to every build command as they are (`--pull-never`). */
  readonly extraArgs: readonly string[];
  /** Each line of the builder's output, as it comes. */
  readonly onLine?: (line: string) => void;
}

export interface BuildOutcome {
  readonly ok: boolean;
  readonly seconds: number;
  readonly log: string;
  /** Images the build committed beside the tag (buildah and podman keep one per step). */
  readonly images: readonly string[];
}

export interface RunOutcome {
  readonly code: number | null;
  readonly output: string;
}

export interface Builder {
  readonly kind: BuilderKind;
  /** `docker build (BuildKit), engine 20.10.24`. */
  readonly description: string;
  readonly logFormat: LogFormat;
  /** Whose cache rules `cachefix explain` should follow for it. */
  readonly rules: BuilderRules;
  build(request: BuildRequest): Promise<BuildOutcome>;
  snapshot(tag: string): Promise<ImageSnapshot>;
  run(tag: string, argv: readonly string[], network: string | null): Promise<RunOutcome>;
  /** Removes images (tags or ids) and containers; never throws (cleanup goes on). */
  remove(images: readonly string[]): void;
  /** Stops every process the builder is running (Ctrl-C). */
  abort(): void;
}

export class NoBuilderError extends Error {}

const running = new Set<ChildProcess>();

/** The builder `choice` names, or the first that works: docker (buildx, then BuildKit), buildah, podman. */
export function findBuilder(choice: BuilderChoice | null, env: NodeJS.ProcessEnv): Builder {
  const tried: string[] = [];
  const order: BuilderChoice[] = choice ? [choice] : ['docker', 'buildah', 'podman'];
  for (const name of order) {
    const found = name === 'docker' ? dockerBuilder(env, tried) : containersBuilder(name, env, tried);
    if (found) return found;
  }
  throw new NoBuilderError(`no usable builder${choice ? ` (--builder ${choice})` : ''}: ${tried.join('; ')}`);
}

function quiet(command: string, args: readonly string[], env: NodeJS.ProcessEnv) {
  return spawnSync(command, args, { encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
}

function dockerBuilder(env: NodeJS.ProcessEnv, tried: string[]): Builder | null {
  // the docker client to use: $DOCKER when set (a second client beside the one on PATH), else docker
  const docker = env.DOCKER || 'docker';
  const version = quiet(docker, ['version', '--format', '{{.Client.Version}} {{.Server.Version}}'], env);
  if (version.error) {
    tried.push(`${docker}: not found`);
    return null;
  }
  if (version.status !== 0) {
    tried.push(`${docker}: the engine does not answer (${firstLine(version.stderr)})`);
    return null;
  }
  const [client = '', server = ''] = version.stdout.trim().split(' ');
  const buildx = quiet(docker, ['buildx', 'version'], env).status === 0;
  // Docker 23 and later build with BuildKit only through buildx; older clients speak to it themselves
  if (!buildx && Number(client.split('.')[0]) >= 23) {
    tried.push(`${docker} ${client}: no buildx plugin, and without it this client cannot build with BuildKit (set DOCKER to another client, or install buildx)`);
    return null;
  }
  const buildEnv = { ...env, DOCKER_BUILDKIT: '1' };
  const kind: BuilderKind = buildx ? 'buildx' : 'docker';
  return {
    kind,
    description: `${buildx ? `${docker} buildx build` : `${docker} build (BuildKit)`}, engine ${server}`,
    logFormat: 'buildkit',
    rules: 'buildkit',
    async build(request) {
      const args = [...(buildx ? ['buildx', 'build', '--load'] : ['build']), '--progress=plain', ...commonBuildArgs(request)];
      const outcome = await stream(docker, args, buildEnv, request.onLine);
      return { ...outcome, images: [] };
    },
    snapshot: (tag) => exportSnapshot(docker, env, tag, dockerConfig(docker, env, tag)),
    run: (tag, argv, network) => containerRun(docker, env, tag, argv, network),
    remove(images) {
      if (images.length > 0) quiet(docker, ['rmi', '--force', ...images], env);
    },
    abort: abortAll,
  };
}

function containersBuilder(name: 'buildah' | 'podman', env: NodeJS.ProcessEnv, tried: string[]): Builder | null {
  const version = quiet(name, ['--version'], env);
  if (version.error || version.status !== 0) {
    tried.push(`${name}: not found`);
    return null;
  }
  return {
    kind: name,
    description: version.stdout.trim(),
    logFormat: 'buildah',
    rules: 'buildah',
    async build(request) {
      // --layers: without it neither keeps a layer cache, and a rebuild measures nothing
      const args = [name === 'buildah' ? 'bud' : 'build', '--layers', ...commonBuildArgs(request)];
      const outcome = await stream(name, args, env, request.onLine);
      return { ...outcome, images: committedImages(outcome.log) };
    },
    async snapshot(tag) {
      if (name === 'podman') return exportSnapshot('podman', env, tag, podmanConfig(env, tag));
      return buildahSnapshot(env, tag);
    },
    async run(tag, argv, network) {
      if (name === 'podman') return containerRun('podman', env, tag, argv, network);
      const container = quiet('buildah', ['from', '--quiet', tag], env);
      if (container.status !== 0) return { code: null, output: container.stderr };
      const id = container.stdout.trim();
      try {
        const outcome = await stream('buildah', ['run', ...(network ? ['--network', network] : []), id, '--', ...argv], env);
        return { code: outcome.code, output: outcome.log };
      } finally {
        quiet('buildah', ['rm', id], env);
      }
    },
    remove(images) {
      // one at a time: an image another still uses is kept, and must not stop the others' removal
      for (const image of images) quiet(name, ['rmi', ...(name === 'podman' ? ['--force'] : []), image], env);
    },
    abort: abortAll,
  };
}

function commonBuildArgs(request: BuildRequest): string[] {
  return [
    '-f',
    request.dockerfile,
    '-t',
    request.tag,
    ...(request.target !== null ? ['--target', request.target] : []),
    ...request.buildArgs.flatMap((a) => ['--build-arg', a]),
    ...(request.network !== null ? ['--network', request.network] : []),
    ...request.extraArgs,
    request.context,
  ];
}

/** Runs a command, handing each output line (stdout and stderr) on; the whole log and the time it took. */
function stream(command: string, args: readonly string[], env: NodeJS.ProcessEnv, onLine?: (line: string) => void): Promise<{ ok: boolean; code: number | null; seconds: number; log: string }> {
  const started = process.hrtime.bigint();
  return new Promise((resolve) => {
    const child = spawn(command, [...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    const chunks: Buffer[] = [];
    let partial = '';
    const take = (chunk: Buffer) => {
      chunks.push(chunk);
      if (!onLine) return;
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    const done = (code: number | null, extra = '') => {
      running.delete(child);
      resolve({ ok: code === 0, code, seconds: Number(process.hrtime.bigint() - started) / 1e9, log: Buffer.concat(chunks).toString('utf8') + extra });
    };
    child.on('error', (error) => done(null, `${command}: ${error.message}\n`));
    child.on('close', (code) => done(code));
  });
}

function abortAll(): void {
  for (const child of running) child.kill('SIGINT');
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}

/** The file tree of a container made from the image, exported as a tar stream; the container is removed. */
async function exportSnapshot(command: string, env: NodeJS.ProcessEnv, tag: string, config: ImageConfig): Promise<ImageSnapshot> {
  // the entrypoint never runs: create needs one for images that have none (scratch with files only)
  const created = quiet(command, ['create', '--network', 'none', '--entrypoint', '/cachefix-prove-never-runs', tag], env);
  if (created.status !== 0) throw new Error(`${command} create ${tag}: ${firstLine(created.stderr)}`);
  const container = created.stdout.trim();
  try {
    const tree = new TarTree();
    await new Promise<void>((resolve, reject) => {
      const child = spawn(command, ['export', container], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      running.add(child);
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => tree.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      child.on('error', reject);
      child.on('close', (code) => {
        running.delete(child);
        if (code === 0) resolve();
        else reject(new Error(`${command} export ${tag}: ${firstLine(stderr)}`));
      });
    });
    return { files: tree.files, config };
  } finally {
    quiet(command, ['rm', '--force', container], env);
  }
}

interface RawConfig {
  Env?: string[] | null;
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  User?: string;
  WorkingDir?: string;
  ExposedPorts?: Record<string, unknown> | null;
}

function configOf(raw: RawConfig): ImageConfig {
  return {
    env: raw.Env ?? [],
    entrypoint: raw.Entrypoint && raw.Entrypoint.length > 0 ? raw.Entrypoint : null,
    cmd: raw.Cmd && raw.Cmd.length > 0 ? raw.Cmd : null,
    user: raw.User ?? '',
    workdir: raw.WorkingDir ?? '',
    exposedPorts: Object.keys(raw.ExposedPorts ?? {}),
  };
}

function inspect(command: string, args: readonly string[], env: NodeJS.ProcessEnv, pick: (json: unknown) => unknown = (json) => json): ImageConfig {
  const result = quiet(command, args, env);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${firstLine(result.stderr)}`);
  return configOf((pick(JSON.parse(result.stdout)) ?? {}) as RawConfig);
}

function dockerConfig(docker: string, env: NodeJS.ProcessEnv, tag: string): ImageConfig {
  return inspect(docker, ['image', 'inspect', '--format', '{{json .Config}}', tag], env);
}

function podmanConfig(env: NodeJS.ProcessEnv, tag: string): ImageConfig {
  return inspect('podman', ['image', 'inspect', '--format', '{{json .Config}}', tag], env);
}

/** buildah has no export: mount a working container of the image and read its tree. */
async function buildahSnapshot(env: NodeJS.ProcessEnv, tag: string): Promise<ImageSnapshot> {
  // buildah 1.28's --format has no json function: the whole inspection, and its OCI config
  const config = inspect('buildah', ['inspect', '--type', 'image', tag], env, (json) => (json as { OCIv1?: { config?: unknown } } | null)?.OCIv1?.config);
  const created = quiet('buildah', ['from', '--quiet', tag], env);
  if (created.status !== 0) throw new Error(`buildah from ${tag}: ${firstLine(created.stderr)}`);
  const container = created.stdout.trim();
  try {
    const mounted = quiet('buildah', ['mount', container], env);
    if (mounted.status !== 0) throw new Error(`buildah mount: ${firstLine(mounted.stderr)} (buildah mount needs root, or buildah unshare)`);
    const root = mounted.stdout.trim();
    const files = new Map<string, TreeEntry>();
    await walkTree(root, '', files);
    return { files, config };
  } finally {
    quiet('buildah', ['umount', container], env);
    quiet('buildah', ['rm', container], env);
  }
}

async function walkTree(root: string, path: string, files: Map<string, TreeEntry>): Promise<void> {
  for (const name of readdirSync(join(root, path)).sort()) {
    const relative = `${path}/${name}`;
    const full = join(root, relative);
    const info = lstatSync(full);
    const mode = info.mode & 0o7777;
    if (info.isSymbolicLink()) files.set(relative, { kind: 'symlink', mode: 0o777, size: 0, hash: readlinkSync(full), elf: false });
    else if (info.isDirectory()) {
      files.set(relative, { kind: 'dir', mode, size: 0, hash: '', elf: false });
      await walkTree(root, relative, files);
    } else if (info.isFile()) files.set(relative, { kind: 'file', mode, size: info.size, ...(await hashFile(full, info.size)) });
    else files.set(relative, { kind: 'other', mode, size: 0, hash: 'special', elf: false });
  }
}

function hashFile(path: string, size: number): Promise<{ hash: string; elf: boolean; goBuild?: readonly string[] | null }> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    let head = Buffer.alloc(0);
    // kept until the first bytes show it is no ELF binary, for a Go binary's build info
    let data: Buffer[] | null = size <= MAX_BINARY ? [] : null;
    createReadStream(path)
      .on('data', (chunk: Buffer | string) => {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        if (head.length < 4) head = Buffer.concat([head, bytes.subarray(0, 4)]);
        hash.update(bytes);
        data?.push(bytes);
        if (head.length >= 4 && !isElf(head)) data = null;
      })
      .on('error', reject)
      .on('end', () => {
        const elf = isElf(head);
        resolve({ hash: hash.digest('hex'), elf, ...(elf && data ? { goBuild: goBuildLines(Buffer.concat(data)) } : {}) });
      });
  });
}

/** Runs argv in a throwaway container of the image (its ENTRYPOINT replaced by argv[0]). */
async function containerRun(command: string, env: NodeJS.ProcessEnv, tag: string, argv: readonly string[], network: string | null): Promise<RunOutcome> {
  const [program, ...rest] = argv;
  if (program === undefined) return { code: null, output: 'nothing to run' };
  const outcome = await stream(command, ['run', '--rm', ...(network ? ['--network', network] : []), '--entrypoint', program, tag, ...rest], env);
  return { code: outcome.code, output: outcome.log };
}
