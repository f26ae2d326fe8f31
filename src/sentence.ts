/** Text without its closing periods and spaces, so it can be embedded in another sentence. */
export function withoutPeriod(text: string): string {
  return text.trim().replace(/[.\s]+$/, '');
}

/** Text as one sentence: exactly one closing period, whatever it ended with (messages nest, periods must not pile up). */
export function asSentence(text: string): string {
  return `${withoutPeriod(text)}.`;
}
