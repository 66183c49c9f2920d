import { z } from 'zod';
import { warmUpZod } from '../../workflows/shared-zod';

// The worker freezes the preloaded zod before any run: a class first built after that would fail the run.
test('the zod warm-up builds one of every class zod exports', () => {
  const built = new Set(warmUpZod().map((made) => made._zod.constr));
  const classes = Object.values(z as Record<string, unknown>).filter(
    (value): value is { name: string } => typeof value === 'function' && 'init' in value,
  );
  expect(classes.length).toBeGreaterThan(70);
  expect(classes.filter((made) => !built.has(made)).map((made) => made.name)).toEqual([]);
});
