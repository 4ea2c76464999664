/**
 * A check of an SSE stream's JSON before the SDK parses it. The Anthropic SDK writes an event it cannot
 * parse to `console.error` (whatever the client's log level), which would put raw model output on the CLI's
 * stderr, past its sanitiser, and in the extension host's console. Fed the raw bytes, this finds such an
 * event first, so the stream is stopped with our own error and the SDK never sees it.
 */

/** Events whose `data` the Anthropic SDK JSON-parses (it skips the others). */
export const ANTHROPIC_PARSED_EVENTS: ReadonlySet<string> = new Set([
  'message_start',
  'message_delta',
  'message_stop',
  'content_block_start',
  'content_block_delta',
  'content_block_stop',
  'completion',
]);

export class SseJsonCheck {
  private readonly decoder = new TextDecoder();
  private line = '';
  private event = '';
  private data: string[] = [];
  /** The first problem found, if any. */
  problem: string | undefined;

  constructor(private readonly parsed: ReadonlySet<string>) {}

  /** Feeds raw bytes; false once an event the SDK would parse is not JSON. */
  push(chunk: Uint8Array): boolean {
    const text = this.line + this.decoder.decode(chunk, { stream: true });
    const lines = text.split(/\r\n|\r|\n/);
    this.line = lines.pop() ?? '';
    for (const l of lines) if (!this.take(l)) return false;
    return true;
  }

  private take(line: string): boolean {
    if (line === '') {
      const ok = this.dispatch();
      this.event = '';
      this.data = [];
      return ok;
    }
    if (line.startsWith(':')) return true;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
    return true;
  }

  private dispatch(): boolean {
    if (this.data.length === 0 || !this.parsed.has(this.event)) return true;
    try {
      JSON.parse(this.data.join('\n'));
      return true;
    } catch (e) {
      this.problem = `event ${this.event}: ${(e as Error).message}`;
      return false;
    }
  }
}
