/**
 * Parameter shapes shared by command inputs: ids, text, times, money, tags, cursors. Each
 * command declares its own input beside its handler, built from these; the MCP tools publish
 * those inputs as they are. Descriptions are written for the model that reads the tool list.
 */
import { z } from 'zod';
import { PRIORITIES } from '../domain/priority.js';
import { boundedJson } from './schema-text.js';

const id = (prefix: string, what: string, findWith: string) =>
  z
    .string()
    .regex(
      new RegExp(`^${prefix}_[0-9A-HJKMNP-TV-Z]{26}$`),
      `must be a ${what} id such as ${prefix}_01J… (${findWith})`,
    );

export const SignalId = id('sig', 'signal', 'search, list_signals');
export const CandidateId = id('cand', 'candidate', 'search, list_candidates');
export const PursuitId = id('pur', 'pursuit', 'search, list_pursuits');
export const ProposalVersionId = id('prop', 'proposal version', 'get_pursuit');

export const ExpectedVersion = z.number().int().positive();

export const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);
export const Reason = text(2000);
export const Timestamp = z.iso.datetime({ offset: true });
export const PriorityParam = z.enum(PRIORITIES);
export const Money = z.number().nonnegative().max(1e15);
export const Tag = z
  .string()
  .trim()
  .min(1)
  .max(60)
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} _:./-]*$/u, 'letters, digits, space and _ : . / -')
  .transform((tag) => tag.toLowerCase());
export const Tags = z.array(Tag).max(30);
export const Fields = boundedJson();
/** A member id (mem_…) or the member's e-mail; null clears the assignee. */
export const Assignee = z.string().trim().min(1).max(400).nullable().describe('null unassigns.');
export const Domain = z.string().trim().max(200);

export const Cursor = z.string().max(200);
export const Limit = z.number().int().min(1).max(100).default(25);

export const CandidateDetails = {
  priority: PriorityParam.optional(),
  assignee: Assignee.optional(),
  dueAt: Timestamp.nullable().optional().describe('Next step due; null clears.'),
  estimatedValue: Money.nullable().optional(),
  tags: Tags.optional(),
  fields: Fields.optional(),
};

export const TagChanges = z.strictObject({ add: Tags.optional(), remove: Tags.optional() });
