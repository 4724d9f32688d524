/** The message of a failed activity or child as the workflow sees it: the cause's, when there is one. */
export function failureMessage(err: unknown): string {
  const e = err as { cause?: { message?: string }; message?: string };
  return e.cause?.message ?? e.message ?? String(err);
}
