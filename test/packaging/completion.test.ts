/** The bash completion made from the commander program: every command in it, and bash completing with it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allCommands, cliTree, vigilProgram } from '../../packaging/cli-tree.js';
import { bashCompletion } from '../../packaging/completion.js';
import { onPath } from './tools.js';

const tree = cliTree(await vigilProgram());
const script = bashCompletion(tree);

test('the script knows every command and every option of the program', () => {
  for (const command of allCommands(tree)) {
    assert.ok(script.includes(`"${command.path.join(' ')}")`), `${command.path.join(' ')} is not in the script`);
    for (const option of command.options) {
      for (const name of [option.short, option.long]) if (name !== undefined) assert.ok(script.includes(name), `${name} is not in the script`);
    }
  }
});

/** What bash offers for the words typed so far (the last one being completed), in a directory of given files. */
function complete(words: readonly string[], files: readonly string[] = []): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-completion-'));
  try {
    mkdirSync(join(dir, 'work'));
    for (const f of files) writeFileSync(join(dir, 'work', f), '');
    writeFileSync(join(dir, 'vigil.bash'), script);
    const array = words.map((w) => `'${w}'`).join(' ');
    const program = `source ${join(dir, 'vigil.bash')}; cd ${join(dir, 'work')}; COMP_WORDS=(${array}); COMP_CWORD=${words.length - 1}; _vigil; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const out = spawnSync('bash', ['--norc', '--noprofile', '-c', program], { encoding: 'utf8' });
    assert.equal(out.status, 0, out.stderr);
    return out.stdout.split('\n').filter((l) => l !== '').sort();
  }
  finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const noBash = onPath('bash') ? false : 'bash is not installed';

test('bash completes commands, subcommands, options and file values', { skip: noBash }, () => {
  assert.deepEqual(complete(['vigil', 'con']), ['config']);
  assert.deepEqual(complete(['vigil', 'config', '']), ['dump', 'test']);
  assert.deepEqual(complete(['vigil', 'run', '--st']), ['--status-socket', '--status-socket-mode', '--strict']);
  assert.deepEqual(complete(['vigil', 'config', 'test', '--no']), ['--no-host-checks', '--no-interfaces']);
  // After an option's value, the command's options still follow.
  assert.deepEqual(complete(['vigil', 'run', '-f', 'a.conf', '--secure']), ['--secure-config']);
  assert.deepEqual(complete(['vigil', 'run', '-f', 'k'], ['keepalived.conf', 'other.conf']), ['keepalived.conf']);
  assert.deepEqual(complete(['vigil', 'sim', 'two'], ['two-node.json', 'lb.conf']), ['two-node.json']);
  assert.deepEqual(complete(['vigil', 'sim', '--seed', '']), []);
});
