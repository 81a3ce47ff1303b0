/** docker/apt-cache-mount: each precondition, with the exact reason, and the clean-up it removes or keeps. */
import { describe, expect, test } from '@jest/globals';
import { memoryContext } from '../../src/context/context.js';
import { fixText } from '../../src/engine/fixer.js';
import { aptCommand, aptPathPlace, isDebianFamilyOfficialImage, movedDirectories } from '../../src/ecosystems/apt/apt.js';
import { parseDockerfile } from '../../src/engine/parse.js';
import { runScript } from '../../src/shell/shell.js';
import { aptCacheMount } from '../../transforms/docker/apt-cache-mount.js';

function fix(dockerfile: string) {
  const result = fixText(dockerfile, { transforms: [aptCacheMount], context: memoryContext({}) });
  return { output: result.output, skips: result.skips.map((s) => s.reason), details: result.changes.map((c) => c.detail ?? '') };
}

const debian = (...lines: string[]) => `FROM debian:bookworm-slim\n${lines.join('\n')}\n`;
const CACHE = '--mount=type=cache,target=/var/cache/apt,sharing=locked';
const LISTS = '--mount=type=cache,target=/var/lib/apt/lists,sharing=locked';
const SET_ASIDE = 'mv /etc/apt/apt.conf.d/docker-clean /var/cache/apt/ && ';
const PUT_BACK = 'mv /var/cache/apt/docker-clean /etc/apt/apt.conf.d/';

describe('rewrites', () => {
  test('update, install, clean and rm of lists: both mounts, the clean-up goes, other rm paths stay', () => {
    const result = fix(debian('RUN apt-get update && apt-get install -y curl && apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb /tmp/*'));
    expect(result.output).toBe(debian(`RUN ${CACHE} \\\n    ${LISTS} \\\n    ${SET_ASIDE}apt-get update && apt-get install -y curl && rm -rf /tmp/* && ${PUT_BACK}`));
    expect(result.skips).toEqual([]);
  });

  test('the last command, an rm of apt paths only, becomes the put-back', () => {
    expect(fix(debian('RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*')).output).toBe(
      debian(`RUN ${CACHE} \\\n    ${LISTS} \\\n    ${SET_ASIDE}apt-get update && apt-get install -y curl && ${PUT_BACK}`),
    );
  });

  test('a set -e script of statements: the put-back follows the last one', () => {
    expect(fix(debian('RUN set -eux; apt-get update; apt-get install -y curl; apt-get clean; rm -rf /var/lib/apt/lists/*')).output).toBe(
      debian(`RUN ${CACHE} \\\n    ${LISTS} \\\n    ${SET_ASIDE}set -eux; apt-get update; apt-get install -y curl; ${PUT_BACK}`),
    );
  });

  test('clean-up commands next to each other go together, inside if too', () => {
    expect(fix(debian('RUN if true; then apt-get update && apt-get install -y curl && rm -rf /var/cache/apt/* && apt-get clean; fi')).output).toBe(
      debian(`RUN ${CACHE} \\\n    ${SET_ASIDE}if true; then apt-get update && apt-get install -y curl; fi && ${PUT_BACK}`),
    );
    expect(fix(debian('RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/* && apt-get clean')).output).toBe(
      debian(`RUN ${CACHE} \\\n    ${LISTS} \\\n    ${SET_ASIDE}apt-get update && apt-get install -y curl && ${PUT_BACK}`),
    );
  });

  test.each([
    ['no rm of the lists: they stay in the image', debian('RUN apt-get update && apt-get install -y curl'), 'the RUN keeps them in the image'],
    ['no update in the RUN', debian('RUN apt-get install -y curl && rm -rf /var/lib/apt/lists/*'), 'the RUN does not run apt-get update before installing'],
    [
      'an earlier RUN left lists that this rm deletes',
      debian('RUN apt-get update', 'RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*'),
      '"RUN apt-get update" left lists in the image, which the rm here deletes',
    ],
    [
      'lists left by the stage this one is built FROM',
      'FROM debian:bookworm-slim AS base\nRUN apt-get update\nFROM base\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n',
      '"RUN apt-get update" left lists in the image, which the rm here deletes',
    ],
  ])('only the package cache: %s', (_name, input, note) => {
    const result = fix(input);
    expect(result.output).toContain(`RUN ${CACHE} \\\n    ${SET_ASIDE}`);
    expect(result.output).not.toContain(LISTS);
    expect(result.details.at(-1)).toBe(`added cache mounts for /var/cache/apt (not the lists: ${note})`);
  });

  test('an earlier RUN that removed its lists leaves none', () => {
    const result = fix(debian('RUN apt-get update && apt-get install -y ca-certificates && rm -rf /var/lib/apt/lists/*', 'RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*'));
    expect(result.output.split(LISTS).length).toBe(3);
  });

  test('an existing cache mount of the same directory lends its id', () => {
    const input = debian('RUN --mount=type=cache,id=apt,target=/var/cache/apt,sharing=locked apt-get install -y make', 'RUN apt-get update && apt-get install -y curl');
    expect(fix(input).output).toContain('RUN --mount=type=cache,id=apt,target=/var/cache/apt,sharing=locked \\\n    mv');
  });

  test.each([
    ['golang:1.22-bookworm'],
    ['public.ecr.aws/docker/library/golang:1.24-bookworm'],
    ['python:3.12-slim'],
    ['ubuntu:24.04'],
    ['node@sha256:0123'],
  ])('%s is an official Debian-family image', (image) => {
    expect(isDebianFamilyOfficialImage(image)).toBe(true);
  });

  test.each([['golang:1.22-alpine'], ['alpine:3.20'], ['example.com/debian-like:1'], ['${BASE}'], ['mydebian:12']])('%s is not', (image) => {
    expect(isDebianFamilyOfficialImage(image)).toBe(false);
  });
});

