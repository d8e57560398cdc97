/**
 * ECS documents of AWS's line formats written straight to JSON text. Each format has one shape —
 * the tree of dotted field paths its parser has written, grown as paths first appear — and a
 * document is an array of JSON values, one per path, serialised by walking the tree: no nested
 * objects per line, no merge, no generic JSON.stringify of an object graph. Measured on ALB lines,
 * building objects path by path and merging them cost ~20 µs a line, six times the text path
 * (bench/, issue 30).
 *
 * A path AWS's data decides (a VPC flow header's field names, CloudFront's #Fields, fields AWS
 * appends) never grows the shape: it is written with `putUnder` as a member of a known object, so
 * a container that reads many odd headers keeps one small shape per format.
 */

/** The fields of every document that come from its object, not its line. */
const CONTEXT_PATHS = [
  "@timestamp",
  "log.file.path",
  "log.offset",
  "aws.s3.bucket.name",
  "aws.s3.object.key",
  "cloud.provider",
  "cloud.region",
  "cloud.account.id",
  "event.ingested",
  "event.original",
  "event.dataset",
  "event.module",
  "data_stream.type",
  "data_stream.dataset",
  "data_stream.namespace",
] as const;

interface ShapeNode {
  /** `"name":`, ready to write. */
  readonly key: string;
  /** The slot of a leaf; -1 for an object. */
  readonly slot: number;
  readonly children: ShapeNode[];
  /** The slot of members written under this object by name (`putUnder`); -1 for a leaf. */
  readonly extraSlot: number;
}

export class JsonShape {
  private readonly slots = new Map<string, number>();
  /** Object paths and the slot of their by-name members. */
  private readonly objects = new Map<string, number>();
  private readonly paths: string[] = [];
  private size = 0;
  private tree: ShapeNode | undefined;

  /** The slots of the fields every document carries from its object (builder.ts fills them). */
  readonly context: Readonly<Record<(typeof CONTEXT_PATHS)[number], number>>;

  constructor() {
    // `@timestamp` first in every document, as in every other source of this shipper.
    this.context = {} as Record<(typeof CONTEXT_PATHS)[number], number>;
    for (const path of CONTEXT_PATHS) (this.context as Record<string, number>)[path] = this.slotOf(path);
  }

  /** The slots of `paths`, by path: what a parser writes line after line without looking them up. */
  slotsOf<Path extends string>(paths: readonly Path[]): Readonly<Record<Path, number>> {
    const slots = {} as Record<Path, number>;
    for (const path of paths) slots[path] = this.slotOf(path);
    return slots;
  }

  /** A new empty document of this shape. */
  document(): ShapedDocument {
    return new ShapedDocument(this);
  }

  /** The slot of the leaf `path`, added to the shape when new. */
  slotOf(path: string): number {
    let slot = this.slots.get(path);
    if (slot === undefined) {
      slot = this.size++;
      this.slots.set(path, slot);
      this.paths.push(path);
      // Every object on the way can hold by-name members.
      for (let dot = path.indexOf("."); dot !== -1; dot = path.indexOf(".", dot + 1))
        this.objectSlotOf(path.substring(0, dot));
      this.tree = undefined;
      this.writer = undefined;
    }
    return slot;
  }

  /** The slot of the by-name members of the object `path`. */
  objectSlotOf(path: string): number {
    let slot = this.objects.get(path);
    if (slot === undefined) {
      slot = this.size++;
      this.objects.set(path, slot);
      this.tree = undefined;
      this.writer = undefined;
    }
    return slot;
  }

  /** The slot of the leaf `path` if it is one, for a member written by name. */
  leafSlot(path: string): number | undefined {
    return this.slots.get(path);
  }

  /** The document's JSON text, absent values and empty objects left out. */
  json(values: ReadonlyArray<string | undefined>): string {
    if (this.writer === undefined) {
      this.tree ??= this.compile();
      this.writer = compiledWriter(this.tree);
    }
    return this.writer(values);
  }

  /** The tree compiled into one function (compiledWriter); undefined until the next document after the shape grew. */
  private writer: ((values: ReadonlyArray<string | undefined>) => string) | undefined;

  private compile(): ShapeNode {
    const root: ShapeNode = { key: "", slot: -1, children: [], extraSlot: -1 };
    const objectNodes = new Map<string, ShapeNode>([["", root]]);
    const objectNode = (path: string): ShapeNode => {
      const existing = objectNodes.get(path);
      if (existing) return existing;
      const dot = path.lastIndexOf(".");
      const parent = objectNode(dot === -1 ? "" : path.substring(0, dot));
      const node: ShapeNode = {
        key: `${JSON.stringify(path.substring(dot + 1))}:`,
        slot: -1,
        children: [],
        extraSlot: this.objects.get(path) ?? -1,
      };
      parent.children.push(node);
      objectNodes.set(path, node);
      return node;
    };
    for (const path of this.paths) {
      const dot = path.lastIndexOf(".");
      const parent = objectNode(dot === -1 ? "" : path.substring(0, dot));
      parent.children.push({
        key: `${JSON.stringify(path.substring(dot + 1))}:`,
        slot: this.slots.get(path) as number,
        children: [],
        extraSlot: -1,
      });
    }
    // Objects only written by name (aws.vpcflow's fields, from the header) have no leaf of their own.
    for (const path of this.objects.keys()) objectNode(path);
    return root;
  }
}

