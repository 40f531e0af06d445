/**
 * What a local run must undo, in the reverse order it was set up: each step
 * runs once, and a step that fails does not keep the others from running.
 */
export class Teardown {
  private readonly steps: (() => Promise<void> | void)[] = [];

  add(step: () => Promise<void> | void): void {
    this.steps.push(step);
  }

  readonly run = async (): Promise<void> => {
    for (const step of this.steps.splice(0).reverse())
      await Promise.resolve()
        .then(step)
        .catch(() => undefined);
  };
}
