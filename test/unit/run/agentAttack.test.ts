/**
 * The agent's tool loop under attack (issue #11): hostile answers come from the loopback fake server through
 * the real SDK; hostile workspace contents are made in a temp folder. Every attack must end as a tool error
 * the model reads, never as a thrown exception, a hang, or a write outside the task's own staged files.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startRun } from '../../../src/core/run';
import type { RunEvent } from '../../../src/core/run/events';
import { applyEvents } from '../../../src/protocol/reducer';
import { emptyViewState } from '../../../src/protocol/viewState';
import { runAgent, type AgentEvent } from '../../../src/core/run/agent';
import { DEFAULT_STAGING_LIMITS, StagingArea, type StagingLimits } from '../../../src/core/run/staging';
import { FakeModelServer, type FakeReply, type RecordedRequest } from '../../fixtures/fake-servers';
import { modelFor } from '../models/helpers';
import { validPlan } from '../plan/helpers';
import { FakeModel } from './fakeModel';
import { tempDirs } from './tmp';

/** The tool messages of the last request: what the model was told about its previous answer. */
function toolResults(req: RecordedRequest): Array<{ id: string; content: string }> {
  const messages = (req.body as { messages: Array<{ role: string; tool_call_id?: string; content?: unknown }> }).messages;
  return messages.filter((m) => m.role === 'tool').map((m) => ({ id: String(m.tool_call_id), content: String(m.content) }));
}

function calls(list: Array<{ name: string; arguments: unknown }>, extra: Partial<Extract<FakeReply, { kind: 'message' }>> = {}): FakeReply {
  return { kind: 'message', toolCalls: list.map((c, i) => ({ id: `call_${i}`, ...c })), ...extra };
}

const finish = calls([{ name: 'finish', arguments: { summary: 'done' } }]);

