/** Official images are recognised by the repository name a reference ends in, wherever it is pulled from. */
import { expect, test } from '@jest/globals';
import { imageRepositoryName, officialImage } from '../src/images/official-images.js';

test.each([
  ['golang', 'golang'],
  ['golang:1.22', 'golang'],
  ['golang@sha256:abc', 'golang'],
  ['golang:1.22@sha256:abc', 'golang'],
  ['docker.io/library/golang:1.22-alpine', 'golang'],
  ['public.ecr.aws/docker/library/debian:bookworm-slim', 'debian'],
  ['localhost:5000/golang', 'golang'],
  ['localhost:5000/team/node:20', 'node'],
  ['golangci/golangci-lint:v1', 'golangci-lint'],
  ['${BASE}', '${BASE}'],
])('%s is named %s', (image, name) => {
  expect(imageRepositoryName(image)).toBe(name);
});

test('only the golang image and its mirrors carry the golang environment, not its Windows variants or look-alikes', () => {
  expect(officialImage('ghcr.io/mirror/golang:1.21')?.workdir).toBe('/go');
  expect(officialImage('golang:1.22-windowsservercore')).toBeNull();
  expect(officialImage('golangci/golangci-lint:v1')).toBeNull();
  expect(officialImage('mygolang:1')).toBeNull();
});

test('the python image: its PATH and LANG, no WORKDIR', () => {
  const python = officialImage('python:3.11-slim-bookworm');
  expect(python?.env.get('PATH')).toBe('/usr/local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
  expect(python?.env.get('LANG')).toBe('C.UTF-8');
  expect(python?.workdir).toBeNull();
  expect(officialImage('python:3.12-windowsservercore')).toBeNull();
});

test('the node image knows its node account (uid 1000, home /home/node) beside root', () => {
  const node = officialImage('node:20-alpine');
  expect(node?.accounts).toEqual([{ name: 'node', uid: 1000, gid: 1000, home: '/home/node' }]);
  expect(node?.workdir).toBeNull();
  expect(officialImage('nodered/node-red')).toBeNull();
});

test('the rust and maven images carry the directories their caches are found from', () => {
  expect(officialImage('rust:1.63-alpine')?.env.get('CARGO_HOME')).toBe('/usr/local/cargo');
  expect(officialImage('docker.io/library/rust:1.89.0-slim-trixie')?.env.get('RUSTUP_HOME')).toBe('/usr/local/rustup');
  expect(officialImage('maven:3.8-openjdk-17')?.env.get('MAVEN_CONFIG')).toBe('/root/.m2');
  expect(officialImage('maven:3.9-eclipse-temurin-21')?.env.get('MAVEN_HOME')).toBe('/usr/share/maven');
  expect(officialImage('rustlang/rust:nightly')?.name).toBe('rust');
});

test('the eclipse-temurin JDK images: root only, JAVA_HOME, no WORKDIR; their Windows variants are not known', () => {
  const temurin = officialImage('eclipse-temurin:21-jdk-alpine');
  expect([temurin?.env.get('JAVA_HOME'), temurin?.workdir, temurin?.accounts]).toEqual(['/opt/java/openjdk', null, undefined]);
  expect(officialImage('eclipse-temurin:17-jdk-windowsservercore-ltsc2022')).toBeNull();
});
