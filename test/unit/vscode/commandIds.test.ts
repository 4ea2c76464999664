import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { COMMANDS } from '../../../src/vscode/commands/commandIds';

const ROOT = path.resolve(__dirname, '../../..');

interface Manifest {
  contributes: {
    commands: { command: string }[];
    menus: Record<string, { command?: string }[]>;
    keybindings?: { command: string }[];
  };
}

const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Manifest;
const table = new Set<string>(Object.values(COMMANDS));

/** `command:agensflow.x` links in package.json (walkthroughs, setting descriptions) and media/**.md. */
function commandLinks(): string[] {
  const texts = [JSON.stringify(pkg)];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(dir, e.name));
      else if (e.name.endsWith('.md')) texts.push(readFileSync(path.join(dir, e.name), 'utf8'));
    }
  };
  walk(path.join(ROOT, 'media'));
  return texts.flatMap((t) => [...t.matchAll(/command:(agensflow\.[A-Za-z]+)/g)].map((m) => m[1]));
}

describe('vscode: command ids (commands/commandIds.ts)', () => {
  it('the table holds exactly the commands package.json contributes', () => {
    const contributed = pkg.contributes.commands.map((c) => c.command);
    assert.equal(new Set(contributed).size, contributed.length, 'a command is contributed twice');
    assert.deepEqual([...table].sort(), [...contributed].sort());
    assert.equal(table.size, Object.keys(COMMANDS).length, 'two names share an id');
  });

  it('menus, key bindings and command links name only commands in the table', () => {
    const menus = Object.entries(pkg.contributes.menus).flatMap(([where, items]) => items.flatMap((i) => (i.command ? [[where, i.command]] : [])));
    const keys = (pkg.contributes.keybindings ?? []).map((k) => ['keybindings', k.command]);
    const links = commandLinks().map((c) => ['command link', c]);
    assert.ok(menus.length > 0 && links.length > 0, 'nothing to check: did the manifest move?');
    for (const [where, id] of [...menus, ...keys, ...links]) assert.ok(table.has(id), `${where} names ${id}, which is not in COMMANDS`);
  });
});
