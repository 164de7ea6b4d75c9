/**
 * An AbortSignal that fires on the first SIGINT or SIGTERM, for commands that shut down cleanly (`dev` closes its
 * server, `send` writes its failures). The handlers are removed after the first signal, so a second Ctrl-C gets
 * Node's default and ends the process at once if the clean shutdown hangs.
 */
export function interruptSignal(): { readonly signal: AbortSignal; readonly dispose: () => void } {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals): void => {
    dispose();
    controller.abort(new Error(`interrupted by ${name}`));
  };
  const dispose = (): void => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return { signal: controller.signal, dispose };
}