describe('skips, with the reason', () => {
  test.each([
    ['apt, which deletes what it downloaded', debian('RUN apt update && apt install -y curl'), '`apt install` deletes the packages it downloaded (the apt command does not keep them), so a cache mount would stay empty; apt-get keeps them'],
    ['aptitude', debian('RUN aptitude install -y curl'), "aptitude is not handled: only apt-get's use of the package cache is checked"],
    ['-o Dir::Cache', debian('RUN apt-get update && apt-get -o Dir::Cache=/opt/apt install -y curl'), "apt-get -o Dir::Cache=/opt/apt moves apt's directories: the cache mounts would miss them"],
    ['-c FILE', debian('RUN apt-get -c /etc/my-apt.conf install -y curl'), 'apt-get reads its configuration from another file (-c): the cache mounts would miss them'],
    ['a non-root USER', debian('USER 1000', 'RUN apt-get install -y curl'), 'the RUN runs as USER 1000, and apt-get needs root; the cache mounts would belong to root'],
    [
      'an image that may not ship docker-clean',
      'FROM example.com/base:1\nRUN apt-get install -y curl\n',
      'cannot confirm that example.com/base:1 ships /etc/apt/apt.conf.d/docker-clean and no package lists, as the official Debian and Ubuntu images do (the rewrite sets the hook aside during the RUN)',
    ],
    ['docker-clean already removed', debian('RUN rm -f /etc/apt/apt.conf.d/docker-clean', 'RUN apt-get install -y curl'), '"RUN rm -f /etc/apt/apt.conf.d/docker-clean" handles docker-clean itself'],
    ['apt configuration deleted', debian('RUN rm -rf /etc/apt/apt.conf.d/* && echo ok', 'RUN apt-get install -y curl'), '"RUN rm -rf /etc/apt/apt.conf.d/* && echo ok" handles docker-clean itself'],
    ['a tmpfs over the lists', debian('RUN --mount=type=tmpfs,target=/var/lib/apt/lists apt-get update && apt-get install -y curl'), 'a tmpfs mount already uses /var/lib/apt/lists'],
    ['a background command', debian('RUN apt-get install -y curl & wait'), 'a command of the RUN runs in the background, which could race docker-clean being put back at the end'],
    ['exec', debian('RUN apt-get install -y curl && exec true'), 'the RUN may end at exec, before docker-clean (set aside so it does not empty the cache mount) would be put back'],
    ['rm of a directory holding a mount', debian('RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/*'), 'rm /var/lib/apt/* would reach into the cache mount; remove it by hand'],
    ['another command using the cache', debian('RUN apt-get install -y curl && find /var/cache/apt -name "*.deb" -delete'), 'find uses /var/cache/apt, which a cache mount would change'],
    ['an apt-get clean that cannot go alone', debian('RUN apt-get install -y curl || apt-get clean'), 'apt-get clean here would empty the cache mount and is not joined by &&; remove it by hand'],
    ['sudo apt-get', debian('RUN sudo -E apt-get install -y curl'), 'apt-get runs through sudo here: only apt-get run as root by the RUN itself is handled'],
    ['a heredoc', debian('RUN <<EOF\napt-get install -y curl\nEOF'), 'apt installs packages here, but the RUN cannot be read (RUN uses a heredoc): add the cache mounts by hand'],
  ])('%s', (_name, input, reason) => {
    expect(fix(input)).toEqual({ output: input, skips: [reason], details: [] });
  });

  test.each([
    ['no install', debian('RUN apt-get update')],
    ['a cache mount is already there', debian('RUN --mount=type=cache,target=/var/cache apt-get install -y curl')],
    ['ONBUILD', debian('ONBUILD RUN apt-get install -y curl')],
  ])('leaves alone without a word: %s', (_name, input) => {
    expect(fix(input)).toEqual({ output: input, skips: [], details: [] });
  });
});

