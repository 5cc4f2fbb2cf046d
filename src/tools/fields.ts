/** Custom fields: the org's typed fields for candidates and pursuits (read by anyone, set by admins). */
import type { z } from 'zod';
import { COMMANDS } from '../workstream/commands.js';
import type { FieldSchemaView } from '../workstream/custom-fields.js';
import { FieldsAnswer } from './answers.js';
import { defineTool } from './define.js';

const toolset = 'fields';

function fieldSchemaText(view: z.output<typeof FieldSchemaView>): string {
  if (view.fields.length === 0) return 'No custom fields: fields are free-form.';
  return view.fields
    .map(
      (f) =>
        `- ${f.entity}.${f.key} (${f.type}${f.options ? `: ${f.options.join(' | ')}` : ''})${f.requiredFrom ? ` required from ${f.requiredFrom}` : ''}${f.retired ? ' retired' : ''}: ${f.label}${f.help ? ` — ${f.help}` : ''}`,
    )
    .join('\n');
}

export const getFieldSchema = defineTool({
  toolset,
  name: 'get_field_schema',
  summary: "The org's custom fields for candidates and pursuits: key, type, options.",
  title: 'Get the field schema',
  description:
    "The org's custom fields (key, label, type, options, help, requiredFrom) to fill in `fields` on writes.",
  command: COMMANDS.getFieldSchema,
  render: fieldSchemaText,
});

export const setCustomField = defineTool({
  toolset,
  name: 'set_custom_field',
  summary: 'Admins: define, change, require or retire a custom field of candidates or pursuits.',
  title: 'Set a custom field',
  description:
    "Admins: define or change a typed custom field (a key's type is fixed); requiredFrom: needed from that state on; retired: no longer accepted.",
  hints: { destructive: true, idempotent: true },
  answer: FieldsAnswer,
  command: COMMANDS.setCustomField,
  render: fieldSchemaText,
});

export const FIELD_TOOLS = [getFieldSchema, setCustomField];
