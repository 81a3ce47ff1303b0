/**
 * The mechanics of "copy the manifests, install, then copy the sources", shared by every ecosystem:
 * finding the source COPY, checking that nothing between it and the install could change what the
 * install does once it runs earlier, and writing the manifest COPY lines and the install step above
 * the source COPY in the file's own style. The ecosystem decides which RUN installs, which files it
 * reads, and every precondition of its own (workspaces, local path dependencies, lifecycle scripts).
 */
import { ignoreRules } from '../context/dockerignore.js';
import type { Edit } from '../engine/edits.js';
import { copiesWholeContext, copyDestinationDir, copySpec, declaredNames, effectiveWorkdir, resolvePath } from '../engine/instructions.js';
import { moveAboveWithBlankLine, pasteAbove } from '../engine/moves.js';
import { type Instruction, type ParsedDockerfile, type Stage, stageLineage } from '../engine/parse.js';
import { removeChainedCommandEdits } from '../engine/removal.js';
import { instructionSnippet } from '../engine/snippet.js';
import { indentOf, keyword } from '../engine/style.js';
import type { TransformContext } from '../engine/transform.js';
import { joinedByAnd, logicalBody, runScript, type ShellCommand } from '../shell/shell.js';

/** COPY flags a generated manifest COPY can carry over from the source COPY. */
export const CARRIED_COPY_FLAGS: ReadonlySet<string> = new Set(['chown', 'chmod', 'link']);

/**
 * Commands that only test, create, copy, edit or delete files: between the source COPY and the
 * install they change it only through the files they name (the ecosystem's `files` pattern).
 */
export const FILE_COMMANDS: ReadonlySet<string> = new Set([
  'cp', 'mv', 'rm', 'mkdir', 'rmdir', 'ln', 'chmod', 'chown', 'chgrp', 'touch', 'sed', 'cat', 'ls', 'echo', 'printf',
  'test', '[', '[[', 'true', 'false', ':', 'cd', 'pwd', 'set', 'head', 'tail', 'grep', 'sort', 'wc', 'tr', 'cut', 'basename', 'dirname', 'date', 'sleep',
]);

/** Instructions that change neither files nor the environment of a RUN. */
const NEUTRAL_KEYWORDS = new Set(['LABEL', 'EXPOSE', 'MAINTAINER', 'STOPSIGNAL', 'HEALTHCHECK', 'VOLUME', 'CMD', 'ENTRYPOINT']);

/** The first COPY/ADD of the whole build context in `stage` (before `limit`, when given). */
export function wholeContextCopy(stage: Stage, limit = Number.POSITIVE_INFINITY): Instruction | null {
  return (
    stage.instructions.find((i) => {
      if (i.start >= limit) return false;
      const spec = copySpec(i);
      return spec !== null && copiesWholeContext(spec);
    }) ?? null
  );
}

