/**
 * `vigil viz [MACHINE] [--format svg|mermaid] [--thumbnail] [-o FILE]`: draws a machine (default: the VRRP
 * instance) as SVG laid out by ELK, or as Mermaid stateDiagram-v2 text, or (`--thumbnail`) as the compact SVG the
 * page's cards show; `vigil viz --config FILE` draws the actor tree that the
 * configuration would create; `vigil viz --list` names the machines of this build. Exit 2 on bad input.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ConfigLoadError, loadConfigFile } from '../config/load.js';
import { actorTree } from '../observe/actor-tree.js';
import { availableMachines, DEFAULT_MACHINE, findEntry, loadMachine, MACHINES } from '../observe/machine-registry.js';
import { renderActorTree, renderMachine, renderThumbnail, type VizFormat } from '../observe/render-machine.js';
import { failer, type Fail } from './fail.js';

interface VizOptions {
  format: string;
  output?: string;
  config?: string;
  configId?: string;
  list?: boolean;
  thumbnail?: boolean;
}

const fail: Fail = failer('viz');

export function registerVizCommand(program: Command): void {
  program
    .command('viz')
    .description('draw a state machine, or the actor tree of a configuration, as SVG or Mermaid')
    .argument('[machine]', `machine to draw (${MACHINES.map((m) => m.name).join(', ')})`, DEFAULT_MACHINE)
    .option('--format <format>', 'svg or mermaid', 'svg')
    .option('-o, --output <file>', 'write to FILE instead of stdout')
    .option('--config <file>', 'draw the actor tree of this keepalived.conf')
    .option('-i, --config-id <id>', 'select @id conditional configuration lines (with --config)')
    .option('--thumbnail', "the compact drawing the page's cards show (SVG): events grouped per edge, self-loops folded")
    .option('--list', 'list the machines of this build')
    .action(async (name: string, options: VizOptions) => {
      if (options.list) {
        for (const m of await availableMachines()) process.stdout.write(`${m.name.padEnd(16)} ${m.description}\n`);
        return;
      }
      const format = options.format as VizFormat;
      if (format !== 'svg' && format !== 'mermaid') fail(`--format: svg or mermaid, not ${options.format}`);
      if (options.thumbnail && (format !== 'svg' || options.config !== undefined)) fail('--thumbnail: a machine, as SVG only');
      let text: string;
      if (options.config !== undefined) {
        try {
          const { config } = loadConfigFile(options.config, { configId: options.configId });
          text = await renderActorTree(actorTree(config, options.config), format);
        } catch (err) {
          if (err instanceof ConfigLoadError) fail(err.message);
          throw err;
        }
      } else {
        const entry = findEntry(name);
        if (!entry) fail(`no machine "${name}"; known: ${MACHINES.map((m) => m.name).join(', ')}`);
        const machine = await loadMachine(entry);
        if (!machine) fail(`the ${entry.name} machine (machines/${entry.file}.ts) is not part of this build`);
        text = options.thumbnail ? await renderThumbnail(machine) : await renderMachine(machine, format);
      }
      if (options.output) writeFileSync(options.output, text);
      else process.stdout.write(text);
    });
}