describe('apt knowledge', () => {
  const command = (text: string) => {
    const doc = parseDockerfile(`FROM debian\nRUN ${text}\n`);
    const run = doc.instructions[1];
    if (!run) throw new Error('no RUN');
    const first = runScript(doc, run).commands[0];
    if (!first) throw new Error('no command');
    return first;
  };

  test.each([
    ['apt-get -y install curl', 'install'],
    ['apt-get -o Debug::pkgProblemResolver=yes -t bookworm-backports install curl', 'install'],
    ['DEBIAN_FRONTEND=noninteractive apt-get -qq update', 'update'],
    ['apt-get --no-install-recommends -y dist-upgrade', 'dist-upgrade'],
  ])('%s runs %s', (text, subcommand) => {
    expect(aptCommand(command(text))?.subcommand).toBe(subcommand);
  });

  test('options that move the directories', () => {
    const moved = (text: string) => {
      const apt = aptCommand(command(text));
      return apt ? movedDirectories(apt) : 'not apt';
    };
    expect(moved('apt-get -oDir::Cache::Archives=/x install curl')).toBe("apt-get -o Dir::Cache::Archives=/x moves apt's directories");
    expect(moved('apt-get --option=Dir=/x install curl')).toBe("apt-get -o Dir=/x moves apt's directories");
    expect(moved('apt-get -o APT::Keep-Downloaded-Packages=true install curl')).toBeNull();
  });

  test.each([
    ['/var/lib/apt/lists/*', 'lists'],
    ['/var/lib/apt/lists', 'lists'],
    ['/var/lib/apt/lists/', 'lists'],
    ['/var/cache/apt/archives/*.deb', 'cache'],
    ['/var/cache/apt/*', 'cache'],
    ['/var/cache/apt', 'cache'],
    ['/var/lib/apt', 'above'],
    ['/var/cache/*', 'above'],
    ['/var/*', 'above'],
    ['/tmp/*', 'elsewhere'],
    ['/var/lib/apt/extended_states', 'elsewhere'],
    ['/var/cache/debconf/*', 'elsewhere'],
  ])('rm %s: %s', (path, place) => {
    expect(aptPathPlace(path)).toBe(place);
  });
});
