/** Where a document holds AWS's `-` (or an empty string) as a value: the parsers must leave such fields out. */
export function dashValues(value: unknown, path = ""): string[] {
  if (value === "-" || value === "") return [path];
  if (Array.isArray(value)) return value.flatMap((item, index) => dashValues(item, `${path}[${index}]`));
  if (typeof value === "object" && value !== null)
    return Object.entries(value).flatMap(([key, item]) =>
      // Appended fields are kept as AWS wrote them, `-` included: their meaning is not known yet.
      key === "extra_fields" ? [] : dashValues(item, path ? `${path}.${key}` : key),
    );
  return [];
}