describe('run/agent: hostile answers and workspaces', function () {
  this.timeout(20_000);
  const tmp = tempDirs();
  let server: FakeModelServer;
  before(async () => {
    server = await FakeModelServer.start();
  });
  after(() => server.close());
  afterEach(() => {
    server.reset();
    tmp.cleanup();
  });

  async function run(ws: string, owned: string[], replies: FakeReply[], opts: { stream?: boolean; ac?: AbortController; limits?: Partial<StagingLimits> } = {}) {
    server.enqueue(...replies);
    const events: AgentEvent[] = [];
    const area = new StagingArea(ws, { ...DEFAULT_STAGING_LIMITS, ...opts.limits });
    const layer = area.openLayer('t1', owned, []);
    const { model } = modelFor(server, 'openai-compatible', opts.stream ?? false);
    const result = await runAgent({ model, layer, firstMessage: 'Task t1: Attack', signal: (opts.ac ?? new AbortController()).signal, maxTurns: 4, onEvent: (e) => events.push(e) });
    return { result, events, layer, area };
  }

  it('tool names that are Object.prototype members (constructor, __proto__, toString, hasOwnProperty) are unknown tools, answered with a tool error', async () => {
    const ws = tmp.make();
    const names = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'x'.repeat(5000)];
    const { result, events } = await run(ws, [], [calls(names.map((name) => ({ name, arguments: {} }))), finish]);
    assert.deepEqual(result, { ok: true, summary: 'done', turns: 2 });
    const told = toolResults(server.requests[1]);
    assert.equal(told.length, names.length);
    for (const t of told) assert.match(t.content, /^error: unknown tool "/);
    // event names stay bounded whatever the model sends
    for (const e of events) if (e.type === 'tool') assert.ok(e.tool.length <= 65, e.tool.slice(0, 80));
  });

  it('a FIFO, a socket, a symlink loop, a 4000-character path, an unreadable file and a hard link to .env are tool errors, and the task still finishes', async function () {
    if (process.platform === 'win32') this.skip();
    const ws = tmp.make();
    writeFileSync(path.join(ws, '.env'), 'SECRET=hunter2\n');
    execFileSync('mkfifo', [path.join(ws, 'pipe')]);
    execFileSync('ln', [path.join(ws, '.env'), path.join(ws, 'innocent.txt')]);
    execFileSync('ln', ['-s', 'loop-b', path.join(ws, 'loop-a')]);
    execFileSync('ln', ['-s', 'loop-a', path.join(ws, 'loop-b')]);
    writeFileSync(path.join(ws, 'locked.txt'), 'no\n', { mode: 0o000 });
    mkdirSync(path.join(ws, 'closed'), { mode: 0o000 });
    // a Unix socket in the workspace (a language server or a database left it there)
    const net = await import('node:net');
    const sock = net.createServer().listen(path.join(ws, 'sock'));
    await new Promise((r) => sock.once('listening', r));
    // a character device (/dev/zero's numbers) where the OS lets us make one: reading it whole never ends
    let device = false;
    try {
      execFileSync('mknod', [path.join(ws, 'zero'), 'c', '1', '5'], { stdio: 'ignore' });
      device = true;
    } catch {
      // not root, or no CAP_MKNOD: the FIFO and socket cases stand for special files
    }
    try {
      const reads = ['pipe', 'sock', 'loop-a', `${'d/'.repeat(2000)}x`, 'locked.txt', 'closed/x.txt', 'innocent.txt', ...(device ? ['zero'] : [])];
      const ac = new AbortController();
      const { result, events } = await run(ws, ['pipe', 'innocent.txt', 'closed/x.txt'], [
        calls([...reads.map((p) => ({ name: 'read_file', arguments: { path: p } })), { name: 'write_file', arguments: { path: 'pipe', content: 'x' } }, { name: 'write_file', arguments: { path: 'innocent.txt', content: 'x' } }]),
        finish,
      ], { ac });
      assert.deepEqual(result, { ok: true, summary: 'done', turns: 2 });
      const told = toolResults(server.requests[1]);
      assert.equal(told.length, reads.length + 2);
      // root reads anything: the permission cases hold only where the OS enforces them
      const root = process.getuid?.() === 0;
      for (const [i, t] of told.entries()) if (!(root && (reads[i] === 'locked.txt' || reads[i] === 'closed/x.txt'))) assert.match(t.content, /^error: /, t.content.slice(0, 200));
      const text = told.map((t) => t.content).join('\n');
      assert.match(text, /pipe is a FIFO/);
      assert.match(text, /sock is a socket/);
      assert.match(text, /loop-a cannot be resolved \(ELOOP\)/);
      assert.match(text, /longer than the limit of 1024/);
      // every event stays within what the views accept (paths of at most 1024 characters)
      for (const e of events) if ((e.type === 'tool' || e.type === 'refused') && e.path !== undefined) assert.ok(e.path.length <= 1024, `${e.type} path of ${e.path.length}`);
      assert.match(text, /innocent\.txt has 2 hard links/);
      if (device) assert.match(text, /zero is a device, not a regular file/);
      assert.doesNotMatch(text, /hunter2/);
      if (!root) {
        assert.match(text, /locked\.txt cannot be opened \(EACCES\)/);
        assert.match(text, /closed\/x\.txt (cannot be resolved|cannot be opened) \(EACCES\)/);
      }
    } finally {
      sock.close();
    }
  });

  it('read_file of a file over the read cap shows its head with a note, never the whole file', async () => {
    const ws = tmp.make();
    const line = `${'y'.repeat(99)}\n`;
    writeFileSync(path.join(ws, 'big.log'), line.repeat(30_000)); // 3 MB, over the 1 MB cap
    writeFileSync(path.join(ws, 'blob.bin'), Buffer.alloc(4096, 0));
    const { result } = await run(ws, [], [calls([{ name: 'read_file', arguments: { path: 'big.log' } }, { name: 'read_file', arguments: { path: 'blob.bin' } }]), finish]);
    assert.equal(result.ok, true);
    const [big, bin] = toolResults(server.requests[1]);
    assert.ok(big.content.length < (1 << 20) + 200, `${big.content.length} characters returned`);
    assert.match(big.content, /\[read_file: showed the first 1048500 of 3000000 bytes; the file is larger than the read cap of 1048576 bytes\]$/);
    assert.match(bin.content, /^error: blob\.bin is a binary file/);
  });

  it('a write_file after finish in the same answer is not executed, and the model is told why', async () => {
    const ws = tmp.make();
    const { result, events, layer } = await run(ws, ['a.txt', 'b.txt'], [
      calls([
        { name: 'write_file', arguments: { path: 'a.txt', content: 'before\n' } },
        { name: 'finish', arguments: { summary: 'done' } },
        { name: 'write_file', arguments: { path: 'b.txt', content: 'after finish\n' } },
      ]),
    ]);
    assert.deepEqual(result, { ok: true, summary: 'done', turns: 1 });
    assert.deepEqual([...layer.own.keys()], ['a.txt']);
    assert.ok(!events.some((e) => e.type === 'staged' && e.path === 'b.txt'));
    assert.ok(events.some((e) => e.type === 'tool' && e.tool === 'write_file' && e.error === 'not executed: it came after finish'));
    assert.equal(existsSync(path.join(ws, 'b.txt')), false);
  });

  it('a stream dropped mid-answer and retried emits reset with the length of the text to discard', async () => {
    const ws = tmp.make();
    const { result, events } = await run(ws, [], [
      { kind: 'message', text: 'PARTIAL-TEXT-THAT-MUST-GO '.repeat(4), chunkSize: 8, dropAfterChunks: 6 },
      { kind: 'message', text: 'clean answer', toolCalls: [{ id: 'c1', name: 'finish', arguments: { summary: 'done' } }] },
    ], { stream: true });
    assert.equal(result.ok, true);
    const i = events.findIndex((e) => e.type === 'reset');
    assert.ok(i > 0, 'a reset event');
    const before = events.slice(0, i).flatMap((e) => (e.type === 'text' ? [e.delta] : [])).join('');
    const reset = events[i] as Extract<AgentEvent, { type: 'reset' }>;
    assert.ok(before.length > 0);
    assert.equal(reset.discard, before.length, 'discards exactly the text streamed before the retry');
    const after = events.slice(i + 1).flatMap((e) => (e.type === 'text' ? [e.delta] : [])).join('');
    assert.equal(after, 'clean answer');
  });

  it('absolute paths in every form are refused, never stripped to a relative one', async () => {
    const ws = tmp.make();
    const owned = ['etc/passwd', 'Windows/x', 'server/share/x', 'x', 'etc/hosts'];
    const evil = ['/etc/passwd', 'C:\\Windows\\x', 'C:/Windows/x', 'c:x', '\\\\server\\share\\x', '//server/share/x', '\\\\?\\C:\\x', 'file:///etc/passwd', 'file://localhost/etc/hosts', '~/x', '~'];
    const { result, layer } = await run(ws, owned, [calls(evil.flatMap((p) => [{ name: 'write_file', arguments: { path: p, content: 'evil' } }, { name: 'read_file', arguments: { path: p } }])), finish]);
    assert.equal(result.ok, true);
    const told = toolResults(server.requests[1]);
    assert.equal(told.length, evil.length * 2);
    for (const [i, t] of told.entries()) assert.match(t.content, /^error: .*(is absolute|is a URL|names the home folder)/, `${evil[i >> 1]}: ${t.content}`);
    assert.equal(layer.own.size, 0);
  });

  it('protected paths are refused at write time in any spelling (case, ./ segments, backslashes, trailing dots)', async () => {
    const ws = tmp.make();
    const evil = ['.VSCode/settings.json', '.vscode/./settings.json', '.vscode\\tasks.json', 'a/../.vscode/settings.json', '.git/hooks/pre-commit', '.GIT/config', '.github/workflows/ci.yml', 'x.code-workspace', '.env', '.agensflow/policy.json', '.mcp.json', '.cursor/mcp.json', '.agensflowignore', '.git./config'];
    // The task "owns" them all: only the protected rule stands between the model and the file.
    const { result, layer, events } = await run(ws, evil, [calls(evil.map((p) => ({ name: 'write_file', arguments: { path: p, content: 'evil' } }))), finish]);
    assert.equal(result.ok, true);
    const told = toolResults(server.requests[1]);
    for (const [i, t] of told.entries()) assert.match(t.content, /^error: .*(protected|invalid|outside the workspace)/i, `${evil[i]}: ${t.content}`);
    assert.equal(layer.own.size, 0);
    assert.equal(events.filter((e) => e.type === 'refused').length, evil.length);
  });

  it('odd names (CON, nul.txt, trailing dot or space, NUL byte, newline, 4096 characters, case twins) are refused with a clear error and nothing is staged', async () => {
    const ws = tmp.make();
    writeFileSync(path.join(ws, 'README.md'), 'hi\n');
    const odd = ['CON', 'sub/nul.txt', 'Aux.py', 'com1', 'name.', 'name ', 'a\0b', 'line\nbreak.txt', 'tab\t.txt', 'x'.repeat(4096), `${'n'.repeat(300)}.txt`, 'a/b:c.txt', 'q?.txt', 'readme.md', 'Src/A.py', 'src/a.py'];
    const { result, layer } = await run(ws, odd, [
      calls(odd.map((p) => ({ name: 'write_file', arguments: { path: p, content: 'x' } }))),
      finish,
    ]);
    assert.equal(result.ok, true);
    const told = toolResults(server.requests[1]).map((t) => t.content);
    const expect = [/reserved device name/, /reserved device name/, /reserved device name/, /reserved device name/, /ends with a dot or a space/, /ends with a dot or a space/, /NUL character/, /control character/, /control character/, /longer than the limit of 1024/, /longer than 255 bytes/, /< > : " \| \? \*/, /< > : " \| \? \*/, /readme\.md differs only by case from README\.md/];
    for (const [i, re] of expect.entries()) assert.match(told[i], re, `${JSON.stringify(odd[i]).slice(0, 60)}: ${told[i].slice(0, 200)}`);
    // Src/A.py is the first of its pair and is staged; its case twin src/a.py is then refused
    assert.match(told[14], /^ok: /);
    assert.match(told[15], /src\/a\.py differs only by case from Src\/A\.py/);
    assert.deepEqual([...layer.own.keys()], ['Src/A.py']);
  });

  it('caps: a 2M-character body and a task writing more files than allowed are refused naming the limit; deeply nested arguments are a tool error', async () => {
    const ws = tmp.make();
    // (the model layer caps tool calls per answer at 128: the files cap is shown at 20 here; its default is 500)
    assert.equal(DEFAULT_STAGING_LIMITS.maxTaskFiles, 500);
    const many = Array.from({ length: 25 }, (_, i) => `gen/f${i}.txt`);
    const nested = `{"path":"a.txt","content":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const { result, layer } = await run(ws, ['big.txt', 'a.txt', ...many], [
      { kind: 'message', toolCalls: [{ id: 'c0', name: 'write_file', arguments: { path: 'big.txt', content: 'z'.repeat(2_000_000) } }, { id: 'c1', name: 'write_file', rawArguments: nested }] },
      calls(many.map((p) => ({ name: 'write_file', arguments: { path: p, content: 'x' } }))),
      finish,
    ], { limits: { maxTaskFiles: 20 } });
    assert.equal(result.ok, true);
    const [big, deep] = toolResults(server.requests[1]);
    assert.match(big.content, /^error: big\.txt: the content \(2000000 characters\) exceeds the per-file cap of 1048576 bytes/);
    assert.match(deep.content, /^error: invalid arguments for write_file/);
    const second = toolResults(server.requests[2]).slice(2);
    assert.equal(second.filter((t) => t.content.startsWith('ok: ')).length, 20);
    assert.match(second[20].content, /the cap of files per task \(maxTaskFiles 20\)/);
    assert.equal(layer.own.size, 20);
  });
});

describe('run/staging: large and multi-root workspaces', () => {
  const tmp = tempDirs();
  afterEach(() => tmp.cleanup());

  it('W10: list_files stays bounded in a workspace of more files than its cap and says it was cut short', async () => {
    const ws = tmp.make();
    mkdirSync(path.join(ws, 'src'));
    for (let i = 0; i < 400; i++) writeFileSync(path.join(ws, 'src', `f${String(i).padStart(4, '0')}.txt`), '');
    mkdirSync(path.join(ws, 'node_modules', 'pkg'), { recursive: true });
    writeFileSync(path.join(ws, 'node_modules', 'pkg', 'index.js'), '');
    const layer = new StagingArea(ws, { ...DEFAULT_STAGING_LIMITS, maxListEntries: 100 }).openLayer('t1', [], []);
    const r = await layer.list('');
    assert.ok(r.ok);
    assert.equal(r.value.files.length, 100);
    assert.equal(r.value.truncated, true);
    assert.ok(!r.value.files.some((f) => f.startsWith('node_modules/')));
  });

  it('W11: a path resolving into a sibling folder of the task root (by .. or by a symlink) is refused for reads and writes', async function () {
    if (process.platform === 'win32') this.skip();
    const parent = tmp.make();
    const a = path.join(parent, 'folderA');
    const b = path.join(parent, 'folderB');
    mkdirSync(a);
    mkdirSync(b);
    writeFileSync(path.join(b, 'x.txt'), 'B\n');
    execFileSync('ln', ['-s', b, path.join(a, 'toB')]);
    execFileSync('ln', ['-s', '../folderB/x.txt', path.join(a, 'x.txt')]);
    const layer = new StagingArea(a).openLayer('t1', ['toB/x.txt', 'x.txt', 'toB/new.txt'], []);
    for (const p of ['../folderB/x.txt', 'toB/x.txt', 'x.txt']) {
      const r = await layer.read(p);
      assert.equal(r.ok, false, p);
    }
    for (const p of ['../folderB/x.txt', 'toB/x.txt', 'x.txt', 'toB/new.txt']) {
      const r = await layer.stage(p, 'evil');
      assert.equal(r.ok, false, p);
      assert.match(!r.ok ? r.error : '', /outside the workspace/);
    }
    assert.equal(layer.own.size, 0);
    assert.equal(existsSync(path.join(b, 'new.txt')), false);
  });
});

describe('run events: a model call that restarts mid-stream', function () {
  this.timeout(30_000);
  const tmp = tempDirs();
  let server: FakeModelServer;
  afterEach(async () => {
    await server?.close();
    tmp.cleanup();
  });

  it('the run emits agent.reset and the views keep only the retried answer\'s text', async () => {
    let agentCalls = 0;
    server = await FakeModelServer.start({
      handler: (req) => {
        if (req.forcedTool === 'submit_verdict') return { kind: 'message', toolCalls: [{ name: 'submit_verdict', arguments: { pass: true, reasons: ['ok'] } }] };
        agentCalls++;
        if (agentCalls === 1) return { kind: 'message', text: 'GARBLED-PARTIAL '.repeat(6), chunkSize: 8, dropAfterChunks: 5 };
        if (agentCalls === 2) return { kind: 'message', text: 'Writing a.txt. ', toolCalls: [{ name: 'write_file', arguments: { path: 'a.txt', content: 'a\n' } }] };
        return { kind: 'message', text: 'Done.', toolCalls: [{ name: 'finish', arguments: { summary: 'done' } }] };
      },
    });
    const { model } = modelFor(server, 'openai-compatible', true);
    const events: RunEvent[] = [];
    const plan = validPlan({ goal: 'g', tasks: [{ id: 'a', title: 'A', objective: 'write a.txt', role: 'developer', deps: [], acceptance: [], files: ['a.txt'] }] });
    const out = await startRun({ dir: tmp.make('af-ws-'), stateDir: tmp.make('af-state-'), plan, model, onEvent: (e) => events.push(e) });
    assert.equal(out.exitCode, 0);
    const reset = events.find((e) => e.type === 'agent.reset');
    assert.ok(reset && reset.type === 'agent.reset' && reset.taskId === 'a' && reset.discard > 0 && /retrying/.test(reset.reason));
    const view = applyEvents(emptyViewState(), events);
    assert.equal(view.tasks.a.log, 'Writing a.txt. Done.');
  });
});

describe('run: the run\'s own state inside the workspace', () => {
  const tmp = tempDirs();
  afterEach(() => tmp.cleanup());

  it('M10: a plan that gives a task the state folder\'s files (journal, policy) or a reserved config file gets every such write refused', async () => {
    const dir = tmp.make('af-ws-');
    const stateDir = path.join(dir, 'af-state');
    writeFileSync(path.join(dir, 'agensflow.json'), '{"testCommand":["true"]}\n');
    const files = ['af-state/policy.json', 'af-state/runs/evil.json', 'agensflow.json', 'ok.txt'];
    const plan = validPlan({ goal: 'g', tasks: [{ id: 'a', title: 'A', objective: 'o', role: 'developer', deps: [], acceptance: [], files }] });
    const events: RunEvent[] = [];
    const out = await startRun({ dir, stateDir, plan, model: new FakeModel(), apply: 'auto', reserved: [path.join(dir, 'agensflow.json')], onEvent: (e) => events.push(e) });
    const refused = [...new Set(events.flatMap((e) => (e.type === 'write.refused' ? [e.path] : [])))].sort();
    assert.deepEqual(refused, ['af-state/policy.json', 'af-state/runs/evil.json', 'agensflow.json']);
    for (const e of events) if (e.type === 'write.refused') assert.match(e.reason, /the run's own state or configuration/);
    assert.equal(existsSync(path.join(stateDir, 'policy.json')), false);
    assert.equal(existsSync(path.join(stateDir, 'runs', 'evil.json')), false);
    assert.equal(readFileSync(path.join(dir, 'agensflow.json'), 'utf8'), '{"testCommand":["true"]}\n');
    // the task cannot write files it was given: it does not pass, and nothing of it is applied
    assert.equal(out.record.tasks.a.status, 'failed');
    assert.equal(existsSync(path.join(dir, 'ok.txt')), false);
  });
});
