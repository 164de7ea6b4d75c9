/** A Date subclass whose own methods all lie: only its time value ([[DateValue]]) tells the instant. */
export class LyingDate extends Date {
  override toISOString(): string {
    return 'not a date at all';
  }
  override toJSON(): string {
    return 'not a date at all';
  }
  override getTime(): number {
    return 0;
  }
  override valueOf(): number {
    return 0;
  }
}
