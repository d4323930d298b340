/** The error `fn` throws, which must be a `Kind`; anything else fails the test. */
export function thrownBy<E extends Error>(
  fn: () => unknown,
  Kind: abstract new (...args: never[]) => E,
): E {
  try {
    fn();
  } catch (err) {
    if (err instanceof Kind) return err;
    throw err;
  }
  throw new Error(`expected a ${Kind.name}`);
}
