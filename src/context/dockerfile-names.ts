/** `Dockerfile`, `Dockerfile.*`, `*.Dockerfile`, `*.dockerfile`, `Containerfile`. */
export function isDockerfileName(name: string): boolean {
  return /^(Dockerfile(\..+)?|.+\.[Dd]ockerfile|Containerfile)$/.test(name) && !name.endsWith('.dockerignore');
}
