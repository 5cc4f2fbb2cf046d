/** Arguments become a command's input through its zod schema; the first issue is a VALIDATION failure naming the field. */
import type { z } from 'zod';
import { validation } from '../domain/errors.js';
import { refuse } from './refusals.js';
import { inspectArgument } from './schema-text.js';

export function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  // Unsafe text and unbounded nesting are refused before the schema walks the argument.
  const unsafe = inspectArgument(input);
  if (unsafe) refuse(validation(unsafe.field, `${unsafe.field}: ${unsafe.message}`));
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.flatMap((issue) => {
    const at = issue.path.map(String);
    // An argument the command does not know is named itself, so the caller sees which one to drop.
    if (issue.code === 'unrecognized_keys')
      return issue.keys.map((key) => ({
        field: [...at, key].join('.'),
        message: 'is not an argument of this tool; remove it',
      }));
    return [{ field: at.join('.') || '(input)', message: issue.message }];
  });
  const first = issues[0] ?? { field: '(input)', message: 'invalid input' };
  return refuse(
    validation(first.field, `${first.field}: ${first.message}`, {
      issues,
      nextStep: `Correct ${[...new Set(issues.map((issue) => issue.field))].join(', ')} and call again.`,
    }),
  );
}
