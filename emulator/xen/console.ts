// The guest console: bytes written to the debug port (0xE9), strings passed through port 0xEA, and lines printed by host code (stubs, trap
// messages) are collected line by line so tests and the CLI can assert on them.

export const CONSOLE_PORT = 0xe9;
/** A whole string in one exit: `out` to this port with the address in RDI and the length in RSI. */
export const CONSOLE_BUFFER_PORT = 0xea;

export class Console {
  readonly lines: string[] = [];
  private partial = '';
  private listeners: ((line: string) => void)[] = [];

  putByte(b: number): void {
    if (b === 0x0a) this.emit(this.partial), (this.partial = '');
    else if (b !== 0x0d) this.partial += String.fromCharCode(b);
  }

  /** A complete line from the host side (e.g. Xen's WARN message printed by the trap handler). */
  print(text: string): void {
    for (const l of text.split('\n')) this.emit(l);
  }

  write(text: string): void {
    for (let i = 0; i < text.length; i++) this.putByte(text.charCodeAt(i) & 0xff);
  }

  onLine(fn: (line: string) => void): () => void {
    this.listeners.push(fn);
    return () => (this.listeners = this.listeners.filter((l) => l !== fn));
  }

  /** Lines printed since the last drain. */
  drain(): string[] {
    return this.lines.splice(0, this.lines.length);
  }

  private emit(line: string): void {
    this.lines.push(line);
    for (const l of this.listeners) l(line);
  }
}
