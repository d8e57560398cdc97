/**
 * The value with what Elastic's AWS integration drops before it stores a record's members taken
 * out: null and "" anywhere (and `-` where the format writes it for "none", as WAF does), then the
 * objects and lists left empty by that (or empty to begin with). Undefined when nothing is left.
 */
export function dropEmpty(value: unknown, absent?: string): unknown {
  if (value === null || value === undefined || value === "" || value === absent) return undefined;
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (const item of value) {
      const left = dropEmpty(item, absent);
      if (left !== undefined) items.push(left);
    }
    return items.length === 0 ? undefined : items;
  }
  if (typeof value === "object") {
    const kept: Record<string, unknown> = {};
    let any = false;
    for (const [key, member] of Object.entries(value)) {
      const left = dropEmpty(member, absent);
      if (left === undefined) continue;
      kept[key] = left;
      any = true;
    }
    return any ? kept : undefined;
  }
  return value;
}
