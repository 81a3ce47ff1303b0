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
  /** Users of the image's /etc/passwd a USER instruction may name, with their ids and home. */
  readonly accounts?: readonly ImageAccount[];
}

export interface ImageAccount {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

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
    // docker-library/node (Debian and Alpine variants alike); NODE_VERSION and YARN_VERSION vary by tag
    name: 'node',
    env: new Map([
      ['PATH', '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      ['HOME', '/root'],
    ]),
    workdir: null,
    accounts: [
      { name: 'root', uid: 0, gid: 0, home: '/root' },
      { name: 'node', uid: 1000, gid: 1000, home: '/home/node' },
    ],
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

const BY_NAME: ReadonlyMap<string, OfficialImage> = new Map(IMAGES.map((known) => [known.name, known]));
