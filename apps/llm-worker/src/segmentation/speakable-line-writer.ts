/** Before a table cell that follows text already ending in punctuation, a space is pause enough. */
const ENDS_IN_PUNCTUATION = /^[.,;:!?…]$/;

/** Spoken between table cells in place of the pipe: a comma gives the listener the pause a column does. */
const CELL_SEPARATOR = ', ';

/**
 * The output side of the markdown filter: collects the speakable text of the current line, folds
 * runs of spaces, turns table pipes into cell separators and hides an image's alt text. It only
 * ever appends, so what it has written can be passed on at once.
 */
export class SpeakableLineWriter {
  private out = '';
  /** The last character written on this line, '' at the start of a line. */
  private last = '';
  private tableRow = false;
  private cellBreak = false;
  private heldSpace = false;
  private inImage = false;

  /** Returns what was written since the last call and forgets it (line state is kept). */
  take(): string {
    const text = this.out;
    this.out = '';
    return text;
  }

  reset(): void {
    this.out = '';
    this.startLine();
  }

  /** The character before the current position as the reader sees it ('' at a line start). */
  previous(): string {
    return this.heldSpace ? ' ' : this.last;
  }

  text(text: string): void {
    if (this.inImage) return;
    if (this.cellBreak) this.append(ENDS_IN_PUNCTUATION.test(this.last) ? ' ' : CELL_SEPARATOR);
    else if (this.heldSpace) this.append(' ');
    this.cellBreak = this.heldSpace = false;
    this.append(text);
  }

  /** Spaces are folded and dropped at a line start; in a table row they wait to see if a pipe follows. */
  space(): void {
    if (this.inImage) return;
    if (this.tableRow) this.heldSpace = this.last !== '';
    else if (this.last !== '' && this.last !== ' ') this.append(' ');
  }

  /** A line that starts with "|" is a table row and its pipes separate cells; elsewhere a pipe is dropped. */
  pipe(): void {
    if (this.last === '' && !this.tableRow) this.tableRow = true;
    else if (this.tableRow && this.last !== '') this.cellBreak = true;
  }

  /** An image's alt text (between "![" and "]") describes a picture the caller cannot see: not spoken. */
  imageStart(): void {
    this.inImage = true;
  }

  /** Ends an image's alt text; returns whether one was open. */
  imageEnd(): boolean {
    const was = this.inImage;
    this.inImage = false;
    return was;
  }

  newline(): void {
    this.append('\n');
    this.startLine();
  }

  private startLine(): void {
    this.last = '';
    this.tableRow = this.cellBreak = this.heldSpace = this.inImage = false;
  }

  private append(text: string): void {
    this.out += text;
    this.last = text[text.length - 1];
  }
}