/** Whether this stage (before `before`) or a stage it is built FROM already copies a file `test` picks: it is split already. */
export function copiesBefore(doc: ParsedDockerfile, stage: Stage, before: Instruction, test: (source: string) => boolean): boolean {
  return stageLineage(doc, stage).some((s) =>
    s.instructions.some((i) => {
      if (s === stage && i.start >= before.start) return false;
      const spec = copySpec(i);
      if (spec && spec.from === null && spec.sources.some((source) => test(source.replace(/^\.\//, '')))) return true;
      // a bind mount of the manifest (`--mount=type=bind,source=package.json`) reads it too
      return i.flags.some((f) => f.name === 'mount' && f.options.some((o) => (o.name === 'source' || o.name === 'src') && test(o.value.replace(/^\.\//, ''))));
    }),
  );
}

/** A context file as the build sees it. */
export type ContextFileState = 'present' | 'absent' | 'ignored';

export function contextFile(context: TransformContext, path: string): ContextFileState {
  if (!context.build.exists(path)) return 'absent';
  return ignoreRules(context.build, context.dockerfilePath).ignores(path) ? 'ignored' : 'present';
}

/** A context-relative path with `.` and `..` resolved, or null when it leaves the context (`../x`, `/abs`). */
export function insideContext(path: string): string | null {
  if (/^[/\\]|^[A-Za-z]:/.test(path)) return null;
  const parts: string[] = [];
  for (const part of path.split(/[/\\]/)) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return null;
      parts.pop();
    } else parts.push(part);
  }
  return parts.join('/');
}

/** Why a COPY destination cannot be reused in a generated shell-form COPY and `cd`, or null. */
export function unusableDestination(dest: string): string | null {
  if (dest.includes('$')) return `the COPY destination ${dest} uses a variable`;
  if (/[\\]|^[A-Za-z]:/.test(dest)) return `the COPY destination ${dest} is a Windows path`;
  if (/[\s"'`]/.test(dest)) return `the COPY destination ${JSON.stringify(dest)} has blanks or quotes`;
  return null;
}

/** A COPY of several files needs a destination ending in `/`. */
export function directoryForm(dest: string): string {
  if (dest === '.' || dest === './') return './';
  return dest.endsWith('/') ? dest : `${dest}/`;
}

/** The files one COPY brings to `<dest>/<dir>/`, context-relative. */
export interface ManifestCopy {
  /** '' for the context root. */
  readonly dir: string;
  readonly files: readonly string[];
}

/** How the install gets above the source COPY. */
export type InstallStep =
  /** The RUN holds only the install: it moves whole, byte for byte. */
  | { readonly move: Instruction }
  /** A new RUN with this command goes above; the original RUN stays (it finishes the job with the sources). */
  | { readonly add: string }
  /** The RUN's first `commands` commands of its `&&` chain (after a leading `cd`) become a RUN of their own above. */
  | { readonly split: Instruction; readonly commands: number };

export interface ManifestFirstRequest {
  readonly stage: Stage;
  readonly sourceCopy: Instruction;
  /** The first RUN that needs the manifests; everything between the source COPY and it is checked. */
  readonly firstUse: Instruction;
  readonly copies: readonly ManifestCopy[];
  readonly step: InstallStep;
  /** ENV/ARG names that change what the install does: one between the COPY and the install blocks. */
  readonly env: RegExp;
  /** Text in a file-command RUN between the COPY and the install that may touch the manifests or settings. */
  readonly files: RegExp;
  /** The install, for messages: `npm ci`, `the pip install`. */
  readonly what: string;
}

/**
 * The edits that put the manifest COPY lines and the install above the source COPY (and the comments
 * attached to it), or why they cannot be made: a flag the COPY lines could not carry, a destination
 * that cannot be reused, an instruction between the COPY and the install the install might need, a
 * directory the install would no longer run in.
 */
export function manifestFirst(doc: ParsedDockerfile, request: ManifestFirstRequest): { edits: Edit[]; detail: string } | { reason: string } {
  const { stage, sourceCopy, firstUse, copies } = request;
  const spec = copySpec(sourceCopy);
  if (!spec) return { reason: `${instructionSnippet(doc, sourceCopy)} cannot be read` };
  const unknownFlag = sourceCopy.flags.find((f) => !CARRIED_COPY_FLAGS.has(f.name));
  if (unknownFlag) return { reason: `the source ${sourceCopy.keyword} has --${unknownFlag.name}, which the manifest COPY could not reproduce` };
  const destProblem = unusableDestination(spec.dest);
  if (destProblem) return { reason: destProblem };
  const install = stepInstruction(request.step);
  const moved = install ? installText(doc, request.step) : null;
  if (moved && 'reason' in moved) return { reason: moved.reason };
  for (const between of stage.instructions.filter((i) => i.start > sourceCopy.start && i.start < firstUse.start)) {
    const blocker = blockerBetween(doc, between, request, moved?.text ?? ('add' in request.step ? request.step.add : ''));
    if (blocker) return { reason: blocker };
  }

  // the install must run where the manifests land, as it did after the source COPY
  const destDir = copyDestinationDir(doc, stage, sourceCopy);
  const workdirAbove = effectiveWorkdir(doc, stage, sourceCopy);
  const workdirAt = effectiveWorkdir(doc, stage, install ?? firstUse);
  const cdTarget = moved?.cd ?? null;
  const runsIn = cdTarget === null ? workdirAt : resolvePath(workdirAt, cdTarget);
  if (destDir === null || runsIn === null) return { reason: `I cannot tell where ${request.what} runs (a variable or an unknown WORKDIR)` };
  if (runsIn !== destDir) return { reason: `${request.what} runs in ${runsIn}, not in ${destDir} where the source COPY puts the manifests` };
  const cd = workdirAbove === destDir ? '' : `cd ${directoryForm(spec.dest).replace(/(.)\/$/, '$1')} && `;

  const eol = doc.source.eol;
  const indent = indentOf(doc, sourceCopy);
  const at = pasteAbove(doc, sourceCopy);
  const copyFlags = sourceCopy.flags.map((f) => doc.source.text.slice(f.start, f.end)).join(' ');
  const dest = directoryForm(spec.dest);
  const copyLines = copies
    .filter((c) => c.files.length > 0)
    .map((c) => `${indent}${[keyword(doc, 'COPY'), copyFlags, ...c.files, c.dir === '' ? dest : `${dest}${c.dir}/`].filter(Boolean).join(' ')}${eol}`)
    .join('');
  const files = copies.flatMap((c) => c.files).join(' ');
  const step = request.step;

  if ('move' in step) {
    // the RUN's own `cd` still resolves the same way only from the same WORKDIR
    if (workdirAbove !== workdirAt) return { reason: `${instructionSnippet(doc, step.move)} would run in another directory above the source COPY; move it there by hand` };
    const [paste, ...cut] = moveAboveWithBlankLine(doc, step.move, at);
    const edits = [{ start: at, end: at, text: copyLines }, ...(paste ? [paste] : []), ...cut];
    return { edits, detail: `copied ${files} first and moved ${instructionSnippet(doc, step.move)} above the source COPY` };
  }
  const flags = (install ?? firstUse).flags.filter((f) => f.name !== 'mount' || !f.options.some((o) => o.name === 'type' && o.value === 'bind'));
  const runFlags = flags.map((f) => `${doc.source.text.slice(f.start, f.end)} `).join('');
  if ('add' in step) {
    const runLine = `${indent}${keyword(doc, 'RUN')} ${runFlags}${cd}${step.add}${eol}`;
    return { edits: [{ start: at, end: at, text: copyLines + runLine }], detail: `added COPY ${files} and RUN ${cd}${step.add} above the source COPY` };
  }
  if (!moved) return { reason: `${instructionSnippet(doc, step.split)} cannot be split` };
  const prefix = cd !== '' ? cd : moved.cd === null ? '' : `cd ${moved.cd} && `;
  const runLine = `${indent}${keyword(doc, 'RUN')} ${runFlags}${prefix}${moved.text}${eol}`;
  return {
    edits: [{ start: at, end: at, text: copyLines + runLine }, ...moved.edits],
    detail: `moved ${moved.text} from the && chain of ${instructionSnippet(doc, step.split)} into its own RUN above the source COPY`,
  };
}

function stepInstruction(step: InstallStep): Instruction | null {
  return 'move' in step ? step.move : 'split' in step ? step.split : null;
}

/** The text of the commands that move, the `cd` before them, and the edits that take them out of their RUN. */
function installText(doc: ParsedDockerfile, step: InstallStep): { text: string; cd: string | null; edits: Edit[] } | { reason: string } {
  const run = stepInstruction(step);
  if (!run) return { reason: 'nothing moves' };
  const commands = runScript(doc, run).commands;
  const cd = commands[0]?.words[0]?.value === 'cd' && commands[0].words.length === 2 ? commands[0] : null;
  const rest = commands.slice(cd ? 1 : 0);
  const count = 'split' in step ? step.commands : rest.length;
  const moving = rest.slice(0, count);
  const first = moving[0];
  const last = moving.at(-1);
  if (!first || !last) return { reason: `${instructionSnippet(doc, run)} has no command to move` };
  if (!commands.slice(0, (cd ? 1 : 0) + count + 1).every((c, i) => i === 0 || joinedByAnd(doc, commands[i - 1]!.end, c.start))) {
    return { reason: `${instructionSnippet(doc, run)} is not a plain && chain` };
  }
  const text = doc.source.text.slice(first.start, last.end);
  if (!('split' in step)) return { text, cd: cd?.words[1]?.value ?? null, edits: [] };
  if (/[\r\n`]/.test(text) || text.includes(doc.escapeChar)) return { reason: `the install in ${instructionSnippet(doc, run)} spans lines; split it by hand` };
  const next = rest[count] ?? null;
  if (!next) return { reason: `${instructionSnippet(doc, run)} holds only the install` };
  const span = { start: first.start, end: last.end };
  return { text, cd: cd?.words[1]?.value ?? null, edits: removeChainedCommandEdits(doc, span, cd, next) };
}

/**
 * Why an instruction between the source COPY and the install could make an install placed above the
 * COPY differ from the one the build does, or null.
 */
function blockerBetween(doc: ParsedDockerfile, instruction: Instruction, request: ManifestFirstRequest, moved: string): string | null {
  if (NEUTRAL_KEYWORDS.has(instruction.keyword) || instruction.keyword === 'WORKDIR') return null;
  const quoted = instructionSnippet(doc, instruction);
  const moveFirst = `${quoted} sits between the source COPY and ${request.what}, which might need it (move it above the COPY first)`;
  if (instruction.keyword === 'ENV' || instruction.keyword === 'ARG') {
    const names = declaredNames(instruction);
    return names.some((name) => request.env.test(name) || new RegExp(`\\$\\{?${name}\\b`).test(moved)) ? moveFirst : null;
  }
  if (instruction.keyword !== 'RUN') return moveFirst; // COPY, ADD, USER, SHELL, ONBUILD, unknown
  const script = runScript(doc, instruction);
  const other = script.parsed ? script.commands.find((c: ShellCommand) => !FILE_COMMANDS.has(c.words[0]?.value ?? '')) : undefined;
  const named = request.files.exec(logicalBody(doc, instruction).text)?.[0];
  if (script.parsed && !other && named === undefined) return null;
  const what = !script.parsed ? 'cannot be read' : other ? `runs ${other.words[0]?.value ?? 'a command'}` : `names ${named ?? ''}`;
  return `${quoted} ${what} between the source COPY and ${request.what}, which might depend on it: move it above the COPY`;
}
