/**
 * Follows the nesting of JSON text fed line by line (strings and escapes included), so a pretty-printed document
 * — `kubectl get pods -o json` writes one over many lines — can be told apart from one JSON value per line.
 */
export class JsonDepth {
  private depth = 0;
  private inString = false;
  private escaped = false;

  /** Feeds one line (its newline excluded) and returns the depth of nesting at its end. */
  feed(line: string): number {
    for (let i = 0; i < line.length; i++) {
      const c = line.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 0x5c) this.escaped = true;
        else if (c === 0x22) this.inString = false;
      } else if (c === 0x22) {
        this.inString = true;
      } else if (c === 0x7b || c === 0x5b) {
        this.depth++;
      } else if (c === 0x7d || c === 0x5d) {
        this.depth--;
      }
    }
    return this.depth;
  }
}
