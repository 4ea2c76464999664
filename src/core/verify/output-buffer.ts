/**
 * A bounded output collector that keeps the tail: compiler errors are usually at the end, and a process
 * that prints a gigabyte must not take a gigabyte of memory.
 */
export class TailBuffer {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private dropped = 0;

  constructor(private readonly capBytes: number) {}

  /** Appends a chunk, discarding the oldest bytes beyond the cap. */
  push(chunk: Buffer): void {
    if (chunk.length >= this.capBytes) {
      this.dropped += this.kept + chunk.length - this.capBytes;
      this.chunks.length = 0;
      this.chunks.push(chunk.subarray(chunk.length - this.capBytes));
      this.kept = this.capBytes;
      return;
    }
    this.chunks.push(chunk);
    this.kept += chunk.length;
    while (this.kept > this.capBytes) {
      const first = this.chunks[0]!;
      const excess = this.kept - this.capBytes;
      if (first.length <= excess) {
        this.chunks.shift();
        this.kept -= first.length;
        this.dropped += first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.kept -= excess;
        this.dropped += excess;
      }
    }
  }

  /** Number of bytes discarded from the head. */
  get droppedBytes(): number {
    return this.dropped;
  }

  /** The kept tail as text (invalid UTF-8 replaced), preceded by a marker when bytes were dropped. */
  toString(): string {
    const text = Buffer.concat(this.chunks, this.kept).toString('utf8');
    return this.dropped > 0 ? `[... ${this.dropped} bytes of output omitted ...]\n${text}` : text;
  }
}
