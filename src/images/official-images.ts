/**
 * What the official base images set before the first instruction of a Dockerfile: their default
 * environment and working directory (as `docker image inspect` reports them), recognised by name
 * whether pulled from Docker Hub or a mirror. Data only: the engine's environment model reads it, and
 * each ecosystem adds the images it builds on.
 */

export interface OfficialImage {
  /** The image's repository name on Docker Hub (`golang`). */
  readonly name: string;
  readonly env: ReadonlyMap<string, string>;
  /** The WORKDIR the image sets, or null when it sets none. */
  readonly workdir: string | null;
  /** Accounts of /etc/passwd besides root (uid 0, home /root), which every image here has. */
  readonly accounts?: readonly ImageAccount[];
}

/** A user of the image's /etc/passwd: who owns a cache mount for that USER, and where its home is. */
export interface ImageAccount {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

/** The account every Linux image has. */
export const ROOT_ACCOUNT: ImageAccount = { name: 'root', uid: 0, gid: 0, home: '/root' };

const IMAGES: readonly OfficialImage[] = [
  {
    // docker-library/golang
    name: 'golang',
    env: new Map([
      ['GOPATH', '/go'],
      ['PATH', '/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      ['HOME', '/root'],
    ]),
    workdir: '/go',
  },
  {
    // docker-library/node: the image creates the `node` account (uid 1000) for `USER node`
    name: 'node',
    env: new Map([['PATH', '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']]),
    workdir: null,
    accounts: [{ name: 'node', uid: 1000, gid: 1000, home: '/home/node' }],
  },
  {
    // docker-library/python
    name: 'python',
    env: new Map([
      ['PATH', '/usr/local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      ['LANG', 'C.UTF-8'],
    ]),
    workdir: null,
  },
  {
    // docker-library/rust (rust-lang/docker-rust)
    name: 'rust',
    env: new Map([
      ['RUSTUP_HOME', '/usr/local/rustup'],
      ['CARGO_HOME', '/usr/local/cargo'],
      ['PATH', '/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
    ]),
    workdir: null,
  },
  {
    // docker-library/maven (carlossg/docker-maven): the local repository is $HOME/.m2 of root
    name: 'maven',
    env: new Map([
      ['MAVEN_HOME', '/usr/share/maven'],
      ['MAVEN_CONFIG', '/root/.m2'],
      ['JAVA_HOME', '/opt/java/openjdk'],
      ['PATH', '/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
    ]),
    workdir: null,
  },
  {
    // docker-library/eclipse-temurin, the JDK the maven images and Spring's guides build on: root,
    // no Maven of its own (so nothing in /root/.m2 for `./mvnw` to lose under a cache mount)
    name: 'eclipse-temurin',
    env: new Map([
      ['JAVA_HOME', '/opt/java/openjdk'],
      ['PATH', '/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      ['LANG', 'en_US.UTF-8'],
      ['LANGUAGE', 'en_US:en'],
      ['LC_ALL', 'en_US.UTF-8'],
    ]),
    workdir: null,
  },
];

/** Windows containers (`golang:1.22-windowsservercore`, `mcr.microsoft.com/windows/nanoserver`). */
export function isWindowsImage(image: string): boolean {
  return /windowsservercore|nanoserver|(^|[/:-])windows([:/-]|$)/i.test(image);
}

/**
 * The repository name an image reference ends in, without registry, path, tag or digest:
 * `golang` for `golang:1.22`, `docker.io/library/golang:1.22-alpine`, `ghcr.io/mirror/golang:1.21`
 * and `golang@sha256:...`. How official images are recognised, from Docker Hub or a mirror.
 */
export function imageRepositoryName(image: string): string {
  const name = image.split('@')[0] ?? '';
  const last = name.slice(name.lastIndexOf('/') + 1);
  const tag = last.indexOf(':');
  return tag < 0 ? last : last.slice(0, tag);
}

/** The official image `image` names, or null for any other and for Windows variants, whose environment differs. */
export function officialImage(image: string): OfficialImage | null {
  if (isWindowsImage(image)) return null;
  return BY_NAME.get(imageRepositoryName(image)) ?? null;
}

/** The account `user` (a name or a numeric uid, with an optional `:group`) of the official image `image`, or null when unknown. */
export function imageAccount(image: string, user: string): ImageAccount | null {
  const name = user.split(':')[0] ?? '';
  if (name === 'root' || name === '0') return ROOT_ACCOUNT;
  const accounts = officialImage(image)?.accounts ?? [];
  return accounts.find((a) => a.name === name || String(a.uid) === name) ?? null;
}

const BY_NAME: ReadonlyMap<string, OfficialImage> = new Map(IMAGES.map((known) => [known.name, known]));
