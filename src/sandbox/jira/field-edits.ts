// Field edits as Jira validates them, for create, edit and transition: `fields` (set) and
// `update` (set / add / remove operations), with Jira's per-field error messages.
import { adfProblem } from './adf';
import type { Renderer } from './render';
import type { JiraState } from './state';
import { dedupe, type IssueFields } from './state-model';
import { asRecord } from './wire';

export interface EntityProperty {
  key: string;
  value: unknown;
}

export interface FieldEdits {
  /** Applies `fields` and `update` to `current` (create: null); problems land in `errors`. */
  applyEdits(
    projectKey: string,
    current: IssueFields | null,
    fields: Record<string, unknown>,
    update: Record<string, unknown>,
    errors: Record<string, string>,
  ): Partial<IssueFields>;
  /** The `properties` list of a create, edit or comment (undefined: invalid, see errors). */
  checkProperties(value: unknown, errors: Record<string, string>): EntityProperty[] | undefined;
}

export function fieldEdits(state: JiraState, render: Pick<Renderer, 'componentJson'>): FieldEdits {
  const { componentJson } = render;
  const LABEL_RE = /\s/;

  const checkLabels = (value: unknown, errors: Record<string, string>): string[] | undefined => {
    if (!Array.isArray(value) || value.some((l) => typeof l !== 'string')) {
      errors['labels'] = 'Operation value must be a string';
      return undefined;
    }
    for (const l of value as string[]) {
      if (l === '' || LABEL_RE.test(l)) {
        errors['labels'] = `The label '${l}' contains spaces which is invalid.`;
        return undefined;
      }
      if (l.length > 255) {
        errors['labels'] =
          `The label '${l}' exceeds the maximum length for a single label of 255 characters.`;
        return undefined;
      }
    }
    return value as string[];
  };

  const checkComponents = (
    projectKey: string,
    value: unknown,
    errors: Record<string, string>,
  ): string[] | undefined => {
    const project = state.project(projectKey);
    if (!Array.isArray(value)) {
      errors['components'] = 'Operation value must be an array';
      return undefined;
    }
    const names: string[] = [];
    for (const c of value) {
      const rec = asRecord(c);
      const name = typeof rec?.['name'] === 'string' ? rec['name'] : undefined;
      const id = typeof rec?.['id'] === 'string' ? rec['id'] : undefined;
      const found = project?.components.find(
        (n) => n === name || componentJson(projectKey, n)['id'] === id,
      );
      if (found === undefined) {
        errors['components'] =
          name !== undefined
            ? `Component name '${name}' is not valid`
            : `Component with id '${id ?? ''}' does not exist.`;
        return undefined;
      }
      names.push(found);
    }
    return dedupe(names);
  };

  const checkSummary = (value: unknown, errors: Record<string, string>): string | undefined => {
    if (typeof value !== 'string' || value.trim() === '') {
      errors['summary'] = 'You must specify a summary of the issue.';
      return undefined;
    }
    if (/[\r\n]/.test(value)) {
      errors['summary'] = 'The summary is invalid because it contains newline characters.';
      return undefined;
    }
    if (value.length > 255) {
      errors['summary'] = 'Summary must be less than 255 characters.';
      return undefined;
    }
    return value;
  };

  const checkPriority = (value: unknown, errors: Record<string, string>): string | undefined => {
    const rec = asRecord(value);
    const name = typeof rec?.['name'] === 'string' ? rec['name'] : undefined;
    const id = typeof rec?.['id'] === 'string' ? rec['id'] : undefined;
    if (name === undefined && id === undefined) {
      errors['priority'] = 'Specify the Priority (id or name) in the string format';
      return undefined;
    }
    const found =
      name !== undefined
        ? state.priorities.find((p) => p === name)
        : state.priorities[Number(id) - 1];
    if (found === undefined) {
      errors['priority'] =
        name !== undefined
          ? `Priority name '${name}' is not valid`
          : `Priority with id '${id ?? ''}' does not exist`;
      return undefined;
    }
    return found;
  };

  const checkDescription = (
    value: unknown,
    errors: Record<string, string>,
  ): { doc: IssueFields['description'] } | undefined => {
    if (value === null) return { doc: null };
    const problem = adfProblem(value);
    if (problem !== null) {
      errors['description'] = problem;
      return undefined;
    }
    return { doc: value as IssueFields['description'] };
  };

  const checkCustom = (id: string, value: unknown, errors: Record<string, string>): unknown => {
    if (value !== null && typeof value !== 'string') {
      errors[id] = 'Operation value must be a string';
      return undefined;
    }
    if (typeof value === 'string' && value.length > 255) {
      errors[id] =
        'The entered text is too long. Please shorten the text to less than 255 characters.';
      return undefined;
    }
    return value;
  };

  const checkProperties = (
    value: unknown,
    errors: Record<string, string>,
  ): { key: string; value: unknown }[] | undefined => {
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
      errors['properties'] = 'Properties must be an array.';
      return undefined;
    }
    const out: { key: string; value: unknown }[] = [];
    for (const p of value) {
      const rec = asRecord(p);
      const key = rec?.['key'];
      if (typeof key !== 'string' || key === '' || key.length > 255) {
        errors['properties'] = 'The property key must be between 1 and 255 characters long.';
        return undefined;
      }
      if (JSON.stringify(rec?.['value'] ?? null).length > 32_768) {
        errors['properties'] = 'The property value must be at most 32768 bytes long.';
        return undefined;
      }
      out.push({ key, value: rec?.['value'] ?? null });
    }
    return out;
  };

  const cannotSet = (name: string): string =>
    `Field '${name}' cannot be set. It is not on the appropriate screen, or unknown.`;

  /** Applies `fields` and `update` to `current` (create: current has the defaults). */
  const applyEdits = (
    projectKey: string,
    current: IssueFields | null,
    fields: Record<string, unknown>,
    update: Record<string, unknown>,
    errors: Record<string, string>,
  ): Partial<IssueFields> => {
    const change: { -readonly [K in keyof IssueFields]?: IssueFields[K] } = {};
    const custom: Record<string, unknown> = { ...(current?.custom ?? {}) };
    let customChanged = false;
    for (const name of Object.keys(update)) {
      if (name in fields)
        errors[name] =
          `Field '${name}' cannot be set in both the 'fields' and the 'update' sections.`;
    }
    for (const [name, value] of Object.entries(fields)) {
      switch (name) {
        case 'project':
        case 'issuetype':
          if (current !== null) errors[name] = cannotSet(name);
          break;
        case 'summary': {
          const s = checkSummary(value, errors);
          if (s !== undefined) change.summary = s;
          break;
        }
        case 'description': {
          const d = checkDescription(value, errors);
          if (d !== undefined) change.description = d.doc;
          break;
        }
        case 'priority': {
          const p = checkPriority(value, errors);
          if (p !== undefined) change.priority = p;
          break;
        }
        case 'labels': {
          const l = checkLabels(value, errors);
          if (l !== undefined) change.labels = dedupe(l);
          break;
        }
        case 'components': {
          const c = checkComponents(projectKey, value, errors);
          if (c !== undefined) change.components = c;
          break;
        }
        default: {
          if (state.customFields.some((cf) => cf.id === name)) {
            const v = checkCustom(name, value, errors);
            if (errors[name] === undefined) {
              custom[name] = v;
              customChanged = true;
            }
          } else {
            errors[name] = cannotSet(name);
          }
        }
      }
    }
    for (const [name, rawOps] of Object.entries(update)) {
      if (!Array.isArray(rawOps)) {
        errors[name] = 'Operations must be an array.';
        continue;
      }
      for (const rawOp of rawOps) {
        const op = asRecord(rawOp) ?? {};
        const verbs = Object.keys(op);
        if (verbs.length !== 1) {
          errors[name] = 'Each operation must have exactly one verb.';
          continue;
        }
        const verb = verbs[0] as string;
        const arg = op[verb];
        if (name === 'labels' || name === 'components') {
          const listNow: string[] = [
            ...((change[name] as readonly string[] | undefined) ??
              (current !== null ? current[name] : [])),
          ];
          if (verb === 'set') {
            const v =
              name === 'labels'
                ? checkLabels(arg, errors)
                : checkComponents(projectKey, arg, errors);
            if (v !== undefined) change[name] = dedupe(v);
          } else if (verb === 'add' || verb === 'remove') {
            const v =
              name === 'labels'
                ? checkLabels([arg], errors)
                : checkComponents(projectKey, [arg], errors);
            if (v === undefined) continue;
            const item = v[0] as string;
            change[name] =
              verb === 'add' ? dedupe([...listNow, item]) : listNow.filter((x) => x !== item);
          } else {
            errors[name] = `Operation '${verb}' is not supported for field '${name}'.`;
          }
          continue;
        }
        if (verb !== 'set') {
          errors[name] = `Operation '${verb}' is not supported for field '${name}'.`;
          continue;
        }
        Object.assign(change, applyEdits(projectKey, current, { [name]: arg }, {}, errors));
        if (state.customFields.some((cf) => cf.id === name) && errors[name] === undefined) {
          custom[name] = arg;
          customChanged = true;
        }
      }
    }
    if (customChanged) change.custom = custom;
    return change;
  };
  return { applyEdits, checkProperties };
}