/**
 * The tree as one generated function: a statement per field, no recursion and no walk over child
 * arrays per document. The keys in it are JSON string literals of the shape's own paths (written by
 * the parsers, never by the data: names the data decides are by-name members, values like any other),
 * and the values are read from the array it is given. Measured on ALB lines, walking the tree was
 * a tenth of the parsed path's time (issue 38). jsonShape.test.ts holds the output to JSON.stringify
 * of the same object for any values and any path names (quotes, backslashes, line separators).
 */
function compiledWriter(root: ShapeNode): (values: ReadonlyArray<string | undefined>) => string {
  let variables = 0;
  const lines: string[] = ["let v;"];
  /** Emits the statements that build `node`'s members into a new variable; returns its name. */
  const emit = (node: ShapeNode): string => {
    const out = `o${variables++}`;
    lines.push(`let ${out} = "";`);
    for (const child of node.children) {
      const key = JSON.stringify(child.key);
      if (child.slot === -1) {
        const inner = emit(child);
        lines.push(
          `if (${inner} !== "") ${out} = ${out} === "" ? ${key} + "{" + ${inner} + "}" : ${out} + "," + ${key} + "{" + ${inner} + "}";`,
        );
      } else {
        lines.push(
          `v = values[${child.slot}];`,
          `if (v !== undefined) ${out} = ${out} === "" ? ${key} + v : ${out} + "," + ${key} + v;`,
        );
      }
    }
    if (node.extraSlot !== -1)
      lines.push(
        `v = values[${node.extraSlot}];`,
        `if (v !== undefined) ${out} = ${out} === "" ? v : ${out} + "," + v;`,
      );
    return out;
  };
  const members = emit(root);
  lines.push(`return "{" + ${members} + "}";`);
  return new Function("values", lines.join("\n")) as (values: ReadonlyArray<string | undefined>) => string;
}

/** Characters JSON escapes in a string (and lone surrogates, which JSON.stringify writes as escapes). */
// eslint-disable-next-line no-control-regex -- the control characters are what JSON escapes
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A value AWS writes for "none": left out of the document. */
function absent(value: unknown): boolean {
  return value === undefined || value === null || value === "-" || value === "";
}

/** The JSON text of a value, or undefined when it is absent (`-`, empty, an empty list, not a finite number). */
export function jsonOf(value: unknown): string | undefined {
  if (absent(value)) return undefined;
  switch (typeof value) {
    case "string":
      // Most values need no escaping: quoting them is several times faster than JSON.stringify.
      return NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : `"${value}"`;
    case "number":
      return Number.isFinite(value) ? String(value) : undefined;
    case "boolean":
      return value ? "true" : "false";
    default:
      return Array.isArray(value) && value.length === 0 ? undefined : JSON.stringify(value);
  }
}

/** One document of a shape being written: `put("source.ip", …)` by path, as EcsDocument's callers do. */
export class ShapedDocument {
  private readonly values: Array<string | undefined> = [];

  constructor(private readonly shape: JsonShape) {}

  /** Sets `path` to `value`, unless the value is absent (undefined, `-`, empty). */
  put(path: string, value: unknown): this {
    const json = jsonOf(value);
    if (json !== undefined) this.values[this.shape.slotOf(path)] = json;
    return this;
  }

  /** Sets the field in `slot` (from `JsonShape.slotsOf`) to `value`, unless the value is absent. */
  set(slot: number, value: unknown): this {
    const json = jsonOf(value);
    if (json !== undefined) this.values[slot] = json;
    return this;
  }

  /** Sets the field in `slot` to JSON text already written. */
  setJson(slot: number, json: string): this {
    this.values[slot] = json;
    return this;
  }

  /** Whether the field in `slot` has a value. */
  has(slot: number): boolean {
    return this.values[slot] !== undefined;
  }

  /** The shape's slots of the object's fields. */
  get context(): JsonShape["context"] {
    return this.shape.context;
  }

  /**
   * Sets the by-name members of the object `parent` to `members`, JSON text (`"a":1,"b":"x"`) whose
   * names the caller has made unique and none of which is a field of the shape.
   */
  setMembers(parent: string, members: string): this {
    if (members !== "") this.values[this.shape.objectSlotOf(parent)] = members;
    return this;
  }

  /**
   * Sets the member `name` of the object `parent`, a name the data decides (it never grows the
   * shape). A name the shape knows as a field of `parent` is that field. A name already written is
   * left as it was: a document never holds a key twice (Elasticsearch refuses it).
   */
  putUnder(parent: string, name: string, value: unknown): this {
    const json = jsonOf(value);
    if (json === undefined) return this;
    const known = this.shape.leafSlot(`${parent}.${name}`);
    if (known !== undefined) {
      this.values[known] ??= json;
      return this;
    }
    const slot = this.shape.objectSlotOf(parent);
    const key = JSON.stringify(name);
    const members = this.values[slot];
    if (members === undefined) this.values[slot] = `${key}:${json}`;
    else if (!members.startsWith(`${key}:`) && !members.includes(`,${key}:`))
      this.values[slot] = `${members},${key}:${json}`;
    return this;
  }

  /** The document's JSON text. */
  json(): string {
    return this.shape.json(this.values);
  }
}
