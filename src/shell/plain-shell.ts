/**
 * Whether a RUN is a "plain" script: simple commands joined by `&&`, `||` or `;`, with no control
 * flow, pipes, background jobs, command/process substitution or here-documents. Only such a script
 * can be judged command by command (transforms that move a RUN, or move something across one, need
 * to know everything it does). Also lists the files it redirects to and the variables it expands,
 * which runScript's commands do not carry.
 */
import { forEachChild, parse, type SyntaxNode } from 'unbash';
import type { Instruction, ParsedDockerfile } from '../engine/parse.js';
import { logicalBody, runScript, type ShellCommand } from './shell.js';
import { simpleCommand } from './simple-script.js';

export interface PlainRun {
  readonly commands: readonly ShellCommand[];
  /** Redirection targets other than /dev/null and file-descriptor duplications (`2>&1`), as written. */
  readonly redirects: readonly string[];
  /** Names the script expands (`$NAME`, `${NAME}`, `${NAME:-x}`), quoted or not. */
  readonly expands: ReadonlySet<string>;
}

const CONTROL_FLOW: Readonly<Record<string, string>> = {
  If: 'if', For: 'for', ArithmeticFor: 'for', While: 'while', Select: 'select', Case: 'case',
  Function: 'a function', Subshell: 'a subshell', BraceGroup: 'a { } group', Coproc: 'coproc',
  TestCommand: '[[ ]]', ArithmeticCommand: '(( ))', Redirected: 'a redirected compound command',
};

/** The plain script of a RUN, or why it is not one (a phrase that completes "the RUN ..."). */
export function plainRun(doc: ParsedDockerfile, run: Instruction): PlainRun | { reason: string } {
  const script = runScript(doc, run);
  if (!script.parsed) return { reason: `cannot be read (${script.reason ?? 'opaque'})` };
  const text = logicalBody(doc, run).text;
  // plain words only: no redirection, no expansion, nothing else to find
  if (simpleCommand(text) !== null) return { commands: script.commands, redirects: [], expands: new Set() };
  const ast = parse(text);
  const redirects: string[] = [];
  const expands = new Set<string>();
  let problem: string | null = null;
  const visit = (node: SyntaxNode): void => {
    if (problem !== null) return;
    const control = CONTROL_FLOW[node.type];
    if (control !== undefined) problem = `uses ${control}`;
    else if (node.type === 'Pipeline') problem = 'uses a pipe';
    else if (node.type === 'Statement' && node.background === true) problem = 'starts a background job';
    else if (node.type === 'CommandExpansion' || node.type === 'ArithmeticCommandExpansion') problem = `uses command substitution (${node.text})`;
    else if (node.type === 'ProcessSubstitution') problem = `uses process substitution (${node.text})`;
    else if (node.type === 'HereDoc' || node.type === 'HereString') problem = 'feeds a command a here-document';
    else if (node.type === 'Redirect') {
      const target = node.target?.value ?? '';
      const duplication = (node.operator === '>&' || node.operator === '<&') && /^(\d+|-)$/.test(target);
      if (!duplication && target !== '/dev/null') redirects.push(node.target?.text ?? target);
    } else if (node.type === 'SimpleExpansion') {
      expands.add(node.text.replace(/^\$/, ''));
    } else if (node.type === 'ParameterExpansion') {
      expands.add(node.parameter);
    }
    forEachChild(node, visit);
  };
  visit(ast);
  if (problem !== null) return { reason: problem };
  return { commands: script.commands, redirects, expands };
}
